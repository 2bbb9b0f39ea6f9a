"""Report test data built through the services: a group whose 35 sessions are over, a member with a full record
(two absences), and reports at each stage. "Today" is fixed with time-machine by the callers' fixture."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import ProbationArea, User
from isotp import clock
from reports import services
from reports.models import PostProgrammeReport
from sessions import services as delivery
from sessions.models import AttendanceOutcome, Membership
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

LONDON = ZoneInfo("Europe/London")
GROUP_START = dt.date(2026, 1, 5)  # a Monday; 35 weekly sessions end in September 2026
AFTER_THE_PROGRAMME = dt.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)
MISSED = {7: AttendanceOutcome.ACCEPTABLE_ABSENCE, 19: AttendanceOutcome.UNACCEPTABLE_ABSENCE}


def finished_member(
    area: ProbationArea,
    *,
    tm: User,
    facilitator: User | None = None,
    om: User | None = None,
    record_all: bool = True,
) -> Membership:
    """A member of an i-SOTP group delivered by `facilitator` whose sessions are all in the past (call with "now"
    after September 2026). Allocated on the group's start date; attendance recorded for every session."""
    with clock.as_of(GROUP_START - dt.timedelta(days=14)):
        group = make_group(
            area,
            actor=tm,
            facilitators=[facilitator or trained_facilitator(area), trained_facilitator(area)],
            start_date=GROUP_START,
        )
    referral = waiting_referral(area, om)
    with clock.as_of(GROUP_START - dt.timedelta(days=7)):
        membership = delivery.allocate(actor=tm, group=group, referral=referral)
    if record_all:
        for session in group.sessions.order_by("number"):
            outcome = MISSED.get(session.number, AttendanceOutcome.ATTENDED)
            delivery.record_attendance(actor=tm, membership=membership, session=session, outcome=outcome)
            if session.number in MISSED:  # 003: a missed session is caught up before the next one
                delivery.book_catch_up(
                    actor=tm,
                    membership=membership,
                    missed_session=session,
                    date=session.date,
                    facilitator=group.facilitators.order_by("pk").first(),
                    outcome=AttendanceOutcome.ATTENDED,
                )
    return membership


def full_content(report: PostProgrammeReport) -> dict[str, Any]:
    """Writing for every target and section of `report`."""
    from reports.facts import report_facts

    facts = report_facts(report.membership, report.kind)
    return {
        "targets": {
            t["code"]: {
                "rating": "some",
                "evidence": f"In sessions he worked on {t['title'].lower()}.",
                "evidence_outside": "His offender manager reports the same.",
            }
            for t in facts["targets"]
        },
        "strengths": "Engaged well; completed all homework.",
        "concerns": "Still minimises the harm at times.",
        "relapse_prevention": "A New Life Plan with three warning signs and named supports.",
        "recommendations": "Review the New Life Plan at each supervision.",
        "exit_reasons": "He moved out of the area.",
    }


def report_awaiting_approval(membership: Membership, *, drafter: User) -> PostProgrammeReport:
    report = services.open_report(actor=drafter, membership=membership)
    services.save_draft(actor=drafter, report=report, content=full_content(report))
    return services.submit_for_approval(actor=drafter, report=report)


_SLOTS = itertools.count()
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
_TIMES = ("09:00", "11:30", "14:00", "16:30", "19:00", "21:30")


def quick_membership(area: ProbationArea, personas: dict[str, User], *, finished: bool = False) -> Membership:
    """A member of a group delivered by the personas' facilitator, on their OM's caseload (no time travel).
    `finished`: a group that started in the past whose sessions are all over, with one attended session."""
    from sessions.models import Attendance, ScheduledSession

    n = next(_SLOTS)  # a fresh weekly slot each time, so the personas' facilitator never clashes with itself
    group = make_group(
        area,
        actor=personas["treatment_manager"],
        facilitators=[personas["facilitator"], trained_facilitator(area)],
        slots=[{"weekday": _WEEKDAYS[n % 5], "start_time": _TIMES[(n // 5) % len(_TIMES)]}],
    )
    referral = waiting_referral(area, personas["offender_manager"])
    membership = delivery.allocate(actor=personas["treatment_manager"], group=group, referral=referral)
    if finished:
        # Moved into the past directly: the services refuse back-dated schedules, and this is only scenery.
        for session in ScheduledSession.objects.filter(group=group):
            ScheduledSession.objects.filter(pk=session.pk).update(date=session.date.replace(year=2024))
        Membership.objects.filter(pk=membership.pk).update(joined_on=dt.date(2024, 1, 1))
        Attendance.objects.bulk_create(
            Attendance(
                membership=membership,
                session=session,
                outcome=MISSED.get(session.number, AttendanceOutcome.ATTENDED),
                recorded_by=personas["facilitator"],
            )
            for session in ScheduledSession.objects.filter(group=group)
        )
        ScheduledSession.objects.filter(group=group).update(status="delivered")
        type(referral).objects.filter(pk=referral.pk).update(status="on_programme")
        # Every session attended: the status the attendance services would have set (issue 8), which the
        # post-programme psychometrics require (issue 9).
        type(membership).objects.filter(pk=membership.pk).update(status="sessions_complete")
        membership.refresh_from_db()
    return membership


def quick_report(
    area: ProbationArea, personas: dict[str, User], *, status: str = "draft", issued: bool = False
) -> PostProgrammeReport:
    """A report at `status` written straight to the database (the matrix needs many, fast); with `issued`, a
    stored version 1 holding a tiny PDF."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.models import ReportVersion

    membership = quick_membership(area, personas)
    report = PostProgrammeReport.objects.create(
        area=area,
        membership=membership,
        referral=membership.referral,
        kind="post_programme",
        status=status,
        created_by=personas["facilitator"],
        approved_by=personas["treatment_manager"] if status not in ("draft", "awaiting_approval") else None,
    )
    Membership.objects.filter(pk=membership.pk).update(reported=True)  # as reports.services.open_report
    if issued:
        body = b"%PDF-1.7\n% a tiny stand-in\n%%EOF\n"
        version = ReportVersion(
            report=report,
            number=1,
            sha256=hashlib.sha256(body).hexdigest(),
            size=len(body),
            pages=1,
            issued_at=timezone.now(),
            approved_by=personas["treatment_manager"],
            snapshot={},
        )
        version.file.save("v1.pdf", ContentFile(body), save=False)
        version.save()
    return report


def record_psychometrics(
    membership: Membership, *, actor: User, post: bool = True, flagged: bool = False
) -> None:
    """The demo battery before the programme and (with `post`) after it, through issue 9's service; `flagged`: the
    pre-programme social-desirability score is above its threshold (interpret with caution)."""
    from assessments.services import record_administration
    from tests.assessments.factories import battery_of, demo_battery, problem_score, referred_before, sheet

    area = (membership.group or membership.plan).area  # type: ignore[union-attr]
    version = demo_battery(area)
    battery = battery_of(version)
    first = battery.scales[0].code
    caution = {
        s.code: {"score": s.caution_above + 1}
        for s in battery.scales
        if flagged and s.caution_above is not None
    }
    from sessions.models import ScheduledSession

    dates = (
        ScheduledSession.objects.filter(group=membership.group)
        .order_by("date")
        .values_list("date", flat=True)
    )
    referred_before(membership.referral, dates.first())  # the assessment may not precede the referral
    record_administration(
        actor=actor,
        membership=membership,
        kind="pre",
        administered_on=dates.first() - dt.timedelta(days=7),
        scores=sheet(battery, **{first: problem_score(battery, first)}, **caution),
    )
    if post:
        record_administration(
            actor=actor,
            membership=membership,
            kind="post",
            administered_on=dates.last() + dt.timedelta(days=7),
            scores=sheet(battery),
        )
