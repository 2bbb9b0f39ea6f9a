"""The load test's mix (issue 11), driven headless by bench/loadtest/harness.py against 127.0.0.1 only.

Each virtual user is one member of staff from `manage.py loadtest_fixture` (a verified session cookie for the
pages, a token for the API, and the records their role opens). Requests are named by their URL pattern so the
table has one row per endpoint. `ping` is the floor: the cheapest page behind the whole middleware stack.

Each role's endpoints are taken in turn (a weighted round-robin shared by the role's users, not a random draw), so
every endpoint gets its share of requests; a user without the records an endpoint needs passes its turn to the
next one. The phase lasts at least LOADTEST_MIN_SECONDS and stops once every endpoint requested has
LOADTEST_MIN_REQUESTS requests (the harness's `-t` bounds it).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import re
import time
from collections.abc import Callable
from urllib.parse import urlparse

import gevent
from locust import HttpUser, between, constant, events, task
from locust.clients import HttpSession
from routes import (
    MIX,
    WRITES,
    even_roles,
)  # bench/loadtest/routes.py: locust puts the locustfile's folder on the path

with open(os.environ["LOADTEST_USERS_FILE"]) as _f:
    USERS = json.load(_f)["users"]
_next = itertools.count()
# The even mix (the default): every entry of the mix requested equally often, the users' roles in proportion to
# each role's number of entries, so every endpoint's p95 rests on as many requests as the others'. The weighted
# mix (LOADTEST_MIX=weighted): the routes' weights, and the fixture's users in its order of roles.
EVEN = (os.environ.get("LOADTEST_MIX") or "even") == "even"
_next_of_role: dict[str, itertools.count[int]] = {}
MIN_SECONDS = float(os.environ.get("LOADTEST_MIN_SECONDS") or 0)
MIN_REQUESTS = int(os.environ.get("LOADTEST_MIN_REQUESTS") or 0)
# Every request's name, time (ms) and failure, written when locust quits: the harness merges a phase's slices from
# these and computes exact percentiles (locust's own CSV rounds times into buckets and cannot be merged).
RAW_FILE = os.environ.get("LOADTEST_RAW_FILE")
# The think time between a user's requests, "MIN MAX" seconds (the harness passes LOADTEST_THINK_SECONDS, "1 5"
# by default); "0": none (the saturation sweep).
_THINK = os.environ.get("LOADTEST_THINK") or "1 5"
THINK = () if _THINK == "0" else tuple(float(x) for x in _THINK.split())
_raw: list[tuple[str, float, int]] = []
_turns: dict[str, itertools.cycle[int]] = {}  # each role's round-robin, shared by its users
# Each role's turns that a user could not take, for the next user who can (at most LEFT_OVER_MAX of an entry: an
# entry no user of the role can make is "not measured", not a queue that grows for ever).
_left_over: dict[str, list[int]] = {}
LEFT_OVER_MAX = 3


def _key(path: str) -> str:
    """The record a path needs from the user ("{groups}" → "groups"), "" for none."""
    return path[path.index("{") + 1 : path.index("}")] if "{" in path else ""


def schedule(weights: list[int]) -> list[int]:
    """A smooth weighted round-robin over positions 0..n-1: position k appears weights[k] times per cycle,
    spread out (the heaviest are not bunched)."""
    order: list[tuple[float, int]] = []
    for k, weight in enumerate(weights):
        order += [((j + 0.5) / weight, k) for j in range(weight)]
    return [k for _, k in sorted(order)]


ELIGIBILITY = {
    "sex": "male",
    "date_of_birth": "1980-05-01",
    "planned_start": "2027-03-01",
    "iq": None,
    "offences": ["iioc_possess"],
    "rm2000_s": "medium",
    "deviance": "low",
    "rosh": "medium",
    "supervision_months": 36,
    "legal_basis": "community_order",
}
OUTCOMES = ["attended", "attended", "late"]


@events.test_start.add_listener
def _only_localhost(environment, **_kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("The load test drives 127.0.0.1 only.")
    if MIN_REQUESTS and environment.runner is not None:
        gevent.spawn(_stop_when_measured, environment)


def _stop_when_measured(environment) -> None:
    """Quit once the phase has run MIN_SECONDS and every endpoint requested has MIN_REQUESTS requests."""
    started = time.monotonic()
    while True:
        gevent.sleep(1)
        entries = list(environment.stats.entries.values())
        if (
            time.monotonic() - started >= MIN_SECONDS
            and entries
            and all(entry.num_requests >= MIN_REQUESTS for entry in entries)
        ):
            environment.runner.quit()
            return


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs) -> None:
    if RAW_FILE:
        _raw.append((name, float(response_time), 1 if exception else 0))


@events.quitting.add_listener
def _write_raw(**_kwargs) -> None:
    if RAW_FILE:
        with open(RAW_FILE, "w") as f:  # JSON lines: [name, ms, failed]
            f.writelines(json.dumps(row) + "\n" for row in _raw)


class Staff(HttpUser):
    # Users think LOADTEST_THINK seconds between requests ("1 5": 1 to 5 s, the harness's default, set by
    # LOADTEST_THINK_SECONDS); the saturation sweep (LOADTEST_THINK=0) drives the server flat out.
    wait_time = between(*THINK) if THINK else constant(0)

    def on_start(self) -> None:
        k = next(_next)
        if EVEN:
            options = self.environment.parsed_options
            roles = even_roles(int(getattr(options, "num_users", 0) or len(USERS)))
            role = roles[k % len(roles)]
            same = [u for u in USERS if u["role"] == role]
            me = same[next(_next_of_role.setdefault(role, itertools.count())) % len(same)]
        else:
            me = USERS[k % len(USERS)]
        self.me = me
        self.rng = random.Random(me["session"])
        self.client.cookies.set("sessionid", me["session"])
        self.api_headers = {"Authorization": f"Token {me['token']}"}
        # The API as an integration calls it: its token and no browser session. The pages' client keeps the
        # session cookie (and the cookies its answers set), which the API must not see: with it, every API request
        # also loaded and saved the session and checked the second factor (four queries and a write it does not
        # need).
        self.api = HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self,
            pool_manager=self.pool_manager,
        )  # fmt: skip
        self.api.trust_env = False
        writes: dict[str, Callable[[], None]] = {
            "api eligibility check": self.eligibility,
            "api register submitted": self.register,
            "register submitted": self.register_page,
        }
        mix: list[tuple[int, Callable[[], None]]] = [
            (1 if EVEN else weight, functools.partial(self.get, path, name))
            for role, weight, name, path, _route in MIX
            if role == me["role"]
        ]
        mix += [
            (1 if EVEN else weight, writes[name])
            for role, weight, name, _route in WRITES
            if role == me["role"]
        ]
        self.choices = [fn for _, fn in mix]
        self.weights = [w for w, _ in mix]
        # What each entry needs of the user's records ("" for nothing): a user without it cannot make the request.
        self.needs = [_key(path) for role, _weight, _name, path, _route in MIX if role == me["role"]]
        self.needs += [
            "registers" if "register" in name else ""
            for role, _weight, name, _route in WRITES
            if role == me["role"]
        ]
        if me["role"] not in _turns:
            _turns[me["role"]] = itertools.cycle(schedule(self.weights))
        # Then each user first thinks, as between any two requests, so a slice does not open with all its users'
        # first requests at once (run 9: each slice's first request of an endpoint took 235-427 ms against a p50
        # of 34, queued behind the other users' first requests).
        if THINK:
            gevent.sleep(random.uniform(0, THINK[1]))

    @task
    def one_request(self) -> None:
        """The role's next turn. A turn this user cannot take (no record of the kind the entry needs) is left for
        the role's next user who can, before any new turn, so every entry gets its share of requests however few
        users have its records (run 9: a register write, which 17 of 25 facilitators could make, got half the
        requests of the others and kept its slices running to their time limit)."""
        role = self.me["role"]
        left = _left_over.setdefault(role, [])
        for index in left:
            if self.can(index):
                left.remove(index)  # before the request: another user's greenlet runs while it is in flight
                self.choices[index]()
                return
        turns = _turns[role]
        for _ in range(len(self.choices)):
            index = next(turns)
            if self.can(index):
                self.choices[index]()
                return
            if left.count(index) < LEFT_OVER_MAX:
                left.append(index)

    def can(self, index: int) -> bool:
        need = self.needs[index]
        return not need or bool(self.me.get(need))

    # --- requests ---------------------------------------------------------------------------------------------

    def _check(self, response, name: str) -> None:
        if response.status_code >= 400 or (response.status_code in (301, 302) and "sign-in" in response.text):
            response.failure(f"{name}: {response.status_code}")
        elif response.url and "/accounts/" in response.url:
            response.failure(f"{name}: sent to sign in")
        else:
            response.success()

    def get(self, pattern: str, name: str) -> None:
        """GET `pattern` with `{key}` taken from the user's records (skipped when the user has none)."""
        path = pattern
        if "{" in pattern:
            key = pattern[pattern.index("{") + 1 : pattern.index("}")]
            value = self.me.get(key)
            if not value:
                return
            if isinstance(value, list):
                value = self.rng.choice(value)
                value = value["session"] if isinstance(value, dict) else value
            path = pattern.replace("{" + key + "}", str(value))
        api = path.startswith("/api/")
        client = self.api if api else self.client
        with client.get(
            path, name=name, headers=self.api_headers if api else None, catch_response=True
        ) as response:
            self._check(response, name)

    def eligibility(self) -> None:
        with self.api.post(
            "/api/v1/eligibility/check/",
            json=ELIGIBILITY,
            name="api eligibility check",
            headers=self.api_headers,
            catch_response=True,
        ) as response:
            self._check(response, "api eligibility check")

    def register(self) -> None:
        """A register submitted: the whole group's outcomes for a delivered session of a running group, in one
        PUT (issue 8). Only attended or late, so no catch-up is opened and the next run finds the same state."""
        registers = self.me.get("registers") or []
        if not registers:
            return
        register = self.rng.choice(registers)
        body = {
            "records": [{"membership": m, "outcome": self.rng.choice(OUTCOMES)} for m in register["members"]],
            "content_delivered": "Load test register",
        }
        with self.api.put(
            f"/api/v1/sessions/{register['session']}/register/",
            json=body,
            name="api register submitted",
            headers=self.api_headers,
            catch_response=True,
        ) as response:
            self._check(response, "api register submitted")

    def register_page(self) -> None:
        """The register page submitted as a facilitator would: GET it (CSRF token), POST every member attended."""
        registers = self.me.get("registers") or []
        if not registers:
            return
        register = self.rng.choice(registers)
        path = f"/sessions/{register['session']}/register/"
        with self.client.get(path, name="register", catch_response=True) as response:
            self._check(response, "register")
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text or "")
        if not found:
            return
        form = {"csrfmiddlewaretoken": found.group(1), "content_delivered": "Load test register"}
        form |= {f"{m}-outcome": self.rng.choice(OUTCOMES) for m in register["members"]}
        with self.client.post(
            path, data=form, name="register submitted", headers={"Referer": self.host + path},
            catch_response=True, allow_redirects=False,
        ) as response:  # fmt: skip
            # Saved: back to the register's session, not to sign-in or the second factor (an expired session
            # also answers 302; review of issue 11).
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "/accounts/" not in location:
                response.success()
            else:
                response.failure(f"register submitted: {response.status_code} {location}")
