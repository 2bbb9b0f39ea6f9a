"""The load test harness's pure parts (issue 11): the table, its judgement, the saturation point, the reuse key
and the port check, without running locust or a server."""

from __future__ import annotations

import importlib.util
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


def _row(requests: int = 100, p95: float = 50.0, failures: int = 0) -> dict[str, float]:
    return {
        "requests": requests,
        "failures": failures,
        "p50": p95 / 2,
        "p95": p95,
        "p99": p95 * 1.2,
        "rps": 1.0,
    }


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
    table = harness.report(big, small, expected, 1.0, 0.01, min_requests=20)
    rows = _rows(table)
    assert set(rows) == set(expected)
    assert "ok" in rows["people"]  # 3× the floor, 1.2× growth
    for name in ("groups", "staff", "api register submitted"):  # missing small / 5 requests / never requested
        assert "not measured" in rows[name] and "ok" not in rows[name]
    assert "nan" not in table
    last = table.splitlines()[-1]
    assert last.startswith("loadtest: worst p95/floor 3.00 (people); worst growth with scale 1.20 (people);")
    assert last.endswith("failures 0; missed 3 of 5 endpoints (3 not measured)")


def test_goals_failures_and_growth_are_judged():
    big = {"ping": _row(p95=10), "home": _row(p95=60), "api staff": _row(p95=40), "people": _row(p95=40),
           "referrals": _row(p95=30, failures=1)}  # fmt: skip
    small = {"ping": _row(p95=10), "home": _row(p95=50), "api staff": _row(p95=40), "people": _row(p95=20),
             "referrals": _row(p95=30)}  # fmt: skip
    rows = _rows(harness.report(big, small, sorted(big), 1.0, 0.01))
    assert "MISSED" in rows["home"]  # 6× the floor, over a page's 5×
    assert "MISSED" in rows["api staff"]  # 4× the floor, over an API endpoint's 3×
    assert "MISSED" in rows["people"]  # 2× slower on the larger data set
    assert "MISSED" in rows["referrals"]  # a failure
    table = harness.report(big, small, sorted(big), 1.0, 0.01)
    assert table.splitlines()[-1].endswith("failures 1; missed 4 of 5 endpoints (0 not measured)")


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
    for name in ("isotp/management/commands/generate_load_data.py", "isotp/management/commands/loadtest_fixture.py",
                 "referrals/migrations/0001_x.py", "referrals/load_data.py"):  # fmt: skip
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
    rows = _rows(harness.report({name: _row()}, {name: _row()}, [name, "ping"], 1.0, 0.01))
    assert "ok" not in rows[name] and "not measured" in rows["ping"]
