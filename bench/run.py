"""Benchmarks of the pure rules: `python bench/run.py` (or `make bench`). Prints medians against targets."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from referrals.rules import eligibility, ogrs3, rm2000
from sessions.rules import catalogue, default_catalogue, pathways, schedule


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
        supervision_end=dt.date(2029, 3, 1),
        offence_date=dt.date(2025, 6, 1),
    )
    by_code = {entry["code"]: entry for entry in default_catalogue.DEFAULT_CATALOGUE}
    terms = pathways.eligibility_terms(
        by_code, start=candidate.planned_start, jurisdiction="england_and_wales"
    )
    ogrs3_input = ogrs3.OGRS3Input(
        sex="male",
        date_of_birth=dt.date(1980, 5, 1),
        conviction_date=dt.date(2026, 6, 1),
        assessment_date=dt.date(2026, 11, 1),
        age_at_first_sanction=19,
        previous_sanctions=4,
        offence_group="sexual_child",
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

    def terms_on_a_start() -> object:
        return pathways.eligibility_terms(
            by_code, start=dt.date(2027, 3, 1), jurisdiction="england_and_wales"
        )

    nsogp = [by_code[code] for code in pathways.REFERRAL_PATHWAYS[("nsogp", "group")]]

    def latest() -> object:
        return pathways.latest_start(
            nsogp, supervision_end=dt.date(2028, 12, 20), jurisdiction="england_and_wales"
        )

    results = [
        ("eligibility decision", median_ms(lambda: eligibility.check(candidate, terms=terms)), 1.0),
        ("RM2000 score", median_ms(lambda: rm2000.score(rm_input)), 0.5),
        ("OGRS3 score", median_ms(lambda: ogrs3.score(ogrs3_input)), 0.5),
        ("catalogue terms on a start date", median_ms(terms_on_a_start, repeat=50), 20.0),
        ("latest start (waiting list)", median_ms(latest, repeat=50), 20.0),
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
