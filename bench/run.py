"""Benchmarks of the pure rules: `python bench/run.py` (or `make bench`). Prints medians against targets."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from referrals.rules import eligibility, rm2000
from sessions.rules import catalogue, schedule


def median_ms(fn: Callable[[], object], repeat: int = 200) -> float:
    fn()  # warm caches (the holidays package builds its tables once)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    candidate = eligibility.Candidate(
        sex="male",
        date_of_birth=dt.date(1980, 5, 1),
        planned_start=dt.date(2027, 3, 1),
        iq=100,
        offences=("iioc_possess",),
        rm2000_s="medium",
        deviance="low",
        rosh="medium",
        supervision_months=36,
        legal_basis="community_order",
    )
    rm_input = rm2000.RM2000Input(
        sex="male",
        date_of_birth=dt.date(1980, 5, 1),
        assessment_date=dt.date(2026, 11, 1),
        commencement_of_risk_date=dt.date(2004, 1, 1),
        sexual_appearances=2,
        criminal_appearances=5,
        violent_appearances=1,
        burglary=False,
        male_victim=False,
        stranger_victim=True,
        non_contact_offence=True,
        single=True,
    )
    templates = catalogue.session_templates(catalogue.entry_by_code("isotp_group"))
    slots = [schedule.Slot(weekday=0, start_time=dt.time(18, 0))]

    def build() -> object:
        return schedule.generate_schedule(
            templates, start_date=dt.date(2026, 12, 7), slots=slots, jurisdiction="england_and_wales"
        )

    results = [
        ("eligibility decision", median_ms(lambda: eligibility.check(candidate)), 1.0),
        ("RM2000 score", median_ms(lambda: rm2000.score(rm_input)), 0.5),
        ("35-session schedule", median_ms(build, repeat=50), 20.0),
    ]
    failed = False
    for name, value, target in results:
        ok = value <= target
        failed |= not ok
        print(f"{name:28} median {value:8.3f} ms   target {target:6.1f} ms   {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
