"""`make loadtest`: the national data set, the production stack on 127.0.0.1, locust twice, the table (issue 11).

Environment: SCALE (1), USERS (50), LOADTEST_SECONDS (240, the least time per phase; `make loadtest SECONDS=`),
LOADTEST_THINK_SECONDS ("1 5": each user thinks 1 to 5 s between requests; `make loadtest THINK="1 5"`),
WORKERS (gunicorn workers, 2 × CPUs + 1), GUNICORN_THREADS (threads a worker, 1; gunicorn.conf.py is the server's
configuration), QUICK=1 (scale 0.01, 20 users, 20 s; growth with scale is not judged there),
SWEEP="1 2 4 8" (run the whole mix again at scale with each gunicorn worker count and sum the requests per second
of every endpoint of the mix, to find the worker count at which this machine's throughput stops rising; the
sweep's users do not think, so they offer more than the server can take; LOADTEST_SWEEP_SECONDS each, SECONDS by
default), LOADTEST_REDIS_PORT (PORT + 10000),
PORT (8108; the harness refuses a port that is already taken), DATABASE_URL (the base name of the load databases:
`<name>_load_<scale>`). Every child process is started and stopped here, each loop is bounded.

It runs the same mix on the data set at SCALE and on one 100 times smaller, both servers up at once, in ROUNDS
slices a phase taken in turn (LOADTEST_ROUNDS: 4; scale, small, small, scale, scale, small, ...), and prints one row
per endpoint of the mix (every one, in both phases: one with fewer than MIN_REQUESTS requests in a phase, 200 by
default (LOADTEST_MIN_REQUESTS), is "not measured", a miss) and, last, the `loadtest:` line. The percentiles are
exact, computed from every request of a phase's slices (the locustfile writes them). Each phase lasts at least
SECONDS and until every endpoint has MIN_REQUESTS requests (at most MAX_PHASE_FACTOR × SECONDS), after an unmeasured
warm-up of each server (LOADTEST_WARMUP_SECONDS, 45). Figures and CSVs go to artifacts/loadtest/.
Growth with scale is judged only when the measured area's data is at least DATA_GROWTH_MIN times larger at SCALE
(QUICK=1's 0.01 against 0.0001 is not: the per-area minimums make the two alike). After writing every result,
the harness exits non-zero when any endpoint missed a goal, was not measured or failed.

The generated data set is kept pristine: it is reused while the generator's sources and the migrations hash the
same (`reuse_key`), and each run works on a fresh copy of it (`CREATE DATABASE ... TEMPLATE`), so the load test's
own writes (registers, tokens, sessions, audit events) never accumulate from one run to the next.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import itertools
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlparse, urlunparse
from zoneinfo import ZoneInfo

Stats = dict[str, dict[str, float]]

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "loadtest"
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
SEED = 2026
# The data set is built around the product's date today (Europe/London), and reused only on that date: the product
# runs on the real clock, so a data set built for another day would have drifted (registers overdue, "must start by"
# dates passed) and runs on different days would measure different data. LOADTEST_TODAY fixes it (tests).
TODAY = os.environ.get("LOADTEST_TODAY") or dt.datetime.now(ZoneInfo("Europe/London")).date().isoformat()
PAGE_GOAL, API_GOAL, GROWTH_GOAL = 5.0, 3.0, 1.3
QUICK = os.environ.get("QUICK") == "1"
# Fewer requests than this in a phase: the endpoint's p95 means nothing ("not measured"). The p95 of 20 requests is
# their second-slowest, which moved by 1.3-1.8x between two quiet runs of the same code; of 60, the fourth-slowest.
# QUICK=1 is a smoke run of the stack, the mix and the table: its 20 users, thinking 1 to 5 s, give each endpoint
# of the even mix about 13 requests in the 200 s a phase may last, so it asks 10.
# A full run asks 200. A simulation of the growth verdict on run 7's saturated phases (bench/README.md, "The even
# mix") put about 9 of 87 endpoints over 1.3x by chance alone at 120 requests a phase, about 4 at 200 and under 1
# from about 400; with think time (THINK) a phase no longer queues and its p95s spread less, and its users offer
# about 16 requests a second, so 400 an endpoint (100 endpoints, two phases) would take about 85 minutes.
MIN_REQUESTS = int(os.environ.get("LOADTEST_MIN_REQUESTS") or (10 if QUICK else 200))
# Each phase is measured in ROUNDS slices, taken in turn with the other phase's (scale, small, small, scale, ...),
# both servers up throughout: a drift of the machine (another process, a cache warming, autovacuum) falls on both
# phases alike instead of on whichever ran second.
ROUNDS = max(1, int(os.environ.get("LOADTEST_ROUNDS") or (1 if QUICK else 4)))
MAX_PHASE_FACTOR = 10  # a phase waiting for every endpoint's requests stops at this many times SECONDS
# Growth with scale is judged only when the measured area holds at least this many times more rows at scale than
# small (DATA_GROWTH_ROWS, each): below about scale 0.01 the per-area minimums make the two data sets alike.
DATA_GROWTH_MIN = 10.0
DATA_GROWTH_ROWS = ("people", "referrals", "groups", "attendance")
SATURATION_STEP = 1.05  # throughput "still rises" with more workers while it grows by more than 5 %
# What the data set is made of: the hash of these files' contents (committed or not) keys its reuse.
# The generator draws on the models, the domain rules (bank holidays, schedules, eligibility, monitoring) and the
# demo's reference data (batteries and score sheets) as well as its own modules: an edit to any of them rebuilds.
# The fixture is not in it: it writes only to each run's copy. The score parser of the psychometric services,
# the hooks between apps and the lock file (the `holidays` package's bank holidays shape the schedules) are.
GENERATOR_SOURCES = ("*/load_data.py", "isotp/loadgen.py", "isotp/management/commands/generate_load_data.py",
                     "*/migrations/*.py", "*/models.py", "*/models/*.py", "*/rules/*.py", "*/demo.py",
                     "*/demo_*.py", "assessments/services/administrations.py", "isotp/hooks.py",
                     "uv.lock")  # fmt: skip
# The harness drops and creates databases: only this machine's PostgreSQL (a socket, or a loopback address).
LOCAL_HOSTS = frozenset({"", "127.0.0.1", "localhost", "::1"})
# What the servers inherit from the caller's environment: nothing else (not a production bucket's keys, a mail
# server or a media root); every setting the stack needs is set by `env_for`.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV")

# The even mix (default): every entry of the mix requested equally often (routes.even_roles gives the users' roles),
# so the rarest endpoint's p95 rests on as many requests as the commonest's; in the weighted mix the routes'
# weights and the fixture's roles (three offender managers to two treatment managers) left each of the treatment
# manager's 40 weight-1 endpoints a tenth of the requests of the people list, and a phase had to run about 2.3
# times longer for as many. LOADTEST_MIX=weighted measures the weighted mix.
MIX = os.environ.get("LOADTEST_MIX") or "even"
if MIX not in ("even", "weighted"):
    raise SystemExit(f"LOADTEST_MIX is even or weighted, not {MIX!r}")
SCALE = float(os.environ.get("SCALE") or (0.01 if QUICK else 1))
USERS = int(os.environ.get("USERS") or (20 if QUICK else 50))
# A full run: 240 s, so each of its four slices may run up to 600 s (MAX_PHASE_FACTOR) for its 100 requests an
# endpoint (about 220 s at the 45 requests a second 50 users make here).
SECONDS = int(os.environ.get("LOADTEST_SECONDS") or (20 if QUICK else 240))
WORKERS = int(os.environ.get("WORKERS") or 2 * (os.cpu_count() or 1) + 1)
# Threads per gunicorn worker (gunicorn.conf.py: the gthread worker above 1; its default when not given).
THREADS = int(os.environ.get("GUNICORN_THREADS") or 1)
SWEEP = [int(w) for w in os.environ.get("SWEEP", "").split()]
# Before a phase's first slice, its server is warmed for this long, unmeasured (`warm_up`).
WARMUP_SECONDS = int(os.environ.get("LOADTEST_WARMUP_SECONDS") or (10 if QUICK else 45))
# Each sweep point measures only the whole mix's throughput, so it may be shorter than a phase.
SWEEP_SECONDS = int(os.environ.get("LOADTEST_SWEEP_SECONDS") or SECONDS)


def think_seconds(text: str) -> tuple[float, float]:
    """LOADTEST_THINK_SECONDS, "MIN MAX": how long each user thinks between two requests, drawn evenly between
    the two. The default, 1 to 5 s, keeps 50 users' offered load (about 16 requests a second) well under this
    machine's capacity at scale (36-50 requests a second, the saturation sweep), so a phase measures what each
    request costs, not how long it queued: with 0.5-1.5 s (run 8) the users offered about 45 a second, the
    server at scale saturated, and every endpoint's p95, the floor's too, was mostly queueing."""
    parts = text.split()
    try:
        low, high = (float(part) for part in parts)
    except ValueError:
        raise SystemExit(f'LOADTEST_THINK_SECONDS is "MIN MAX" in seconds, not {text!r}') from None
    if not 0 < low <= high:
        raise SystemExit(f"LOADTEST_THINK_SECONDS: 0 < MIN <= MAX, not {text!r}")
    return low, high


THINK = think_seconds(os.environ.get("LOADTEST_THINK_SECONDS") or "1 5")
PORT = int(os.environ.get("PORT") or 8108)  # `make loadtest` passes 8108 unless PORT= is given
REDIS_PORT = int(os.environ.get("LOADTEST_REDIS_PORT") or PORT + 10000)  # its own Redis, next to its own port
BASE_URL = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/isotp"


def log(line: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {line}", flush=True)


def db_url(scale: float) -> str:
    parsed = urlparse(BASE_URL)
    name = f"{parsed.path.lstrip('/')}_load_{str(scale).replace('.', '_')}"
    return urlunparse(parsed._replace(path="/" + name))


def env_for(database_url: str, redis_db: int = 0) -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files, Redis cache and broker), plain HTTP on 127.0.0.1;
    the cache in Redis database `redis_db` and the broker in the next (each phase's server has its own)."""
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="loadtest-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/{redis_db}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/{redis_db + 1}",
        CELERY_RESULT_BACKEND=f"redis://127.0.0.1:{REDIS_PORT}/{redis_db + 1}",
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_URL=f"filemail://{OUT}/mail",
        PRIVATE_MEDIA_ROOT=str(
            OUT / "private_media"
        ),  # the placeholder PDFs the fixture writes, never object storage
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


def reuse_key(root: Path = ROOT) -> str:
    """SHA-256 of the generator's sources and the migrations (their contents, so uncommitted edits count)."""
    digest = hashlib.sha256()
    files = sorted({p for pattern in GENERATOR_SOURCES for p in root.glob(pattern) if p.is_file()})
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def psql_env() -> dict[str, str]:
    """The caller's environment without libpq's own variables: a PGHOST or PGSERVICE of the caller's must never
    point the harness's psql (which drops databases) at another server than the URL's (review of issue 11)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


def psql(url: str, sql: str) -> None:
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    subprocess.run(["psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, env=psql_env())


def url_hosts(url: str) -> list[str]:
    """Every host a libpq URL can connect to: the network location's hosts (a comma-separated list is allowed) and
    the `host` and `hostaddr` query parameters, which libpq prefers to the network location."""
    parsed = urlparse(url)
    netloc = parsed.netloc.rsplit("@", 1)[-1]
    hosts = []
    for part in netloc.split(","):
        host = (
            part[1 : part.index("]")]
            if part.startswith("[")
            else part.rsplit(":", 1)[0]
            if ":" in part
            else part
        )
        hosts.append(unquote(host).lower())
    query = parse_qs(parsed.query)
    for key in ("host", "hostaddr"):
        hosts += [h.strip().lower() for value in query.get(key, []) for h in value.split(",")]
    return hosts


def refuse_remote(url: str) -> None:
    """The harness drops, creates and fills databases: it refuses any PostgreSQL but this machine's (a loopback
    address or a socket directory), wherever the URL names a host, and a connection service file (which can name
    any)."""
    remote = [h for h in url_hosts(url) if h not in LOCAL_HOSTS and not h.startswith("/")]
    if "service" in parse_qs(urlparse(url).query):
        remote.append("a connection service")
    if remote:
        raise SystemExit(
            f"The load test drops and creates databases, so it runs against this machine's PostgreSQL only "
            f"(127.0.0.1, localhost or a socket), not {', '.join(remote)}."
        )


def read_marker(url: str) -> dict[str, object] | None:
    """What the data set in `url`'s database was built from (`ensure_data` writes it as the database's comment,
    so every checkout on the machine sees the same answer); None when there is no database or no marker."""
    found = subprocess.run(
        ["psql", url, "-tA", "-c",
         "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"],
        capture_output=True, text=True, check=False, env=psql_env(),
    )  # fmt: skip
    try:
        marker = json.loads(found.stdout.strip()) if found.returncode == 0 else None
    except json.JSONDecodeError:
        return None
    return marker if isinstance(marker, dict) else None


def ensure_data(scale: float) -> str:
    """Generate the data set at `scale` in its own database, or reuse it when it was built from the same sources
    for the same seed and day (the marker is the database's own comment); returns the URL of a fresh copy of it
    for this run (the pristine one is never written to by the test)."""
    url = db_url(scale)
    refuse_remote(url)
    name = urlparse(url).path.lstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    marker = {"scale": scale, "seed": SEED, "today": TODAY, "code": reuse_key()}
    with build_lock(name):
        build_once(url, name, scale, marker)
    # Each run its own copy (the process id in its name), so two runs on one machine never drop each other's.
    run = f"{name}_run_{os.getpid()}"
    psql(url, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
    psql(url, f'CREATE DATABASE "{run}" TEMPLATE "{name}"')
    log(f"this run works on {run}, a copy of {name}")
    return urlunparse(urlparse(url)._replace(path="/" + run))


@contextlib.contextmanager
def build_lock(name: str) -> Iterator[None]:
    """A PostgreSQL advisory lock on the data set's name, held while it is checked and (re)built: a second run
    on the machine waits for the first's build and then reuses it, instead of dropping it half-built."""
    import psycopg2

    connection = psycopg2.connect(urlunparse(urlparse(db_url(1))._replace(path="/postgres")))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"isotp-loadtest:{name}"])
        yield
    finally:
        connection.close()  # the session's lock goes with it


def drop_run_copy(url: str) -> None:
    """The run's copy holds the fixture's signed-in sessions and API tokens: dropped when the run ends."""
    name = urlparse(url).path.lstrip("/")
    if "_run_" in name:
        psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_once(url: str, name: str, scale: float, marker: dict[str, object]) -> None:
    if read_marker(url) == marker:
        log(f"reusing the data set at scale {scale} ({name}, built for {TODAY})")
    else:
        psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(url, f'CREATE DATABASE "{name}"')
        env = env_for(url)
        log(f"migrating {name}")
        manage(env, "migrate", "--noinput", "-v0")
        log(f"generating the data set at scale {scale} around {TODAY}")
        started = time.monotonic()
        print(manage(env, "generate_load_data", "--scale", str(scale), "--seed", str(SEED), "--today", TODAY))
        log(f"scale {scale} generated in {time.monotonic() - started:.0f} s")
        # Vacuumed once, as a production database is: the visibility map lets index-only scans skip the heap,
        # and autovacuum is not left to work through millions of freshly loaded rows on the same two CPUs
        # while a phase is being measured.
        started = time.monotonic()
        subprocess.run(
            ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", "VACUUM (ANALYZE)"], check=True, env=psql_env()
        )
        log(f"scale {scale} vacuumed in {time.monotonic() - started:.0f} s")
        psql(
            url, f"COMMENT ON DATABASE \"{name}\" IS '{json.dumps(marker)}'"
        )  # written last: a whole data set


def port_taken(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:`port` (the harness must measure its own server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Stack:
    """gunicorn (production settings) on `port` and a Celery worker, on one database; Redis is shared and started
    once (each stack has its own pair of Redis databases)."""

    def __init__(self, url: str, workers: int, port: int = PORT, redis_db: int = 0) -> None:
        self.env = env_for(url, redis_db)
        self.workers = workers
        self.port = port
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Stack:
        OUT.mkdir(parents=True, exist_ok=True)
        if port_taken(self.port):
            raise SystemExit(
                f"127.0.0.1:{self.port} is already taken by another process: give the load test a free PORT."
            )
        logs = open(OUT / "stack.log", "ab")
        self.procs.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "isotp.wsgi:application",
                 "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5"],
                cwd=ROOT, env=self.env | {"WEB_CONCURRENCY": str(self.workers), "GUNICORN_THREADS": str(THREADS)},
                stdout=logs, stderr=logs, start_new_session=True,
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
            self.check_alive()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        self.check_alive()  # the answer came from our gunicorn, not another process
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.__exit__()
        raise SystemExit(
            f"gunicorn did not answer /healthz on 127.0.0.1:{self.port}: see {OUT / 'stack.log'}"
        )

    def check_alive(self) -> None:
        """Stop the run when our gunicorn or Celery worker has exited (a crash, or a port it could not bind)."""
        for proc in self.procs:
            if proc.poll() is not None:
                self.__exit__()
                raise SystemExit(
                    f"{Path(str(proc.args[0])).name} exited with {proc.returncode}: see {OUT / 'stack.log'}"
                )

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


def fixture(stack: Stack, phase: str, users: int) -> None:
    """The phase's virtual users (`manage.py loadtest_fixture`): sessions, tokens and the records they open."""
    users_file = OUT / f"{phase}-users.json"
    # The even mix gives a role up to 23 of 50 users (the treatment managers): twice as many accounts as users, in
    # the fixture's order of roles, give every role at least as many accounts as it has users.
    accounts = users * 2 if MIX == "even" else users
    manage(stack.env, "loadtest_fixture", "--users", str(accounts), "--out", str(users_file))
    area = json.loads(users_file.read_text()).get("area")
    if area:
        log(f"{phase}: measured area {area_line(area)}")


class Slice(NamedTuple):
    """One locust run: its CSV prefix, its raw requests (name, ms, failed) and how long it ran."""

    stats: Path
    raw: Path
    seconds: float


def locust(stack: Stack, phase: str, users: int, seconds: int, every_endpoint: bool = True,
           min_requests: int = MIN_REQUESTS, part: str = "") -> Slice:  # fmt: skip
    """One run of the mix against `stack` with the phase's users (`fixture`): at least `seconds`, until every
    endpoint has `min_requests` requests (the locustfile stops itself then), at most MAX_PHASE_FACTOR ×
    `seconds`; a sweep phase (`every_endpoint=False`, only the whole mix's throughput counts) lasts `seconds`,
    and its users do not think between requests: they offer more than the server can take, so the throughput
    measured is the server's capacity (with think time, 50 users offer about 16 requests a second, and a sweep
    would find only that the offered load was met). `part` names a slice of a phase ("-1", "-2", ...)."""
    users_file = OUT / f"{phase}-users.json"
    prefix = OUT / f"{phase}{part}"
    raw = OUT / f"{phase}{part}-raw.jsonl"
    raw.unlink(missing_ok=True)
    cap = seconds * MAX_PHASE_FACTOR if every_endpoint else seconds
    env = dict(
        os.environ, LOADTEST_USERS_FILE=str(users_file), LOADTEST_MIN_SECONDS=str(seconds),
        LOADTEST_MIN_REQUESTS=str(min_requests if every_endpoint else 0),
        LOADTEST_THINK=" ".join(f"{t:g}" for t in THINK) if every_endpoint else "0", LOADTEST_RAW_FILE=str(raw),
        LOADTEST_MIX=MIX,
    )  # fmt: skip
    log(
        f"{phase}{part}: {users} users, at least {seconds} s and {min_requests} requests an endpoint, at most "
        f"{cap} s"
        if every_endpoint
        else f"{phase}{part}: {users} users without think time for {seconds} s (the whole mix's throughput)"
    )
    stack.check_alive()
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless", "--only-summary",
         "-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{cap}s", "--stop-timeout", "10",
         "--host", f"http://127.0.0.1:{stack.port}", "--csv", str(prefix), "--exit-code-on-error", "0"],
        cwd=ROOT, env=env, check=True, timeout=cap + 120, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    stack.check_alive()
    return Slice(prefix.with_name(prefix.name + "_stats.csv"), raw, elapsed)


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an ascending list: the smallest value with at least `fraction` of the
    values at or below it (the p95 of 60 requests is the 57th)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def stats_from_raw(slices: list[Slice]) -> Stats:
    """A phase's table rows from the raw requests of all its slices: count, failures, exact p50/p95/p99, and
    requests per second over the slices' running time."""
    times: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    for part in slices:
        if not part.raw.exists():
            continue
        with open(part.raw) as f:
            for line in f:
                name, ms, failure = json.loads(line)
                times.setdefault(name, []).append(float(ms))
                failed[name] = failed.get(name, 0) + int(failure)
    running = sum(part.seconds for part in slices) or 1.0
    rows: Stats = {}
    for name, values in times.items():
        values.sort()
        rows[name] = {
            "requests": len(values),
            "failures": failed[name],
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "rps": len(values) / running,
        }
    return rows


def interleaved(phases: list[str]) -> list[str]:
    """The slices' order, ROUNDS of each phase in turn, mirrored every other round (scale, small, small, scale,
    scale, small, ...): a drift that grows through the run falls on both phases alike."""
    order: list[str] = []
    for number in range(ROUNDS):
        order += phases if number % 2 == 0 else phases[::-1]
    return order


def area_line(area: dict[str, object]) -> str:
    return (
        f"{area.get('name')}: {area.get('people')} people, {area.get('referrals')} referrals, "
        f"{area.get('groups')} groups, {area.get('plans')} plans, {area.get('attendance')} attendance records"
    )


def profile(url: str, phase: str) -> None:
    """The in-process query profile of each endpoint (bench/loadtest/profile.py), free of the machine's noise.
    A failed profile (an exception, a page not answering 200) stops the run."""
    # Redis databases 4 and 5: not the phases' (0-3), which the profile's cache.clear() would otherwise empty.
    env = env_for(url, redis_db=4) | {"LOADTEST_USERS_FILE": str(OUT / f"{phase}-users.json"), "EXPLAIN": "1"}
    result = subprocess.run(
        [PY, str(Path(__file__).with_name("profile.py"))], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip
    target = OUT / f"{phase}-profile.md"
    target.write_text(result.stdout + result.stderr[-4000:])
    if result.returncode != 0:
        raise SystemExit(f"{phase}: the query profile failed ({result.returncode}):\n{result.stderr[-2000:]}")
    log(f"{phase}: query profile in {target}")


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


def expected_endpoints() -> list[str]:
    """Every request name of the mix: each must be a row of the table. From bench/loadtest/routes.py (the mix as
    data) when there is one, else read from the locustfile's request names."""
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    try:
        from routes import MIX, WRITES  # type: ignore[import-not-found]
    except ImportError:
        text = (here / "locustfile.py").read_text()
        names = re.findall(r'name="([^"]+)"', text) + re.findall(r'"/[^"]*",\s*"([^"]+)"', text)
        return sorted(set(names))
    return sorted({entry[2] for entry in MIX} | {write[2] for write in WRITES})


Area = dict[str, object]


def data_growth(big_area: Area | None, small_area: Area | None) -> float | None:
    """How many times more rows the measured area holds at scale than small: the smallest ratio of its people,
    referrals, groups and attendance records (None when a phase's rows are unknown). Below the per-area
    minimums (about scale 0.01) both phases hold nearly the same rows, and growth with scale means nothing."""
    if not big_area or not small_area:
        return None
    ratios = []
    for key in DATA_GROWTH_ROWS:
        big, small = big_area.get(key), small_area.get(key)
        if not isinstance(big, int | float) or not isinstance(small, int | float):
            return None
        ratios.append(big / small if small else (math.inf if big else 1.0))
    return min(ratios)


class Judgement(NamedTuple):
    text: str  # the table and, last, the `loadtest:` line
    missed: int  # endpoints over a goal, failed or not measured
    failures: int

    @property
    def passed(self) -> bool:
        return not self.missed and not self.failures


def report(big: Stats, small: Stats, expected: list[str], scale: float, small_scale: float,
           header: str = "", min_requests: int = MIN_REQUESTS,
           areas: tuple[Area | None, Area | None] | None = None) -> str:  # fmt: skip
    """The table and the `loadtest:` line (see `judge`)."""
    return judge(big, small, expected, scale, small_scale, header, min_requests, areas).text


def judge(big: Stats, small: Stats, expected: list[str], scale: float, small_scale: float,
          header: str = "", min_requests: int = MIN_REQUESTS,
          areas: tuple[Area | None, Area | None] | None = None) -> Judgement:  # fmt: skip
    """The table (one row per endpoint of the mix, and any other the phases saw), the `loadtest:` line, and how
    many endpoints missed.

    An endpoint is judged only when it had at least `min_requests` requests in both phases; otherwise it is
    "not measured" and counts as a miss, like one over its goal or with a failure. Growth with scale (p95 at
    scale ÷ p95 small, the issue's figure) is judged only when `areas`, the measured area's rows in each phase,
    show the data at least DATA_GROWTH_MIN times larger at scale; otherwise it reads "n/a (data sets alike)" and
    only the floor ratio and failures are judged. "growth ÷ floor growth" divides it by the floor's own growth
    between the phases, so a phase that was merely busier shows as such (shown, not judged)."""
    empty = {"requests": 0, "failures": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "rps": 0.0}
    floor_row, floor_small = big.get("ping", empty), small.get("ping", empty)
    floor = floor_row["p95"] or float("nan")
    floor_growth = (
        floor_row["p95"] / floor_small["p95"] if floor_row["p95"] and floor_small["p95"] else math.nan
    )
    grown = data_growth(*areas) if areas else None
    judged = grown is not None and grown >= DATA_GROWTH_MIN
    if grown is None:
        why = "the measured area's rows in a phase are unknown"
    else:
        why = f"the measured area's data is only {grown:.1f}× larger at scale, under {DATA_GROWTH_MIN:.0f}×"
    not_judged = "n/a (data sets alike)" if grown is not None else "n/a (rows unknown)"
    lines = [
        f"scale {scale} vs {small_scale}; {header}floor (ping) p95 {floor_row['p95']:.0f} ms at scale, "
        f"{floor_small['p95']:.0f} ms small (floor growth {_fmt(floor_growth)}); at least {min_requests} "
        "requests an endpoint a phase",
        f"growth with scale judged: the measured area's data is {grown:.1f}× larger at scale"
        if judged and grown is not None
        else f"GROWTH WITH SCALE NOT JUDGED: {why}",
        "",
        "| endpoint | requests (scale / small) | failures | p50 ms | p95 ms | p99 ms | p95 ÷ floor | "
        "p95 at scale ÷ small | growth ÷ floor growth | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    worst_ratio, worst_growth, worst_corrected = (0.0, "-"), (0.0, "-"), (0.0, "-")
    failures = missed = unmeasured = 0
    names = sorted(set(expected) | set(big) | set(small))
    for name in names:
        row, low = big.get(name, empty), small.get(name, empty)
        failed = int(row["failures"]) + int(low["failures"])
        failures += failed
        limit = API_GOAL if name.startswith("api ") else PAGE_GOAL
        measured = row["requests"] >= min_requests and low["requests"] >= min_requests and floor > 0
        ratio = row["p95"] / floor if row["requests"] and floor > 0 else float("nan")
        growth = row["p95"] / low["p95"] if measured and low["p95"] else float("nan")
        corrected = growth / floor_growth if not math.isnan(growth) and floor_growth > 0 else math.nan
        goals = f"≤{limit:.0f}×, ≤{GROWTH_GOAL}×" if judged else f"≤{limit:.0f}×; growth not judged"
        if not measured:
            verdict = f"MISSED: not measured (fewer than {min_requests} requests in a phase)"
            unmeasured += 1
        elif ratio <= limit and (growth <= GROWTH_GOAL or not judged) and not failed:
            verdict = f"ok ({goals})"
        else:
            verdict = f"MISSED ({goals})"
        missed += not verdict.startswith("ok")
        if measured and name != "ping":
            worst_ratio = max(worst_ratio, (ratio, name))
            worst_growth = max(worst_growth, (growth, name))
            if not math.isnan(corrected):
                worst_corrected = max(worst_corrected, (corrected, name))
        growth_cells = f"{_fmt(growth)} | {_fmt(corrected)}" if judged else f"{not_judged} | {not_judged}"
        lines.append(
            f"| {name} | {row['requests']:.0f} / {low['requests']:.0f} | {failed} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {_fmt(ratio)} | {growth_cells} | {verdict} |"
        )
    lines.append("")
    # The line first, exactly (`loadtest: worst p95/floor R1 (endpoint); worst growth with scale R2
    # (endpoint); failures F`: areas' checks parse it), then what this harness adds.
    extra = (
        f"worst growth ÷ floor growth {worst_corrected[0]:.2f} ({worst_corrected[1]})"
        if judged
        else f"growth with scale not judged ({why})"
    )
    lines.append(
        f"loadtest: worst p95/floor {worst_ratio[0]:.2f} ({worst_ratio[1]}); worst growth with scale "
        f"{worst_growth[0]:.2f} ({worst_growth[1]}); failures {failures}; {extra}; "
        f"missed {missed} of {len(names)} endpoints ({unmeasured} not measured)"
    )
    return Judgement("\n".join(lines), missed, failures)


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def saturation(points: list[tuple[int, float]]) -> int | None:
    """The gunicorn worker count at which the whole mix's throughput stops rising: the first count after which
    more workers add no more than SATURATION_STEP; None while it still rises at the largest count tried."""
    ordered = sorted(points)
    for (workers, rps), (_more, next_rps) in itertools.pairwise(ordered):
        if next_rps <= rps * SATURATION_STEP:
            return workers
    return None


def sweep_table(points: list[tuple[int, float, float]]) -> str:
    """The saturation sweep: requests per second of the whole mix (every endpoint summed) per worker count."""
    found = saturation([(w, rps) for w, rps, _ in points])
    lines = [
        f"{USERS} users without think time (the server's capacity), {THREADS} threads a worker",
        "",
        "| gunicorn workers | requests/s (whole mix, every endpoint summed) | floor p95 ms |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {w} | {rps:.1f} | {p95:.0f} |" for w, rps, p95 in sorted(points)]
    tried = max(w for w, _, _ in points)
    lines.append("")
    lines.append(
        f"saturation: throughput stops rising at {found} gunicorn workers"
        if found is not None
        else f"saturation: throughput still rising at {tried} gunicorn workers (not reached)"
    )
    return "\n".join(lines)


def warm_up(stack: Stack, phase: str) -> None:
    """WARMUP_SECONDS of the whole mix without think time, not measured: every gunicorn worker serves each endpoint
    a few times first (its templates compiled, its modules imported, its connection open), as a long-running
    server's workers have. Run 9's first slice without it: the slowest 2-5 requests of most endpoints (400-665 ms
    against a p50 of 30-75 ms) were each worker's first, a tenth of a slice's 50 and so its p95."""
    if WARMUP_SECONDS > 0:
        locust(stack, phase, USERS, WARMUP_SECONDS, every_endpoint=False, part="-warmup")


def measure(big_url: str, small_url: str) -> tuple[Stats, Stats]:
    """Both phases: both servers up at once (PORT and PORT + 1, each with its own Redis databases), each phase
    measured in ROUNDS slices taken in turn (`interleaved`), at least SECONDS and MIN_REQUESTS an endpoint in all;
    the rows of each phase from the raw requests of its slices."""
    per_slice = math.ceil(MIN_REQUESTS / ROUNDS)
    slice_seconds = max(1, math.ceil(SECONDS / ROUNDS))
    slices: dict[str, list[Slice]] = {"scale": [], "small": []}
    with Stack(big_url, WORKERS) as big_stack, Stack(small_url, WORKERS, PORT + 1, redis_db=2) as small_stack:
        stacks = {"scale": big_stack, "small": small_stack}
        for phase, stack in stacks.items():
            fixture(stack, phase, USERS)
            warm_up(stack, phase)
        for phase in interleaved(["scale", "small"]):
            part = f"-{len(slices[phase]) + 1}"
            slices[phase].append(
                locust(stacks[phase], phase, USERS, slice_seconds, min_requests=per_slice, part=part)
            )
    return stats_from_raw(slices["scale"]), stats_from_raw(slices["small"])


def preflight() -> None:
    """Refuse a remote database and any port already taken (both servers' and their Redis's): the harness must
    measure its own processes, on this machine."""
    refuse_remote(BASE_URL)
    for port in (PORT, PORT + 1, REDIS_PORT):
        if port_taken(port):
            raise SystemExit(
                f"127.0.0.1:{port} is already taken by another process: give the load test a free PORT."
            )


def start_redis() -> subprocess.Popen[bytes]:
    """The run's own Redis on REDIS_PORT (checked free by `preflight`, so what listens there is ours)."""
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(40):  # at most 20 s
        if redis.poll() is not None:
            raise SystemExit(f"redis-server exited with {redis.returncode} on port {REDIS_PORT}")
        if port_taken(REDIS_PORT):
            return redis
        time.sleep(0.5)
    redis.terminate()
    raise SystemExit(f"redis-server did not listen on 127.0.0.1:{REDIS_PORT}")


def main() -> int:
    for key in [
        key for key in os.environ if key.startswith("PG")
    ]:  # libpq's own: never another server than the URL's
        del os.environ[key]
    OUT.mkdir(parents=True, exist_ok=True)
    preflight()
    expected = expected_endpoints()
    small_scale = SCALE / 100
    big_url = ensure_data(SCALE)
    small_url = ensure_data(small_scale)
    redis = start_redis()
    sweep: list[tuple[int, float, float]] = []
    profile_errors: list[str] = []
    try:
        big, small = measure(big_url, small_url)
        for url, phase in ((big_url, "scale"), (small_url, "small")):
            try:
                profile(url, phase)
            except SystemExit as failed:  # reported after the table, and the run fails
                profile_errors.append(str(failed))
        for workers in SWEEP:
            with Stack(big_url, workers) as stack:
                fixture(stack, f"sweep-{workers}", USERS)
                warm_up(stack, f"sweep-{workers}")
                stats = read_stats(
                    locust(stack, f"sweep-{workers}", USERS, SWEEP_SECONDS, every_endpoint=False).stats
                )
                sweep.append(
                    (workers, sum(r["rps"] for r in stats.values()), stats.get("ping", {}).get("p95", 0))
                )
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        for url in (big_url, small_url):
            drop_run_copy(url)
    areas = {
        phase: json.loads((OUT / f"{phase}-users.json").read_text()).get("area")
        for phase in ("scale", "small")
    }
    header = (
        f"{USERS} users ({MIX} mix), at least {SECONDS} s a phase in {ROUNDS} interleaved slices, {WORKERS} gunicorn workers "
        f"× {THREADS} threads; "
    )
    text = ""
    for phase, area in areas.items():
        if area:
            text += f"measured area at {'scale' if phase == 'scale' else 'small'}: {area_line(area)}\n"
    judgement = judge(
        big, small, expected, SCALE, small_scale, header, areas=(areas["scale"], areas["small"])
    )
    text += "\n" + judgement.text
    if sweep:
        text = sweep_table(sweep) + "\n\n" + text
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (OUT / "results.md").write_text(f"{stamp}, {os.uname().nodename}, {os.cpu_count()} CPUs\n\n{text}\n")
    print(text)
    status = 0
    if profile_errors:
        print("\n".join(["", "THE QUERY PROFILE FAILED:", *profile_errors]), file=sys.stderr)
        status = 1
    if not judgement.passed:  # after every result is written, as `make bench` fails on a missed target
        print(
            f"\nloadtest failed: {judgement.missed} endpoints missed a goal or were not measured, "
            f"{judgement.failures} failed requests (results in {OUT / 'results.md'})",
            file=sys.stderr,
        )
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
