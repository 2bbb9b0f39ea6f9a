"""Query profile of the load test's pages (issue 11): one request per endpoint and role, in-process, at each scale.

Run by the harness after each locust phase (`PROFILE=1`), or by hand:
    DATABASE_URL=... LOADTEST_USERS_FILE=artifacts/loadtest/scale-users.json python bench/loadtest/profile.py
For every GET of the mix it prints the status, the number of queries, their total time and the slowest one, so
a query count that grows with the data set, or one slow query, shows without the noise of a shared machine.
Each endpoint is requested twice: the first request (caches cold for this endpoint: the statistics' first
computation, reference data) is reported beside the second (warm). `EXPLAIN=1` adds the plan (EXPLAIN ANALYZE)
of each endpoint's slowest query, from whichever of the two requests ran it.

Each page is requested as a user of the mix who can see it, and must answer 200: any other answer (a redirect, a
404) or an endpoint no user has the records for is listed and the script exits non-zero, so the harness stops.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isotp.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from routes import MIX  # noqa: E402

SLOW_MS = 20  # a query slower than this has its plan shown
WORST = 3  # with none that slow, the plans of this many slowest queries of the mix

# Every GET of the mix, by role, in the mix's order (each request name once per role that requests it: the TM's
# people list is the area's, the OM's their caseload).
PAGES: dict[str, list[tuple[str, str]]] = {}
for _role, _weight, _name, _path, _route in MIX:
    PAGES.setdefault(_role, []).append((_name, _path))


def main() -> None:
    name = str(connection.settings_dict["NAME"])
    if (
        "_load_" not in name
    ):  # as loadtest_fixture: it clears the cache, so never a real database's (review of 11)
        raise SystemExit(f"profile.py runs only on a load data set (a database named *_load_*), not {name}.")
    users = json.loads(Path(os.environ["LOADTEST_USERS_FILE"]).read_text())["users"]
    cache.clear()  # every endpoint's first request starts cold (the harness gives the profile a Redis database of its own)
    explain = os.environ.get("EXPLAIN") == "1"
    only = set(os.environ["ONLY"].split(",")) if os.environ.get("ONLY") else None
    seen: set[tuple[str, str]] = set()
    print(
        "| endpoint | role | status | first: queries | first: wall ms | queries | SQL ms | wall ms | slowest query ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    plans = []
    problems: list[str] = []
    for role, pages in PAGES.items():
        staff = [u for u in users if u["role"] == role]
        for name, pattern in pages:
            if (role, name) in seen or (only is not None and name not in only):
                continue
            seen.add((role, name))
            key = pattern[pattern.find("{") + 1 : pattern.find("}")] if "{" in pattern else ""
            # A user of the role who has a record of this kind to open (the mix's users, from loadtest_fixture).
            me = next((u for u in staff if not key or u.get(key)), None)
            if me is None:
                problems.append(f"{name}: no {role} of the mix has {key or 'a session'} to open")
                continue
            value = me.get(key) if key else None
            client = Client(HTTP_HOST="127.0.0.1")
            if isinstance(value, list):
                value = value[0]["session"] if isinstance(value[0], dict) else value[0]
            path = pattern.replace("{" + key + "}", str(value)) if key else pattern
            headers = {"authorization": f"Token {me['token']}"} if path.startswith("/api/") else {}
            # A page: the user's session; the API: its token alone, as the locustfile sends it.
            if not headers:
                client.cookies["sessionid"] = me["session"]
            with CaptureQueriesContext(connection) as first:  # cold: what the first reader of a phase pays
                started = time.perf_counter()
                client.get(path, headers=headers)
                first_wall = (time.perf_counter() - started) * 1000
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                wall = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                problems.append(f"{name}: {path} answered {response.status_code} to the {role}, not 200")
            times = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
            cold = [(float(q["time"]) * 1000, q["sql"]) for q in first.captured_queries]
            selects = [t for t in times + cold if t[1].lstrip().upper().startswith("SELECT")]
            slowest = max(times, default=(0.0, ""))
            print(
                f"| {name} | {role.replace('_', ' ')} | {response.status_code} | {len(cold)} | {first_wall:.0f} | {len(times)} | "
                f"{sum(t for t, _ in times):.0f} | {wall:.0f} | {slowest[0]:.1f} |"
            )
            worst = max(selects, default=(0.0, ""))
            if worst[1]:
                plans.append((f"{name} ({role.replace('_', ' ')})", worst))
    # The plans of every query over SLOW_MS, and always of the WORST slowest queries of the whole mix, so that the
    # worst query left is shown even when none is slow.
    plans.sort(key=lambda entry: -entry[1][0])
    chosen = [entry for entry in plans if entry[1][0] > SLOW_MS] or plans[:WORST]
    for name, (ms, sql) in chosen if explain else []:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n### {name} ({ms:.0f} ms)\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```")
    if problems:
        raise SystemExit("The profile could not measure every page:\n" + "\n".join(problems))


if __name__ == "__main__":
    main()
