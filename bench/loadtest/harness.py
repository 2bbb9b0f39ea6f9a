"""`make loadtest`: the national data set, the production stack on 127.0.0.1, locust twice, the table (issue 11).

Environment: SCALE (1), USERS (50), LOADTEST_SECONDS (60, per phase; `make loadtest SECONDS=`), WORKERS
(gunicorn workers, 2 × CPUs + 1), QUICK=1 (scale
0.01, 20 users, 20 s), SWEEP="1 2 4 8" (also measure the floor's throughput at each worker count, to find where
this machine saturates), LOADTEST_REDIS_PORT (6391), PORT (8108), DATABASE_URL (the base name of the two load
databases: `<name>_load_<scale>`). Every child process is started and stopped here, each loop is bounded.

It runs the same mix on the data set at SCALE and on one 100 times smaller, one after the other against the same
stack, and prints one row per endpoint and, last, the `loadtest:` line. Figures and CSVs go to artifacts/loadtest/.
"""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "loadtest"
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
SEED = 2026
TODAY = "2026-11-30"  # the data set is built around a fixed date, so a reused one stays valid
PAGE_GOAL, API_GOAL, GROWTH_GOAL = 5.0, 3.0, 1.3

QUICK = os.environ.get("QUICK") == "1"
SCALE = float(os.environ.get("SCALE") or (0.01 if QUICK else 1))
USERS = int(os.environ.get("USERS") or (20 if QUICK else 50))
SECONDS = int(os.environ.get("LOADTEST_SECONDS") or (20 if QUICK else 60))
WORKERS = int(os.environ.get("WORKERS") or 2 * (os.cpu_count() or 1) + 1)
SWEEP = [int(w) for w in os.environ.get("SWEEP", "").split()]
REDIS_PORT = int(os.environ.get("LOADTEST_REDIS_PORT") or 6391)
PORT = int(os.environ.get("PORT") or 8108)
BASE_URL = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/isotp"


def log(line: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {line}", flush=True)


def db_url(scale: float) -> str:
    parsed = urlparse(BASE_URL)
    name = f"{parsed.path.lstrip('/')}_load_{str(scale).replace('.', '_')}"
    return urlunparse(parsed._replace(path="/" + name))


def env_for(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files, Redis cache and broker), plain HTTP on 127.0.0.1."""
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="loadtest-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/1",
        CELERY_RESULT_BACKEND=f"redis://127.0.0.1:{REDIS_PORT}/1",
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_URL=f"filemail://{OUT}/mail",
        DJANGO_SECURE_SSL_REDIRECT="false",  # no TLS on 127.0.0.1; everything else is as in production
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=1800
    ).stdout


def ensure_data(scale: float) -> str:
    """Generate the data set at `scale` in its own database, or reuse it when it was built the same way."""
    url = db_url(scale)
    name = urlparse(url).path.lstrip("/")
    env = env_for(url)
    marker_file = OUT / f"{name}.json"
    migrations = subprocess.run(
        ["git", "log", "-1", "--format=%H", "--", "*/migrations/*", "*/load_data.py", "isotp/loadgen.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    marker = {"scale": scale, "seed": SEED, "today": TODAY, "code": migrations}
    exists = subprocess.run(["psql", url, "-c", "SELECT 1"], capture_output=True, check=False).returncode == 0
    if exists and marker_file.exists() and json.loads(marker_file.read_text()) == marker:
        log(f"reusing the data set at scale {scale} ({name})")
        return url
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    subprocess.run(["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run(["psql", admin, "-q", "-c", f'CREATE DATABASE "{name}"'], check=True)
    log(f"migrating {name}")
    manage(env, "migrate", "--noinput", "-v0")
    log(f"generating the data set at scale {scale}")
    started = time.monotonic()
    print(manage(env, "generate_load_data", "--scale", str(scale), "--seed", str(SEED), "--today", TODAY))
    log(f"scale {scale} generated in {time.monotonic() - started:.0f} s")
    marker_file.write_text(json.dumps(marker))
    return url


class Stack:
    """gunicorn (production settings) and a Celery worker on one database; Redis is shared and started once."""

    def __init__(self, url: str, workers: int) -> None:
        self.env = env_for(url)
        self.workers = workers
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Stack:
        OUT.mkdir(parents=True, exist_ok=True)
        logs = open(OUT / "stack.log", "ab")
        self.procs.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "isotp.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
                 "--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "5"],
                cwd=ROOT, env=self.env, stdout=logs, stderr=logs, start_new_session=True,
            )
        )  # fmt: skip
        self.procs.append(
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "isotp", "worker", "--loglevel", "WARNING", "--concurrency", "1",
                 "--pool", "solo", "--without-heartbeat", "--without-mingle", "--without-gossip"],
                cwd=ROOT, env=self.env, stdout=logs, stderr=logs, start_new_session=True,
            )
        )  # fmt: skip
        for _ in range(120):  # at most a minute for gunicorn to answer
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer /healthz on 127.0.0.1:{PORT}: see {OUT / 'stack.log'}")

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def locust(stack: Stack, phase: str, users: int, seconds: int, locustfile: str = "locustfile.py") -> Path:
    users_file = OUT / f"{phase}-users.json"
    manage(stack.env, "loadtest_fixture", "--users", str(users), "--out", str(users_file))
    prefix = OUT / phase
    env = dict(os.environ, LOADTEST_USERS_FILE=str(users_file))
    log(f"{phase}: {users} users for {seconds} s")
    subprocess.run(
        [str(BIN / "locust"), "-f", str(Path(__file__).with_name(locustfile)), "--headless", "--only-summary",
         "-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--stop-timeout", "10",
         "--host", f"http://127.0.0.1:{PORT}", "--csv", str(prefix), "--exit-code-on-error", "0"],
        cwd=ROOT, env=env, check=True, timeout=seconds + 120, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return prefix.with_name(prefix.name + "_stats.csv")


def profile(url: str, phase: str) -> None:
    """The in-process query profile of each endpoint (bench/loadtest/profile.py), free of the machine's noise."""
    env = env_for(url) | {"LOADTEST_USERS_FILE": str(OUT / f"{phase}-users.json"), "EXPLAIN": "1"}
    result = subprocess.run(
        [PY, str(Path(__file__).with_name("profile.py"))], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    (OUT / f"{phase}-profile.md").write_text(result.stdout + result.stderr[-4000:])
    log(f"{phase}: query profile in {OUT / f'{phase}-profile.md'}")


def read_stats(path: Path) -> dict[str, dict[str, float]]:
    rows = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
                "rps": float(row["Requests/s"] or 0),
            }
    return rows


def report(big: dict[str, dict[str, float]], small: dict[str, dict[str, float]], small_scale: float) -> str:
    floor = big["ping"]["p95"] or 1.0
    lines = [
        f"scale {SCALE} vs {small_scale}, {USERS} users, {SECONDS} s a phase, {WORKERS} gunicorn workers; "
        f"floor (ping) p95 {floor:.0f} ms at scale, {small['ping']['p95']:.0f} ms small",
        "",
        "| endpoint | requests | failures | p50 ms | p95 ms | p99 ms | p95 ÷ floor | p95 at scale ÷ small | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    worst_ratio, worst_growth, failures = (0.0, ""), (0.0, ""), 0
    for name in sorted(big):
        row = big[name]
        ratio = row["p95"] / floor
        small_p95 = small.get(name, {}).get("p95") or 0
        growth = row["p95"] / small_p95 if small_p95 else float("nan")
        failures += int(row["failures"]) + int(small.get(name, {}).get("failures", 0))
        limit = API_GOAL if name.startswith("api ") else PAGE_GOAL
        ok = ratio <= limit and (math.isnan(growth) or growth <= GROWTH_GOAL) and not row["failures"]
        if name != "ping":
            worst_ratio = max(worst_ratio, (ratio, name))
            if not math.isnan(growth):
                worst_growth = max(worst_growth, (growth, name))
        lines.append(
            f"| {name} | {row['requests']:.0f} | {row['failures']:.0f} | {row['p50']:.0f} | {row['p95']:.0f} | "
            f"{row['p99']:.0f} | {ratio:.2f} | {growth:.2f} | {'ok' if ok else 'MISSED'} (≤{limit:.0f}×) |"
        )
    lines.append("")
    lines.append(
        f"loadtest: worst p95/floor {worst_ratio[0]:.2f} ({worst_ratio[1]}); "
        f"worst growth with scale {worst_growth[0]:.2f} ({worst_growth[1]}); failures {failures}"
    )
    return "\n".join(lines)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    small_scale = SCALE / 100
    big_url = ensure_data(SCALE)
    small_url = ensure_data(small_scale)
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        with Stack(big_url, WORKERS) as stack:
            big = read_stats(locust(stack, "scale", USERS, SECONDS))
        with Stack(small_url, WORKERS) as stack:
            small = read_stats(locust(stack, "small", USERS, SECONDS))
        profile(big_url, "scale")
        profile(small_url, "small")
        sweep = []
        for workers in SWEEP:
            with Stack(big_url, workers) as stack:
                stats = read_stats(locust(stack, f"sweep-{workers}", USERS, SECONDS))
                total = sum(r["rps"] for r in stats.values())
                sweep.append(f"| {workers} | {total:.1f} | {stats['ping']['p95']:.0f} |")
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    text = report(big, small, small_scale)
    if sweep:
        text = (
            "| gunicorn workers | requests/s (whole mix) | floor p95 ms |\n|---:|---:|---:|\n"
            + "\n".join(sweep)
            + "\n\n"
            + text
        )
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (OUT / "results.md").write_text(f"{stamp}, {os.uname().nodename}, {os.cpu_count()} CPUs\n\n{text}\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
