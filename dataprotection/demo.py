"""Demo data: a person whose supervision ended in 2016 with no open referral, listed for retention review."""

from __future__ import annotations

import datetime as dt

from dataprotection.services.retention import refresh_candidates
from isotp.demo_factory import archived_person, demo_user

CRN = "D900001"


def seed(log: list[str]) -> None:
    from referrals.models import Person

    om = demo_user("om", "cheshire")
    if om is not None and not Person.objects.filter(crn=CRN).exists():
        archived_person(
            crn=CRN,
            first_name="Dennis",
            last_name="Walker",
            date_of_birth=dt.date(1961, 5, 14),
            area_id=om.area_id,  # type: ignore[arg-type]  # demo staff always have an area
            om=om,
            sentence_start=dt.date(2013, 6, 3),
            supervision_end=dt.date(2016, 6, 2),
        )
        log.append(f"created {CRN} (supervision ended 2016)")
    refresh_candidates()
