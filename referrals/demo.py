"""Demo people and referrals for each demo area, written through the services so the history and audit are real.

Idempotent by CRN: a case whose CRN exists is left alone. Everyone here is fictional. Each area gets 26 cases on
its three demo OMs' caseloads: seventeen men on the i-SOTP group waiting list (ages 23 to 58; three near the end
of supervision, so "start soon" shows; the delivery demo then allocates the six longest-waiting to a running
group), two on the one-to-one list (19 and 20), a 17-year-old submitted for one-to-one, two N-SOGP referrals, a
provisional one (no RM2000 or deviance yet), a not-suitable one (a contact offence), one on hold and a draft.
Dates are relative to today so the lists always look current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from accounts.models import ProbationArea, User
from isotp import clock
from isotp.demo_factory import backdate_referral, demo_staff
from referrals.models import Person, Referral
from referrals.rules.ogrs3 import OGRS3Input, check_input
from referrals.rules.transitions import ReferralStatus
from referrals.services.assessment import record_assessment
from referrals.services.people import add_conviction, create_person, record_sentence
from referrals.services.referrals import create_referral
from referrals.services.risk import calculate_and_record_ogrs3, record_deviance, record_rm2000, record_rosh
from referrals.services.status import change_status, submit_referral


@dataclass(frozen=True)
class Case:
    number: int  # the CRN's digits after the area letter and "1"
    first: str
    last: str
    age: int  # on the planned start
    om: str  # "om", "om2" or "om3"
    offences: tuple[str, ...]
    status: str
    programme: str = "isotp"
    format: str = "group"
    rm2000: tuple[str, str, str] | None = ("medium", "low", "medium")
    rosh: str | None = "medium"
    deviance: str | None = "low"
    legal_basis: str = "community_order"
    supervision_months: int = 36
    weeks_left_after_programme: int | None = (
        None  # supervision ends this many weeks after a 35-week programme
    )
    waited_days: int = 30
    iq: int | None = 100
    extra: dict[str, Any] = field(default_factory=dict)


IMAGES = ("pca1978_s1_1a",)
POSSESS = ("cja1988_s160",)
CASES = [
    # The i-SOTP group waiting list: oldest first by days waited. The delivery demo allocates the six who have
    # waited longest (21-26) to its running group, which leaves eleven on the list.
    Case(21, "Robert", "Upton", 48, "om", IMAGES, ReferralStatus.AWAITING_ALLOCATION, waited_days=210),
    Case(
        22,
        "Thomas",
        "Varley",
        26,
        "om2",
        POSSESS,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=201,
        rosh="low",
    ),
    Case(
        23,
        "Mark",
        "Whitaker",
        55,
        "om3",
        IMAGES,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=192,
        rm2000=("low", "low", "low"),
    ),
    Case(
        24,
        "Christopher",
        "Yeadon",
        33,
        "om",
        ("pca1978_s1_1b",),
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=183,
    ),
    Case(
        25,
        "Anthony",
        "Ackroyd",
        40,
        "om2",
        IMAGES,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=174,
        legal_basis="licence",
    ),
    Case(
        26,
        "Peter",
        "Bramley",
        37,
        "om3",
        ("soa2003_s49",),
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=165,
    ),
    Case(1, "Daniel", "Ashworth", 34, "om", IMAGES, ReferralStatus.AWAITING_ALLOCATION, waited_days=140),
    Case(
        2,
        "Michael",
        "Brennan",
        47,
        "om",
        POSSESS,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=121,
        weeks_left_after_programme=4,
    ),
    Case(
        3,
        "Stephen",
        "Calder",
        52,
        "om2",
        ("pca1978_s1_1a", "pca1978_s1_1b"),
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=110,
        rm2000=("high", "low", "medium"),
        legal_basis="licence",
    ),
    Case(
        4,
        "Andrew",
        "Dunmore",
        29,
        "om2",
        IMAGES,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=96,
        rosh="low",
    ),
    Case(
        5,
        "Paul",
        "Eastwood",
        58,
        "om3",
        POSSESS,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=88,
        rm2000=("low", "low", "low"),
        weeks_left_after_programme=7,
    ),
    Case(
        6,
        "Gary",
        "Fairbrother",
        41,
        "om",
        ("soa2003_s48",),
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=75,
        legal_basis="suspended_sentence_order",
    ),
    Case(7, "Lee", "Garside", 23, "om3", IMAGES, ReferralStatus.AWAITING_ALLOCATION, waited_days=63, iq=None),
    Case(
        8,
        "Craig",
        "Holroyd",
        38,
        "om2",
        ("pca1978_s1_1c",),
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=50,
    ),
    Case(
        9,
        "Jason",
        "Ingleby",
        45,
        "om",
        IMAGES,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=38,
        weeks_left_after_programme=2,
        legal_basis="licence",
    ),
    Case(
        10, "Neil", "Jarrow", 31, "om3", ("soa2003_s50",), ReferralStatus.AWAITING_ALLOCATION, waited_days=21
    ),
    Case(
        11,
        "Kevin",
        "Kirkham",
        36,
        "om2",
        POSSESS,
        ReferralStatus.AWAITING_ALLOCATION,
        waited_days=9,
        rosh="low",
    ),
    # The one-to-one list: under 21 on the planned start (000: one-to-one from 17).
    Case(
        12,
        "Ryan",
        "Lowther",
        19,
        "om",
        IMAGES,
        ReferralStatus.AWAITING_ALLOCATION,
        format="one_to_one",
        waited_days=44,
        rm2000=("low", "low", "low"),
    ),
    Case(
        13,
        "Callum",
        "Metcalfe",
        20,
        "om3",
        POSSESS,
        ReferralStatus.AWAITING_ALLOCATION,
        format="one_to_one",
        waited_days=12,
        weeks_left_after_programme=6,
    ),
    Case(
        14, "Jordan", "Nixon", 17, "om2", IMAGES, ReferralStatus.SUBMITTED, format="one_to_one", rm2000=None
    ),
    # N-SOGP: Very High RM2000/S goes to the Core Group; a meeting after grooming is being assessed.
    Case(
        15,
        "Wayne",
        "Oakley",
        44,
        "om",
        ("cja1988_s160", "soa2003_s3"),
        ReferralStatus.AWAITING_ALLOCATION,
        programme="nsogp",
        rm2000=("very_high", "medium", "high"),
        rosh="high",
        deviance="high",
        waited_days=57,
    ),
    Case(
        16,
        "Darren",
        "Pickering",
        39,
        "om3",
        ("soa2003_s15",),
        ReferralStatus.ASSESSMENT,
        programme="nsogp",
        rm2000=("low", "low", "low"),
        deviance=None,
    ),
    # Provisional: no RM2000 or deviance yet.
    Case(17, "Martin", "Quayle", 33, "om2", IMAGES, ReferralStatus.SUBMITTED, rm2000=None, deviance=None),
    # Not suitable for i-SOTP: a contact offence (001).
    Case(18, "Simon", "Rowntree", 50, "om", ("soa2003_s9",), ReferralStatus.NOT_SUITABLE, deviance="high"),
    # On hold while in hospital, returns to the waiting list.
    Case(19, "Carl", "Stainton", 42, "om3", IMAGES, ReferralStatus.ON_HOLD, waited_days=30),
    # A draft the OM has not finished (no sentence yet).
    Case(20, "Ian", "Thwaite", 27, "om2", POSSESS, ReferralStatus.DRAFT, extra={"no_sentence": True}),
]
LETTERS = {"cheshire": "C", "northumbria": "N"}
ISOTP_GROUP_WEEKS = 35


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def _born(age: int, on: dt.date, number: int) -> dt.date:
    """Born so that he is `age` on `on`, a few weeks past a birthday (never exactly on it)."""
    return on.replace(year=on.year - age, day=min(on.day, 28)) - dt.timedelta(days=20 + 7 * (number % 9))


def seed(log: list[str]) -> None:
    """Create (or leave alone) each demo area's people and referrals."""
    for area in ProbationArea.objects.filter(code__in=LETTERS):
        staff = demo_staff(area, ("om", "om2", "om3", "tm"))
        if any(user is None for user in staff.values()):
            continue  # the accounts demo has not run for this area
        created = sum(_case(area, case, staff) for case in CASES)  # type: ignore[arg-type]
        if created:
            log.append(f"referrals: {created} demo cases in {area.code}")
        scored = _ogrs3_for_everyone(area)
        if scored:
            log.append(f"referrals: OGRS3 calculated for {scored} demo people in {area.code}")


def _ogrs3_for_everyone(area: ProbationArea) -> int:
    """OGRS3 calculated (with its working) for each demo person who has none yet: idempotent, and fills a demo
    database made before OGRS3 existed. A man whose RM2000/S is Low has no previous sanction, so some show 004's
    low-likelihood warning."""
    scored = 0
    people = Person.objects.filter(
        area=area, crn__startswith=LETTERS[area.code] + "1", ogrs3_assessments=None
    )
    related = people.select_related("offender_manager").prefetch_related("convictions", "rm2000_assessments")
    for person in related:
        first = min(person.convictions.all(), key=lambda c: c.conviction_date, default=None)
        if first is None:
            continue
        number = int(person.crn[2:])
        rm2000 = max(person.rm2000_assessments.all(), key=lambda a: a.pk, default=None)
        previous = 0 if rm2000 is not None and rm2000.s == "low" else number % 5
        age = person.date_of_birth
        convicted_at = (
            first.conviction_date.year
            - age.year
            - ((first.conviction_date.month, first.conviction_date.day) < (age.month, age.day))
        )
        inputs = OGRS3Input(
            sex=person.sex,
            date_of_birth=person.date_of_birth,
            conviction_date=first.conviction_date,
            assessment_date=first.conviction_date + dt.timedelta(days=24),
            age_at_first_sanction=max(10, convicted_at - 3 * previous),
            previous_sanctions=previous,
            offence_group="sexual_child",
        )
        if check_input(inputs):  # e.g. under 18: the adult table does not apply
            continue
        calculate_and_record_ogrs3(actor=person.offender_manager, person=person, inputs=inputs)
        scored += 1
    return scored


def _case(area: ProbationArea, case: Case, staff: dict[str, User]) -> bool:
    crn = f"{LETTERS[area.code]}1{case.number:05d}"
    if Person.objects.filter(crn=crn).exists():
        return False
    today = clock.today()
    om, tm = staff[case.om], staff["tm"]
    start = today + dt.timedelta(weeks=6)
    person = create_person(
        actor=om,
        crn=crn,
        first_name=case.first,
        last_name=case.last,
        date_of_birth=_born(case.age, start, case.number),
        sex="male",
        iq=case.iq,
    )
    sentence_start = _months_before(today, 4 + case.number % 6)
    if case.weeks_left_after_programme is not None:  # near the end of supervision: "start soon"
        end = today + dt.timedelta(weeks=ISOTP_GROUP_WEEKS + case.weeks_left_after_programme)
        sentence_start = _months_before(end, case.supervision_months)
    else:
        end = _months_before(sentence_start, -case.supervision_months) - dt.timedelta(days=1)
    for index, code in enumerate(case.offences):
        add_conviction(
            actor=om,
            person=person,
            offence_code=code,
            conviction_date=sentence_start - dt.timedelta(days=14 + index),
            offence_date=sentence_start - dt.timedelta(days=200 + 30 * index),
        )
    if not case.extra.get("no_sentence"):
        record_sentence(
            actor=om,
            person=person,
            legal_basis=case.legal_basis,
            programme_requirement=True,
            start_date=sentence_start,
            supervision_end_date=end,
        )
    assessed = sentence_start + dt.timedelta(days=10)
    if case.rm2000:
        s, v, c = case.rm2000
        record_rm2000(actor=om, person=person, s=s, v=v, c=c, assessed_on=assessed, assessor=om.full_name)
    if case.rosh:
        record_rosh(actor=om, person=person, level=case.rosh, assessed_on=assessed)
    if case.deviance:
        record_deviance(
            actor=tm,
            person=person,
            level=case.deviance,
            rationale="Pre-programme psychometrics reviewed at the case conference",
        )
    referral = create_referral(
        actor=om,
        person=person,
        programme=case.programme,
        format=case.format,
        planned_start=start,
        notes="Demo referral",
    )
    _advance(referral, case, om, tm)
    if case.status in (ReferralStatus.AWAITING_ALLOCATION, ReferralStatus.ON_HOLD):
        _backdate(referral, case.waited_days)
    return True


def _advance(referral: Referral, case: Case, om: User, tm: User) -> None:
    if case.status == ReferralStatus.DRAFT:
        return
    submit_referral(actor=om, referral=referral)
    if case.status == ReferralStatus.SUBMITTED:
        return
    if case.status == ReferralStatus.ASSESSMENT:
        change_status(actor=tm, referral=referral, to_status=ReferralStatus.ASSESSMENT)
        return
    if case.status == ReferralStatus.NOT_SUITABLE:
        record_assessment(
            actor=tm,
            referral=referral,
            outcome=ReferralStatus.NOT_SUITABLE,
            rationale="Contact offending: refer to N-SOGP",
        )
        return
    record_assessment(
        actor=tm,
        referral=referral,
        outcome=ReferralStatus.SUITABLE,
        rationale="Suitable at the case conference",
    )
    if case.status == ReferralStatus.ON_HOLD:
        change_status(
            actor=tm,
            referral=referral,
            to_status=ReferralStatus.ON_HOLD,
            reason_code="in_hospital",
            reason="Planned operation; expected back within a month",
        )


def _backdate(referral: Referral, days: int) -> None:
    """Demo only: spread the waiting list over past weeks so "oldest first" shows (the services stamp now)."""
    joined = timezone.now() - dt.timedelta(days=days)
    backdate_referral(
        referral,
        created=joined - dt.timedelta(days=21),
        submitted=joined - dt.timedelta(days=14),
        awaiting=joined,
    )
