"""Demo cohorts for the statistics and outcomes pages (issue 14): without them every figure is a small cell.

Per demo area, five past i-SOTP groups of ten men (weekday mornings): three that finished
long enough ago for the one- and two-year reoffending follow-up, two that finished within the last year (the page's
default period). Most
members complete (all 35 sessions, a catch-up for any session missed, pre- and post-programme psychometrics, the
Post-Programme Report issued and the completion recorded: PC 09/2007); the others restart, are deselected, are
breached or withdraw. Each man has a sentence, a conviction, RM2000 and OGRS3 scores taken before the group, and
some have proven reoffences recorded later.

Each group's schedule comes from the scheduling service (bank holidays and closures skipped, back-dated as the
demo may); the rest is written straight to the tables in bulk, as the history would have left it, so a fresh
SQLite seeds in seconds (the services would render fifty PDFs and audit thousands of register entries). Every
issued version holds one small PDF stating it is an archived demo report. Idempotent: a group is looked for by
its name first. The facilitators get the earlier supervision those dates need (000: supervised at all times).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import ProbationArea, Supervision, User, Venue
from assessments.models import Administration, ScaleScore
from isotp import clock
from isotp.demo_factory import archived_person
from quality.models import Reoffence
from referrals.models import (
    Conviction,
    Offence,
    Ogrs3Assessment,
    Referral,
    ReferralStatusChange,
    RiskMatrixAssessment,
)
from reports.models import PostProgrammeReport, ReportVersion
from sessions import services as delivery
from sessions.models import (
    Attendance,
    CatchUp,
    Membership,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.services import completion as delivery_completion

LONDON = ZoneInfo("Europe/London")
LETTERS = {"cheshire": "C", "northumbria": "N"}
MEMBERS = 10
# Each cohort's group: how many weeks before this week it started (None: see below), and its weekday (09:30). Three finished long
# enough ago for the two-year follow-up, two within the last year; weekdays chosen so that no group overlaps another
# or the other demo groups of the same facilitators and venue (bank holidays stretch 35 weekly sessions to ~40 weeks).
# Outcomes are published per whole calendar-year cohort (quality.rules.outcomes.cohort_year), so the first two groups
# (weeks None) start in the second week of January three years ago and both finish that year: one annual cohort of
# 14 completers, old enough for the two-year follow-up, shows unsuppressed outcomes on the page.
COHORTS = ((None, "tuesday"), (None, "thursday"), (170, "monday"), (66, "tuesday"), (52, "monday"))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
# Per member index: what happened (the same mix in every group, shifted by the group number).
FATES = ("completed",) * 7 + ("restart", "deselected", "breach", "withdrawn")
REASONS = {
    "deselected": "not_engaging",
    "breach": "order_revoked",
    "withdrawn": "moved_out_of_area",
    "restart": "order_ended",
}
FIRST_NAMES = (
    "Adam", "Barry", "Callum", "Dean", "Ellis", "Frank", "Gareth", "Harvey", "Ian", "Jason",
    "Keith", "Liam", "Martin", "Neil", "Owen", "Paul", "Quentin", "Ryan", "Simon", "Tom",
)  # fmt: skip
LAST_NAMES = (
    "Ashworth", "Brennan", "Carver", "Dalton", "Eccles", "Fenwick", "Garside", "Holden", "Irwin", "Jowett",
    "Kershaw", "Lister", "Marsden", "Nuttall", "Oldroyd", "Pickles", "Quayle", "Riley", "Sutcliffe", "Tattersall",
)  # fmt: skip


def _name(area_code: str, group_index: int) -> str:
    return f"Archive cohort {group_index + 1} ({COHORTS[group_index][1].capitalize()} mornings)"


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def _pdf() -> bytes:
    """A one-page PDF saying what the archived demo report is (written by hand: no renderer needed)."""
    text = b"Archived Post-Programme Report (demo data): the full report is held in the case record."
    stream = b"BT /F1 11 Tf 50 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _earlier_supervision(facilitators: list[User], tm: User, since: dt.date) -> None:
    """The supervision the facilitators had before their current one, so the back-dated groups were supervised."""
    for f in facilitators:
        current = Supervision.objects.filter(facilitator=f, ended_on__isnull=True).first()
        if current is None or current.started_on <= since:
            continue
        if not Supervision.objects.filter(
            facilitator=f, ended_on__isnull=False, started_on__lte=since
        ).exists():
            Supervision.objects.create(
                treatment_manager=tm,
                facilitator=f,
                started_on=since,
                ended_on=current.started_on - dt.timedelta(days=1),
            )


def seed_cohorts(area: ProbationArea, staff: dict[str, User], log: list[str]) -> None:
    """Create the area's archive cohorts that do not exist yet."""
    venue = Venue.objects.filter(area=area).order_by("name").first()
    oms = [staff[k] for k in ("om", "om2", "om3") if staff.get(k) is not None]
    if venue is None or not oms:
        return
    from assessments.services.administrations import current_battery_version

    battery = current_battery_version(area.pk)
    if battery is None:
        return  # the assessments demo makes the battery; without it there are no psychometrics to show
    from assessments.rules.battery import parse_battery

    scales = parse_battery(battery.definition).scales
    offence = Offence.objects.filter(code="pca1978_s1_1a").first() or Offence.objects.order_by("code").first()
    today = clock.today()
    monday = today - dt.timedelta(days=today.weekday())
    tm = staff["tm"]
    facilitators = [staff["facilitator"], staff["facilitator2"]]
    january = dt.date(today.year - 3, 1, 8)
    starts = [
        january + dt.timedelta(days=(WEEKDAYS.index(day) - january.weekday()) % 7)
        if weeks is None
        else monday - dt.timedelta(weeks=weeks) + dt.timedelta(days=WEEKDAYS.index(day))
        for weeks, day in COHORTS
    ]
    _earlier_supervision(facilitators, tm, min(starts) - dt.timedelta(days=60))
    pdf = _pdf()
    made = 0
    for index, start in enumerate(starts):
        name = _name(area.code, index)
        if ProgrammeGroup.objects.filter(area=area, name=name).exists():
            continue
        with transaction.atomic():  # a cohort is made whole or not at all, so a re-run finds it complete
            _cohort(
                area,
                name,
                start,
                index,
                venue=venue,
                staff=staff,
                oms=oms,
                scales=scales,
                battery=battery,
                offence=offence,
                pdf=pdf,
            )
        made += 1
    if made:
        log.append(f"quality: {made} archive cohorts of {MEMBERS} for the statistics in {area.code}")


def _cohort(area: ProbationArea, name: str, start: dt.date, index: int, *, venue: Venue, **kw: Any) -> None:
    """One archive group: its schedule through the scheduling service, then its history (`_fill`)."""
    tm = kw["staff"]["tm"]
    with clock.as_of(start):  # an archive group: entered as on its start date
        group = delivery.create_group(
            actor=tm,
            programme_code="isotp_group",
            venue=venue,
            treatment_manager=tm,
            facilitators=[kw["staff"]["facilitator"], kw["staff"]["facilitator2"]],
            slots=[{"weekday": COHORTS[index][1], "start_time": "09:30"}],
            start_date=start,
            capacity=MEMBERS,
            name=name,
        )
    _fill(area, group, index, **kw)
    # Every session delivered and its register taken: the group completes through the service, as a last
    # register would complete it (dated its last session, audited).
    delivery_completion.complete_if_over(actor=None, owner=group, today=clock.today())


def _fill(
    area: ProbationArea,
    group: ProgrammeGroup,
    index: int,
    *,
    staff: dict[str, User],
    oms: list[User],
    scales: Any,
    battery: Any,
    offence: Offence | None,
    pdf: bytes,
) -> None:
    rng = random.Random(f"{area.code}-{index}")  # noqa: S311 - demo data, reproducible
    tm, facilitator = staff["tm"], staff["facilitator"]
    today = clock.today()
    sessions = list(ScheduledSession.objects.filter(group=group).order_by("number"))
    start, last = sessions[0].date, sessions[-1].date
    ScheduledSession.objects.filter(group=group).update(
        status=SessionStatus.DELIVERED, register_taken_at=_at(last, 20), register_taken_by=facilitator
    )
    attendances: list[Attendance] = []
    catch_ups: list[CatchUp] = []
    administrations: list[tuple[Administration, bool]] = []
    for member in range(MEMBERS):
        number = index * MEMBERS + member
        fate = FATES[(member + index) % len(FATES)] if member < len(FATES) else "completed"
        om = oms[number % len(oms)]
        referred = start - dt.timedelta(days=rng.randint(60, 200))
        age = rng.randint(24, 61)
        person = archived_person(
            crn=f"{LETTERS[area.code]}8{number:05d}",
            first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(number * 7 + index) % len(LAST_NAMES)],
            date_of_birth=dt.date(start.year - age, rng.randint(1, 12), rng.randint(1, 28)),
            area_id=area.pk,
            om=om,
            sentence_start=referred - dt.timedelta(days=14),
            supervision_end=referred + dt.timedelta(days=3 * 365),
        )
        if offence is not None:
            Conviction.objects.create(
                person=person,
                offence=offence,
                conviction_date=referred - dt.timedelta(days=30),
                offence_date=referred - dt.timedelta(days=200),
                recorded_by=om,
            )
        band = rng.choice(("low", "medium", "medium", "high"))
        RiskMatrixAssessment.objects.create(
            person=person,
            s=band,
            v="low",
            c=band,
            assessed_on=referred,
            assessor=om.full_name,
            recorded_by=om,
        )
        two_year = Decimal(str(round(rng.uniform(0.08, 0.45), 6)))
        Ogrs3Assessment.objects.create(
            person=person,
            one_year=(two_year * Decimal("0.62")).quantize(Decimal("0.000001")),
            two_year=two_year,
            band="low",
            assessed_on=referred,
            recorded_by=om,
        )
        ended = fate != "completed"
        left = sessions[rng.randint(8, 25)].date if ended else None
        final = {
            "completed": "completed",
            "restart": "withdrawn",  # back to the waiting list, then the order ended before a second start
            "deselected": "deselected",
            "breach": "withdrawn",
            "withdrawn": "withdrawn",
        }[fate]
        referral = Referral.objects.create(
            person=person,
            area=area,
            programme="isotp",
            format="group",
            status=final,
            referred_by=om,
            submitted_at=_at(referred),
            awaiting_since=_at(referred + dt.timedelta(days=28)),
        )
        history = [
            "draft",
            "submitted",
            "assessment",
            "suitable",
            "awaiting_allocation",
            "allocated",
            "on_programme",
        ]
        history.append({"restart": "restart_required", "breach": "withdrawn"}.get(fate, final))
        if fate == "restart":
            history += ["awaiting_allocation", "withdrawn"]
        ReferralStatusChange.objects.bulk_create(
            ReferralStatusChange(
                referral=referral,
                from_status=history[i - 1] if i else "",
                to_status=status,
                actor=tm if status not in ("draft", "submitted") else om,
                reason_code=REASONS.get(fate, "") if status in ("deselected", "withdrawn") else "",
            )
            for i, status in enumerate(history)
        )
        membership = Membership.objects.create(
            group=group,
            referral=referral,
            joined_on=start,
            left_on=left or last,
            status="completed" if not ended else ("restart_required" if fate == "restart" else "removed"),
            next_status="" if not ended else {"restart": "awaiting_allocation"}.get(fate, final),
            removal_reason_code="" if fate == "restart" else REASONS.get(fate, ""),
            allocated_by=tm,
            reported=True,  # every member's report is issued below (as reports.services.open_report marks it)
        )
        missed = {rng.randint(2, 34)} if rng.random() < 0.6 else set()
        for s in sessions:
            if left is not None and s.date > left:
                break
            outcome = (
                "acceptable_absence"
                if s.number in missed
                else ("late" if rng.random() < 0.05 else "attended")
            )
            if fate == "restart" and left is not None and s.date >= left:
                outcome = "unacceptable_absence"
            attendances.append(
                Attendance(membership=membership, session=s, outcome=outcome, recorded_by=facilitator)
            )
            if outcome == "acceptable_absence":  # 003: caught up before the next session
                catch_ups.append(
                    CatchUp(
                        membership=membership,
                        missed_session=s,
                        date=s.date + dt.timedelta(days=2),
                        facilitator=facilitator,
                        outcome="attended",
                        booked_by=facilitator,
                        recorded_by=facilitator,
                    )
                )
        pre = Administration(
            membership=membership,
            area=area,
            kind="pre",
            battery_version=battery,
            administered_on=start - dt.timedelta(days=7),
            administered_by=facilitator,
            recorded_by=facilitator,
        )
        administrations.append((pre, False))
        if not ended:
            improved = rng.random() < 0.7
            post = Administration(
                membership=membership,
                area=area,
                kind="post",
                battery_version=battery,
                administered_on=last + dt.timedelta(days=7),
                administered_by=facilitator,
                recorded_by=facilitator,
            )
            administrations.append((post, improved))
        # Every member's report was issued: the Post-Programme Report (the completion recorded once issued and the
        # post psychometrics done, PC 09/2007) or, for a member who left early, the exit report (no completion).
        issued = (left or last) + dt.timedelta(days=rng.randint(10, 30))
        report = PostProgrammeReport.objects.create(
            area=area,
            membership=membership,
            referral=referral,
            kind="exit" if ended else "post_programme",
            status="issued",
            created_by=facilitator,
            drafted_by=facilitator,
            submitted_at=_at(issued - dt.timedelta(days=5)),
            approved_by=tm,
            approved_at=_at(issued),
            completion_recorded_at=None if ended else _at(issued + dt.timedelta(days=3)),
        )
        version = ReportVersion(
            report=report,
            number=1,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            pages=1,
            issued_at=_at(issued),
            approved_by=tm,
            snapshot={"archived_demo": True},
        )
        version.file.save("v1.pdf", ContentFile(pdf), save=False)
        version.save()
        # Proven reoffending after the place ended, at rates a little under OGRS3's prediction for completers.
        end = left or last
        chance = float(two_year) * (0.55 if not ended else 1.2)
        if rng.random() < chance:
            offence_on = end + dt.timedelta(days=rng.randint(60, 700))
            if offence_on + dt.timedelta(days=60) < today:
                sexual = rng.random() < 0.3
                Reoffence.objects.create(
                    area=area,
                    person=person,
                    offence_on=offence_on,
                    proven_on=offence_on + dt.timedelta(days=60),
                    offence_type="sexual_non_contact"
                    if sexual
                    else rng.choice(("acquisitive", "violence", "other")),
                    sexual=sexual,
                    recorded_by=om,
                )
    Attendance.objects.bulk_create(attendances)
    CatchUp.objects.bulk_create(catch_ups)
    _scores(administrations, scales)


def _scores(administrations: list[tuple[Administration, bool]], scales: Any) -> None:
    """Scores on the demo battery, placed by each scale's direction: before, about two non-offender SDs on the
    problem side of the norm (as reports/demo.py does); after, within half an SD of the norm for those who improved
    (a reliable change on most scales), a little better otherwise."""
    Administration.objects.bulk_create([a for a, _ in administrations])
    rows = []
    for admin, improved in administrations:
        shift = 2.2 if admin.kind == "pre" else (0.4 if improved else 1.9)
        for scale in scales:
            worse = 1 if scale.direction == "higher_is_worse" else -1
            value = scale.norm_mean + worse * shift * scale.norm_sd
            value = min(max(value, scale.score_min), scale.score_max)
            rows.append(
                ScaleScore(administration=admin, scale_code=scale.code, score=round(Decimal(value), 2))
            )
    ScaleScore.objects.bulk_create(rows)
