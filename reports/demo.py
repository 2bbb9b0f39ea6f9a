"""Demo reports for each demo area, written through the services (so facts, history, audit and PDFs are real).

Per area: an i-SOTP group that ran 35 weekly sessions and finished in the autumn, with two members who completed it
with pre- and post-programme psychometrics; one member's Post-Programme Report awaits the TM's approval, the
other's has been approved and issued (a PDF the OM can download). Idempotent: the group is found by its name
first. Runs after the accounts, referrals, sessions and assessments demos; without them it does nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from accounts.models import ProbationArea, User, Venue
from isotp import clock
from isotp.demo_factory import (
    demo_areas,
    demo_staff,
    demo_user,
    monday_on_or_before,
    past_group,
    waiting_referrals,
)
from reports import services
from reports.models import PostProgrammeReport
from reports.tasks import render_report
from sessions import services as delivery
from sessions.models import AttendanceOutcome, Membership, ProgrammeGroup, ScheduledSession

COMPLETED = "Thursday evening group (completed)"
BATTERY = Path(__file__).resolve().parents[1] / "assessments" / "fixtures" / "demo_battery.json"

EVIDENCE = {
    "motivation": (
        "some",
        "Moved from 'it was only pictures' in module 1 to naming his offending and its harm in module 3.",
        "His offender manager reports he now raises the offending himself in supervision.",
    ),
    "attitudes": (
        "some",
        "Challenged another member's minimising talk in session 14; still slips into 'nobody was hurt' when tired.",
        "",
    ),
    "empathy": (
        "significant",
        "His victim letter (module 3) named the children as real victims and the lasting harm of the images.",
        "",
    ),
    "coping": (
        "some",
        "Mapped how he used pornography to escape loneliness and stress; practised two alternative routines.",
        "Has joined a walking group on weekday evenings (offender manager).",
    ),
    "relationships": (
        "limited",
        "Finds it hard to talk about intimacy; role plays on assertiveness went well.",
        "",
    ),
    "relapse_prevention": (
        "some",
        "Completed a New Life Plan with warning signs, high-risk situations and named supports.",
        "Shared the plan with his sister, who has agreed to be a named support.",
    ),
}


def _content(kind: str) -> dict[str, Any]:
    return {
        "targets": {
            code: {"rating": rating, "evidence": inside, "evidence_outside": outside}
            for code, (rating, inside, outside) in EVIDENCE.items()
        },
        "strengths": "Attended reliably, completed every piece of homework and supported other members.",
        "concerns": (
            "Late-night internet use when isolated remains his highest-risk situation; he still minimises under "
            "pressure."
        ),
        "relapse_prevention": (
            "Warning signs: staying up late alone online, skipping the walking group, withdrawing from family. "
            "Plan: device-free evenings after 10pm, weekly call with his sister, tell his offender manager early."
        ),
        "recommendations": (
            "Review the New Life Plan at each supervision; check monitoring software compliance; consider the "
            "Long Term Monitoring and Support Group."
        ),
    }


def seed(log: list[str]) -> None:
    """Create (or leave alone) each demo area's completed group and its two reports."""
    for area in demo_areas():
        staff = demo_staff(area, ("tm", "facilitator", "facilitator2", "admin"))
        venues = list(Venue.objects.filter(area=area).order_by("name"))
        if any(user is None for user in staff.values()) or not venues:
            continue
        if ProgrammeGroup.objects.filter(area=area, name=COMPLETED).exists():
            continue
        _completed_group(area, staff, venues[0], log)  # type: ignore[arg-type]


def _battery(area: ProbationArea, admin: User) -> None:
    from assessments.services.administrations import current_battery_version
    from assessments.services.batteries import save_battery_version

    if current_battery_version(area.pk) is None:
        save_battery_version(actor=admin, definition=json.loads(BATTERY.read_text()))


def _psychometrics(member: Membership, tm: User, first: dt.date, last: dt.date, improved: bool) -> None:
    from assessments.demo import referred_by
    from assessments.rules.battery import parse_battery
    from assessments.services.administrations import current_battery_version, record_administration

    referred_by(member.referral, first - dt.timedelta(days=7))  # the referral precedes the assessment
    version = current_battery_version(member.group.area_id)  # type: ignore[union-attr]
    assert version is not None
    battery = parse_battery(version.definition)

    def sheet(shift: float) -> dict[str, Any]:
        scores: dict[str, Any] = {}
        for scale in battery.scales:
            if scale.items is not None:  # item-keyed scales: the middle response to every item
                middle = (scale.items.item_min + scale.items.item_max) // 2
                scores[scale.code] = {"items": [middle] * scale.item_count}
                continue
            worse = 1 if scale.direction == "higher_is_worse" else -1
            value = scale.norm_mean + worse * shift * scale.norm_sd
            scores[scale.code] = {"score": round(min(max(value, scale.score_min), scale.score_max), 1)}
        return scores

    record_administration(
        actor=tm,
        membership=member,
        kind="pre",
        administered_on=first - dt.timedelta(days=7),
        scores=sheet(2.2),
    )
    record_administration(
        actor=tm,
        membership=member,
        kind="post",
        administered_on=last + dt.timedelta(days=7),
        scores=sheet(0.4 if improved else 1.6),
    )


def _completed_group(area: ProbationArea, staff: dict[str, User], venue: Venue, log: list[str]) -> None:
    tm, facilitators = staff["tm"], [staff["facilitator"], staff["facilitator2"]]
    today = clock.today()
    start = monday_on_or_before(today) - dt.timedelta(weeks=48) + dt.timedelta(days=3)  # a Thursday
    waiting = list(waiting_referrals(area, "isotp", "group"))
    if len(waiting) < 2:
        log.append(f"reports: not enough people waiting for i-SOTP in {area.code} for the completed group")
        return
    # The issued report goes to the second member: prefer the README's offender manager's people for him, so the
    # demo OM (om@<area>.example) has an issued report to download.
    readme_om = demo_user("om", area.code)
    waiting.sort(
        key=lambda referral: readme_om is not None and referral.person.offender_manager_id == readme_om.pk
    )
    group, members = past_group(  # the demo enters a group that ran last year
        tm=tm,
        programme_code="isotp_group",
        venue=venue,
        facilitators=facilitators,
        slots=[{"weekday": "thursday", "start_time": "10:00"}],
        start=start,
        capacity=8,
        name=COMPLETED,
        referrals=waiting[-2:],
    )
    sessions = list(ScheduledSession.objects.filter(group=group).order_by("number"))
    for session in sessions:
        for index, member in enumerate(members):
            outcome = {
                (9, 0): AttendanceOutcome.ACCEPTABLE_ABSENCE,
                (21, 1): AttendanceOutcome.LATE,
            }.get((session.number, index), AttendanceOutcome.ATTENDED)
            delivery.record_attendance(
                actor=facilitators[0], membership=member, session=session, outcome=outcome
            )
            if outcome == AttendanceOutcome.ACCEPTABLE_ABSENCE:  # 003: caught up before the next session
                delivery.book_catch_up(
                    actor=facilitators[0],
                    membership=member,
                    missed_session=session,
                    date=session.date + dt.timedelta(days=2),
                    facilitator=facilitators[0],
                    outcome="attended",
                )
    _battery(area, staff["admin"])
    for index, member in enumerate(members):
        _psychometrics(member, tm, sessions[0].date, sessions[-1].date, improved=index == 1)
    reports = []
    for member in members:
        report = services.open_report(actor=facilitators[0], membership=member)
        services.save_draft(actor=facilitators[0], report=report, content=_content(report.kind))
        reports.append(services.submit_for_approval(actor=facilitators[0], report=report))
    issued = services.approve(actor=tm, report=reports[1])
    if PostProgrammeReport.objects.get(pk=issued.pk).status == "queued":
        render_report.apply(args=[issued.pk])  # `make run` renders in-process already; elsewhere, now
    log.append(
        f"reports: completed group {group.reference}, one report awaiting approval, one issued ({area.code})"
    )
