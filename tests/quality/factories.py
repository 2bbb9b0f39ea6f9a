"""Statistics test data: one i-SOTP group run in 2025 (built through the services with "now" fixed before it),
then places, reports, psychometrics, OGRS3 scores and reoffences written straight to the tables, because a
statistic is about what the tables hold, and a data set of realistic size must be quick to build."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from accounts.models import ProbationArea, User
from assessments.models import Administration, ScaleScore
from quality.models import Reoffence
from referrals.models import Ogrs3Assessment, ReferralStatusChange, RiskMatrixAssessment
from reports.models import PostProgrammeReport, ReportVersion
from sessions.models import Attendance, Membership, ProgrammeGroup, ScheduledSession
from tests.referrals.factories import PersonFactory, ReferralFactory
from tests.sessions.factories import make_group, trained_facilitator

LONDON = ZoneInfo("Europe/London")
GROUP_START = dt.date(2025, 1, 6)  # a Monday: 35 weekly sessions to September 2025
BEFORE_GROUP = dt.datetime(2024, 12, 2, 10, tzinfo=LONDON)
TODAY = dt.datetime(2026, 6, 1, 10, tzinfo=LONDON)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


def group_2025(
    area: ProbationArea, *, tm: User, facilitator: User | None, time_machine: Any
) -> ProgrammeGroup:
    time_machine.move_to(BEFORE_GROUP, tick=False)
    group = make_group(
        area,
        actor=tm,
        facilitators=[facilitator or trained_facilitator(area), trained_facilitator(area)],
        start_date=GROUP_START,
        capacity=10,
    )
    time_machine.move_to(TODAY, tick=False)
    return group


def place(
    group: ProgrammeGroup,
    *,
    om: User,
    tm: User,
    submitted: dt.date,
    joined: dt.date,
    left: dt.date | None = None,
    status: str = "active",
    next_status: str = "",
    reason_code: str = "",
    programme: str = "isotp",
) -> Membership:
    person = PersonFactory(area=group.area, offender_manager=om)
    referral = ReferralFactory(
        person=person, status="on_programme", programme=programme, submitted_at=at(submitted), referred_by=om
    )
    ReferralStatusChange.objects.create(referral=referral, from_status="", to_status="draft", actor=om)
    return Membership.objects.create(
        group=group,
        referral=referral,
        joined_on=joined,
        left_on=left,
        status=status,
        next_status=next_status,
        removal_reason_code=reason_code,
        allocated_by=tm,
    )


def attend(membership: Membership, numbers: dict[int, str], *, tm: User) -> None:
    sessions = {s.number: s for s in ScheduledSession.objects.filter(group=membership.group)}
    Attendance.objects.bulk_create(
        Attendance(membership=membership, session=sessions[n], outcome=o, recorded_by=tm)
        for n, o in numbers.items()
    )


def issued_report(
    membership: Membership,
    *,
    tm: User,
    issued: dt.date,
    completion: dt.date | None,
    kind: str = "post_programme",
) -> PostProgrammeReport:
    report = PostProgrammeReport.objects.create(
        area=membership.referral.area,
        membership=membership,
        referral=membership.referral,
        kind=kind,
        status="issued",
        created_by=tm,
        approved_by=tm,
        completion_recorded_at=at(completion) if completion else None,
    )
    Membership.objects.filter(pk=membership.pk).update(reported=True)  # as reports.services.open_report
    body = b"%PDF-1.7\n% stand-in\n%%EOF\n"
    version = ReportVersion(
        report=report,
        number=1,
        sha256=hashlib.sha256(body).hexdigest(),
        size=len(body),
        pages=1,
        issued_at=at(issued),
        approved_by=tm,
        snapshot={},
    )
    version.file.save("v1.pdf", ContentFile(body), save=False)
    version.save()
    return report


def psychometrics(
    membership: Membership, version: Any, *, tm: User, kinds: tuple[str, ...], improve: bool
) -> None:
    """Pre and/or post scores on the demo battery: every scale at the offender mean before; after, at the
    non-offender mean (a reliable improvement) or unchanged."""
    from assessments.rules import parse_battery

    battery = parse_battery(version.definition)
    for kind in kinds:
        admin = Administration.objects.create(
            membership=membership,
            area=membership.referral.area,
            kind=kind,
            battery_version=version,
            administered_on=GROUP_START if kind == "pre" else dt.date(2025, 9, 20),
            administered_by=tm,
            recorded_by=tm,
        )
        scores = []
        for scale in battery.scales:
            before = scale.offender_mean if scale.offender_mean is not None else scale.norm_mean
            value = scale.norm_mean if (kind == "post" and improve) else before
            value = min(max(value, scale.score_min), scale.score_max)
            scores.append(ScaleScore(administration=admin, scale_code=scale.code, score=round(value, 2)))
        ScaleScore.objects.bulk_create(scores)


def ogrs3(person: Any, *, one: float, two: float, on: dt.date, tm: User) -> None:
    Ogrs3Assessment.objects.create(
        person=person, one_year=one, two_year=two, band="medium", assessed_on=on, recorded_by=tm
    )
    RiskMatrixAssessment.objects.create(
        person=person, s="medium", v="low", c="medium", assessed_on=on, assessor="Test", recorded_by=tm
    )


def reoffence(person: Any, *, on: dt.date, sexual: bool, om: User) -> None:
    Reoffence.objects.create(
        area=person.area,
        person=person,
        offence_on=on,
        proven_on=on + dt.timedelta(days=60),
        offence_type="sexual_non_contact" if sexual else "acquisitive",
        sexual=sexual,
        recorded_by=om,
    )
