"""The load test harness's pure parts (issue 11): the table, its judgement, the saturation point, the reuse key
and the port check, without running locust or a server."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("loadtest_harness", ROOT / "bench" / "loadtest" / "harness.py")
assert _spec is not None and _spec.loader is not None
harness = importlib.util.module_from_spec(_spec)
sys.modules["loadtest_harness"] = harness
_spec.loader.exec_module(harness)


def _row(requests: int = 1000, p95: float = 50.0, failures: int = 0) -> dict[str, float]:
    return {
        "requests": requests,
        "failures": failures,
        "p50": p95 / 2,
        "p95": p95,
        "p99": p95 * 1.2,
        "rps": 1.0,
    }


def _area(n: int) -> dict[str, object]:
    """The measured area's rows in a phase (loadtest_fixture's `area`), `n` times the per-area minimums."""
    return {
        "name": "Avon",
        "people": 20 * n,
        "referrals": 20 * n,
        "groups": n,
        "plans": n,
        "attendance": 100 * n,
    }


GREW = (_area(100), _area(1))  # scale 1 against 0.01: the data grew


def _rows(table: str) -> dict[str, str]:
    return {
        line.split(" | ")[0].lstrip("| "): line
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith(("| endpoint", "|---"))
    }


def test_every_endpoint_of_the_mix_is_a_row_and_one_not_measured_is_a_miss():
    big = {"ping": _row(p95=20), "people": _row(p95=60), "groups": _row(p95=60), "staff": _row(5, p95=40)}
    small = {"ping": _row(p95=20), "people": _row(p95=50), "staff": _row(p95=40)}
    expected = ["ping", "people", "groups", "staff", "api register submitted"]
    table = harness.report(big, small, expected, 1.0, 0.01, min_requests=20, areas=GREW)
    rows = _rows(table)
    assert set(rows) == set(expected)
    assert "ok" in rows["people"]  # 3× the floor, 1.2× growth
    for name in ("groups", "staff", "api register submitted"):  # missing small / 5 requests / never requested
        assert "not measured" in rows[name] and "ok" not in rows[name]
    assert "nan" not in table
    last = table.splitlines()[-1]
    # The line, exactly, then the harness's additions.
    assert re.fullmatch(
        r"loadtest: worst p95/floor [0-9.]+ \([^)]+\); worst growth with scale [0-9.]+ \([^)]+\); "
        r"failures [0-9]+; .*",
        last,
    )
    assert last.startswith(
        "loadtest: worst p95/floor 3.00 (people); worst growth with scale 1.20 (people); failures 0; "
        "worst growth ÷ floor growth 1.20 (people);"
    )
    assert last.endswith("; missed 3 of 5 endpoints (3 not measured)")


def test_goals_failures_and_growth_are_judged():
    big = {"ping": _row(p95=10), "home": _row(p95=60), "api staff": _row(p95=40), "people": _row(p95=40),
           "referrals": _row(p95=30, failures=1)}  # fmt: skip
    small = {"ping": _row(p95=10), "home": _row(p95=50), "api staff": _row(p95=40), "people": _row(p95=20),
             "referrals": _row(p95=30)}  # fmt: skip
    rows = _rows(harness.report(big, small, sorted(big), 1.0, 0.01, areas=GREW))
    assert "MISSED" in rows["home"]  # 6× the floor, over a page's 5×
    assert "MISSED" in rows["api staff"]  # 4× the floor, over an API endpoint's 3×
    assert "MISSED" in rows["people"]  # 2× slower on the larger data set
    assert "MISSED" in rows["referrals"]  # a failure
    judgement = harness.judge(big, small, sorted(big), 1.0, 0.01, areas=GREW)
    last = judgement.text.splitlines()[-1]
    assert "; failures 1; worst growth ÷ floor growth" in last
    assert last.endswith("; missed 4 of 5 endpoints (0 not measured)")
    assert (judgement.missed, judgement.failures, judgement.passed) == (4, 1, False)


def test_the_saturation_point_is_where_throughput_stops_rising():
    assert harness.saturation([(1, 3.8), (2, 4.6), (4, 5.1), (8, 4.3)]) == 4
    assert harness.saturation([(8, 10.0), (1, 4.0), (2, 8.0), (4, 8.2)]) == 2  # +2.5 % is not rising
    assert harness.saturation([(1, 4.0), (2, 8.0)]) is None
    table = harness.sweep_table([(1, 3.8, 100), (2, 4.6, 90), (4, 5.1, 80), (8, 4.3, 120)])
    assert table.splitlines()[-1] == "saturation: throughput stops rising at 4 gunicorn workers"
    assert "whole mix" in table


def test_the_reuse_key_follows_the_generator_sources_and_migrations(tmp_path):
    def tree(**files: str) -> str:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return harness.reuse_key(tmp_path)

    first = tree(**{"isotp/loadgen.py": "a", "referrals/load_data.py": "b", "referrals/migrations/0001_x.py": "c",
                    "isotp/management/commands/generate_load_data.py": "d",
                    "isotp/management/commands/loadtest_fixture.py": "e", "README.md": "f"})  # fmt: skip
    assert tree() == first
    assert tree(**{"README.md": "changed"}) == first  # not a generator source
    # The fixture writes only to each run's copy, never the data set.
    assert tree(**{"isotp/management/commands/loadtest_fixture.py": "edited"}) == first
    for name in ("isotp/management/commands/generate_load_data.py", "referrals/migrations/0001_x.py",
                 "referrals/load_data.py", "assessments/services/administrations.py", "isotp/hooks.py",
                 "uv.lock"):  # fmt: skip
        before = harness.reuse_key(tmp_path)
        assert tree(**{name: "edited, not committed"}) != before
    assert tree(**{"sessions/load_data.py": "new"}) != harness.reuse_key(tmp_path / "isotp")


def test_a_taken_port_is_refused():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert harness.port_taken(port)
    assert not harness.port_taken(port)


@pytest.mark.parametrize("name", ["api people", "people"])
def test_an_endpoint_without_a_floor_is_not_judged_ok(name):
    rows = _rows(harness.report({name: _row()}, {name: _row()}, [name, "ping"], 1.0, 0.01, areas=GREW))
    assert "ok" not in rows[name] and "not measured" in rows["ping"]


@pytest.mark.parametrize(
    ("big_area", "small_area", "expected"),
    [
        # the lead's run of 2026-11-30: scale 1 against 0.01 (attendance 23,023 against 108)
        ({"people": 2381, "referrals": 1429, "groups": 77, "attendance": 23023},
         {"people": 24, "referrals": 20, "groups": 1, "attendance": 108}, 1429 / 20),
        # QUICK=1: scale 0.01 against 0.0001, both at the per-area minimums
        ({"people": 24, "referrals": 20, "groups": 1, "attendance": 108},
         {"people": 20, "referrals": 20, "groups": 1, "attendance": 100}, 1.0),
        ({"people": 5, "referrals": 0, "groups": 1, "attendance": 0},
         {"people": 5, "referrals": 0, "groups": 1, "attendance": 0}, 1.0),  # nothing on either side: alike
        ({"people": 50, "referrals": 20, "groups": 1, "attendance": 10},
         {"people": 5, "referrals": 2, "groups": 0, "attendance": 1}, 10.0),  # none small, some at scale: grew
        ({"people": 24}, {"people": 20}, None),  # a count missing: unknown
    ],
)  # fmt: skip
def test_how_much_the_measured_area_grew(big_area, small_area, expected):
    assert harness.data_growth(big_area, small_area) == expected
    assert harness.data_growth(None, small_area) is None


def _phases() -> tuple[dict, dict]:
    big = {"ping": _row(p95=26), "people": _row(p95=78), "api people": _row(p95=40),
           "groups": _row(p95=120)}  # fmt: skip
    small = {"ping": _row(p95=10), "people": _row(p95=30), "api people": _row(p95=38),
             "groups": _row(p95=40)}  # fmt: skip
    return big, small


def test_alike_data_sets_do_not_have_their_growth_judged():
    """QUICK=1 (0.01 against 0.0001): the floor ratio and failures are judged, growth is not, and both the
    table and the last line say so, though p95 'grew' 3× (a busier phase, not more data)."""
    big, small = _phases()
    quick = ({"people": 24, "referrals": 20, "groups": 1, "attendance": 108},
             {"people": 20, "referrals": 20, "groups": 1, "attendance": 100})  # fmt: skip
    judgement = harness.judge(big, small, sorted(big), 0.01, 0.0001, areas=quick)
    rows = _rows(judgement.text)
    assert (
        "GROWTH WITH SCALE NOT JUDGED: the measured area's data is only 1.0× larger at scale, under 10×"
        in (judgement.text)
    )
    for name in ("people", "api people", "groups"):
        assert rows[name].count("n/a (data sets alike)") == 2  # the growth column and the corrected one
        assert "growth not judged" in rows[name]
    assert "ok (≤5×; growth not judged)" in rows["people"]  # 3× the floor: ok although it "grew" 2.6×
    assert "ok (≤3×; growth not judged)" in rows["api people"]
    assert "ok (≤5×; growth not judged)" in rows["groups"]  # 4.6× the floor; it "grew" 3×
    assert judgement.passed  # growth not judged never fails a run on its own
    last = judgement.text.splitlines()[-1]
    # The line keeps its shape (a number for R2), and says the growth is not judged after it.
    assert re.match(r"loadtest: worst p95/floor [0-9.]+ \([^)]+\); worst growth with scale [0-9.]+ \(", last)
    assert "; growth with scale not judged (the measured area's data is only 1.0× larger" in last
    assert "÷ floor growth" not in last
    for unknown in (None, (None, quick[1])):  # the rows of a phase unknown: not judged either
        text = harness.report(big, small, sorted(big), 0.01, 0.0001, areas=unknown)
        assert "n/a (rows unknown)" in _rows(text)["people"]
        assert "growth with scale not judged (the measured area's rows in a phase are unknown)" in text


def test_growth_is_shown_beside_the_floors_own_growth():
    """The issue's column (p95 at scale ÷ p95 small) and its judgement stay; the next column divides it by the
    floor's growth between the phases (26 ms against 10 ms: 2.6×), which tells a busier phase from data growth."""
    big, small = _phases()
    judgement = harness.judge(big, small, sorted(big), 1.0, 0.01, areas=GREW)
    rows = _rows(judgement.text)
    assert "(floor growth 2.60)" in judgement.text.splitlines()[0]
    assert "growth with scale judged: the measured area's data is 100.0× larger at scale" in judgement.text
    cells = {name: [c.strip() for c in rows[name].split("|")[7:10]] for name in rows}
    assert cells["people"] == ["3.00", "2.60", "1.00"]  # p95 ÷ floor, growth, growth ÷ floor growth
    assert cells["api people"] == ["1.54", "1.05", "0.40"]
    assert cells["groups"] == ["4.62", "3.00", "1.15"]
    assert cells["ping"] == ["1.00", "2.60", "1.00"]
    assert "MISSED (≤5×, ≤1.3×)" in rows["people"]  # judged on the raw growth, as before
    assert "ok (≤3×, ≤1.3×)" in rows["api people"]
    last = judgement.text.splitlines()[-1]
    assert (
        "worst growth with scale 3.00 (groups); failures 0; worst growth ÷ floor growth 1.15 (groups);"
        in last
    )
    assert last.endswith("; missed 3 of 4 endpoints (0 not measured)")  # ping too: it grew 2.6×


def test_a_run_passes_only_with_no_miss_and_no_failure():
    big = {"ping": _row(p95=10), "people": _row(p95=20)}
    small = {"ping": _row(p95=10), "people": _row(p95=20)}
    assert harness.judge(big, small, ["ping", "people"], 1.0, 0.01, areas=GREW).passed
    failed = dict(big, people=_row(p95=20, failures=1))
    assert not harness.judge(failed, small, ["ping", "people"], 1.0, 0.01, areas=GREW).passed
    unmeasured = harness.judge(big, small, ["ping", "people", "groups"], 1.0, 0.01, areas=GREW)
    assert (unmeasured.passed, unmeasured.missed) == (False, 1)


@pytest.mark.parametrize(
    ("count", "fraction", "expected"),
    [
        (60, 0.95, 57),  # the p95 of 60 requests is the 57th: three are slower
        (20, 0.95, 19),  # of 20, the second-slowest
        (100, 0.95, 95),
        (100, 0.50, 50),
        (100, 0.99, 99),
        (1, 0.95, 1),
        (0, 0.95, 0.0),  # no requests: 0, never an error
    ],
)
def test_percentiles_are_nearest_rank(count, fraction, expected):
    assert harness.percentile([float(v) for v in range(1, count + 1)], fraction) == expected


def test_a_phase_is_merged_from_the_raw_requests_of_all_its_slices(tmp_path):
    """Each slice's raw file (name, ms, failed) is merged: exact percentiles over every request of the phase,
    failures summed, and requests per second over the slices' running time together."""
    first, second = tmp_path / "scale-1-raw.jsonl", tmp_path / "scale-2-raw.jsonl"
    first.write_text("".join(f'["people", {ms}, 0]\n' for ms in range(1, 31)) + '["ping", 5, 0]\n')
    second.write_text("".join(f'["people", {ms}, 0]\n' for ms in range(31, 61)) + '["ping ?x", 7, 1]\n')
    slices = [
        harness.Slice(tmp_path / "a_stats.csv", first, 10.0),
        harness.Slice(tmp_path / "b_stats.csv", second, 20.0),
        harness.Slice(
            tmp_path / "c_stats.csv", tmp_path / "never-written.jsonl", 0.0
        ),  # a slice that made none
    ]
    rows = harness.stats_from_raw(slices)
    assert rows["people"] == {
        "requests": 60,
        "failures": 0,
        "p50": 30.0,
        "p95": 57.0,
        "p99": 60.0,
        "rps": 2.0,
    }
    assert rows["ping"]["requests"] == 1 and rows["ping"]["p95"] == 5.0
    assert rows["ping ?x"] == {
        "requests": 1,
        "failures": 1,
        "p50": 7.0,
        "p95": 7.0,
        "p99": 7.0,
        "rps": 1 / 30,
    }


@pytest.mark.parametrize(
    ("rounds", "expected"),
    [
        (1, ["scale", "small"]),
        (2, ["scale", "small", "small", "scale"]),
        (3, ["scale", "small", "small", "scale", "scale", "small"]),
    ],
)
def test_the_phases_are_taken_in_turn_mirrored_every_other_round(monkeypatch, rounds, expected):
    monkeypatch.setattr(harness, "ROUNDS", rounds)
    order = harness.interleaved(["scale", "small"])
    assert order == expected
    assert order.count("scale") == order.count("small") == rounds


def test_each_stack_has_its_own_port_and_redis_databases():
    big = harness.Stack("postgres://postgres@127.0.0.1:5432/isotp_load_1_0_run", 2)
    small = harness.Stack(
        "postgres://postgres@127.0.0.1:5432/isotp_load_0_01_run", 2, harness.PORT + 1, redis_db=2
    )
    assert (big.port, small.port) == (harness.PORT, harness.PORT + 1)
    assert big.env["REDIS_URL"].endswith("/0") and big.env["CELERY_BROKER_URL"].endswith("/1")
    assert small.env["REDIS_URL"].endswith("/2") and small.env["CELERY_BROKER_URL"].endswith("/3")
    assert big.env["DATABASE_URL"] != small.env["DATABASE_URL"]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("postgres://postgres@127.0.0.1:5432/isotp", True),
        ("postgres://postgres@localhost/isotp", True),
        ("postgres:///isotp", True),  # the socket
        ("postgres://postgres@[::1]:5432/isotp", True),
        ("postgres://postgres@db.probation.example:5432/isotp", False),
        ("postgres://postgres@10.0.0.5/isotp", False),
        ("postgres:///isotp?host=/var/run/postgresql", True),  # a socket directory
        # Review of issue 11: libpq takes the host from the query as well, and a host list, and a service file.
        ("postgres://postgres@/isotp?host=db.prod.example.org", False),
        ("postgres://postgres@127.0.0.1/isotp?hostaddr=198.51.100.7", False),
        ("postgres://postgres@127.0.0.1:5432,db.prod.example.org:5432/isotp", False),
        ("postgres://postgres@127.0.0.1/isotp?service=live", False),
    ],
)
def test_only_this_machines_postgresql_is_dropped_and_filled(url, allowed):
    if allowed:
        harness.refuse_remote(url)
    else:
        with pytest.raises(SystemExit, match="this machine's PostgreSQL only"):
            harness.refuse_remote(url)


def test_the_servers_inherit_nothing_but_the_basics_of_the_callers_environment(monkeypatch):
    """A caller's production settings (object storage keys, a mail server, a media root) never reach the stack."""
    monkeypatch.setenv("REPORTS_S3_BUCKET", "live-reports")
    monkeypatch.setenv("REPORTS_S3_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://user:pw@smtp.example.org:587")
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", "/srv/isotp/private")
    env = harness.env_for("postgres://postgres@127.0.0.1:5432/isotp_load_1_0_run")
    assert "REPORTS_S3_BUCKET" not in env and "REPORTS_S3_SECRET_ACCESS_KEY" not in env
    assert env["EMAIL_URL"].startswith("filemail://") and env["PRIVATE_MEDIA_ROOT"].startswith(
        str(harness.OUT)
    )
    assert env["PATH"] == harness.os.environ["PATH"]
    assert set(env) - set(harness.INHERITED) == {
        "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL",
        "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_URL", "PRIVATE_MEDIA_ROOT",
        "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_COOKIES", "DJANGO_HSTS_SECONDS", "LOG_LEVEL",
    }  # fmt: skip


def test_a_database_without_a_marker_is_not_reused():
    assert harness.read_marker("postgres://postgres@127.0.0.1:5432/isotp_no_such_load_database") is None


def test_the_reuse_key_follows_the_models_rules_and_the_demos_reference_data(tmp_path):
    (tmp_path / "isotp").mkdir()
    (tmp_path / "isotp" / "loadgen.py").write_text("a")
    before = harness.reuse_key(tmp_path)
    for name in ("sessions/rules/bank_holidays.py", "assessments/demo.py", "quality/demo_cohorts.py",
                 "referrals/models.py", "sessions/models/groups.py"):  # fmt: skip
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("edited")
        after = harness.reuse_key(tmp_path)
        assert after != before, name
        before = after


def test_psql_never_sees_the_callers_libpq_settings(monkeypatch):
    """A caller's PGHOST or PGSERVICE would send the harness's DROP DATABASE to another server than the URL's."""
    monkeypatch.setenv("PGHOST", "db.prod.example.org")
    monkeypatch.setenv("PGSERVICE", "live")
    env = harness.psql_env()
    assert "PGHOST" not in env and "PGSERVICE" not in env and env["PATH"] == os.environ["PATH"]


def test_each_run_works_on_a_copy_of_its_own_and_drops_it(monkeypatch):
    """Two runs on one machine never drop each other's copy (its name holds the process id), and the copy, which
    holds the fixture's sessions and tokens, is dropped when the run ends; the pristine data set never is."""
    statements: list[str] = []
    monkeypatch.setattr(harness, "psql", lambda url, sql: statements.append(sql))
    monkeypatch.setattr(harness, "build_once", lambda *args: None)
    monkeypatch.setattr(harness, "build_lock", lambda name: contextlib.nullcontext())
    url = harness.ensure_data(0.01)
    assert url.endswith(f"_load_0_01_run_{os.getpid()}")
    assert statements[-1].endswith(f'TEMPLATE "{url.rsplit("/", 1)[1].removesuffix(f"_run_{os.getpid()}")}"')
    statements.clear()
    harness.drop_run_copy(url)
    harness.drop_run_copy(harness.db_url(0.01))
    assert statements == [f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)']
