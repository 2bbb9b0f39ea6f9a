"""Demo data: a person whose supervision ended in 2016 with no open referral, listed for retention review."""

from __future__ import annotations

import datetime as dt

from accounts.demo import demo_email
from accounts.models import User
from dataprotection.services.retention import refresh_candidates

CRN = "D900001"


def seed(log: list[str]) -> None:
    from referrals.models import Person, Sentence

    om = User.objects.filter(email=demo_email("om", "cheshire")).first()
    if om is not None and not Person.objects.filter(crn=CRN).exists():
        person = Person.objects.create(
            crn=CRN,
            first_name="Dennis",
            last_name="Walker",
            date_of_birth=dt.date(1961, 5, 14),
            sex="male",
            area_id=om.area_id,  # type: ignore[misc]  # demo staff always have an area
            offender_manager=om,
            created_by=om,
        )
        Sentence.objects.create(
            person=person,
            legal_basis="community_order",
            programme_requirement=True,
            start_date=dt.date(2013, 6, 3),
            supervision_end_date=dt.date(2016, 6, 2),
            recorded_by=om,
        )
        log.append(f"created {CRN} (supervision ended 2016)")
    refresh_candidates()
