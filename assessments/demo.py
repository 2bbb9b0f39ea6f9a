"""Demo psychometrics for each demo area, written through the services (so the deviance, audit and access are real).

Per area: the demo battery (norms marked illustrative) saved by the area administrator; pre-programme scores for
every member of the running group, a week before it started; and a group that finished its sessions last month with
one member who has both pre- and post-programme scores, so the change, the chart and the treated profile show.
Idempotent: the battery is found by its code, administrations by membership, the finished group by its name.
Runs after the sessions demo (INSTALLED_APPS order); without it, it does nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils import timezone

from accounts.models import ProbationArea, User, Venue
from assessments import services
from assessments.models import Administration, Battery, Kind
from assessments.rules import Battery as BatteryRules
from assessments.rules import Direction, Scale, parse_battery
from isotp import clock
from isotp.demo_factory import backdate_referral, demo_areas, demo_staff, past_group, waiting_referrals
from isotp.errors import DomainConflict
from referrals.models import (
    Conviction,
    Referral,
    RiskMatrixAssessment,
    RoshAssessment,
    Sentence,
)
from sessions import services as session_services
from sessions.models import (
    AttendanceOutcome,
    Membership,
    MembershipStatus,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)

DEMO_BATTERY = Path(__file__).parent / "fixtures" / "demo_battery.json"
RUNNING = "Monday evening group"  # the sessions demo's running group
FINISHED = "Summer group (Thursdays, finished)"
SESSIONS = 35


def seed(log: list[str]) -> None:
    for area in demo_areas():
        staff = demo_staff(area, ("admin", "tm", "facilitator", "facilitator2"))
        if any(user is None for user in staff.values()):
            continue
        version = _battery(area, staff["admin"], log)  # type: ignore[arg-type]
        battery = parse_battery(version.definition)
        running = ProgrammeGroup.objects.filter(area=area, name=RUNNING).first()
        if running is not None:
            members = (
                Membership.objects.filter(group=running)
                .exclude(status=MembershipStatus.RESTART_REQUIRED)  # the sessions demo's restart has left
                .select_related("referral__person")
                .order_by("id")
            )
            for index, membership in enumerate(members):
                _pre(membership, staff["facilitator"], battery, index, running.start_date, log)  # type: ignore[arg-type]
        _finished_group(area, staff, battery, log)  # type: ignore[arg-type]


def _battery(area: ProbationArea, admin: User, log: list[str]) -> Any:
    definition = json.loads(DEMO_BATTERY.read_text())
    found = Battery.objects.filter(area=area, code=definition["code"]).first()
    if found is not None:
        return found.versions.order_by("-version").first()
    version = services.save_battery_version(
        actor=admin, definition=definition, change_note="Demo battery: norms are illustrative"
    )
    log.append(f"assessments: demo battery in {area.code}")
    return version


def _target(scale: Scale, rng: random.Random, *, problem: bool, improved: bool = False) -> float:
    """A plausible score: around the non-offender mean, or well beyond the normal range when `problem`."""
    worse = 1 if scale.direction == Direction.HIGHER_IS_WORSE else -1
    shift = (2.6 + rng.random()) * worse if problem else rng.uniform(-0.8, 0.8)
    if improved:
        shift = rng.uniform(-0.5, 0.3) * worse
    value = scale.norm_mean + shift * scale.norm_sd
    return max(scale.score_min, min(scale.score_max, value))


def _entry(scale: Scale, total: float) -> dict[str, Any]:
    """The score sheet entry: the total, or item responses that add up to about `total` (reverse keys applied)."""
    if scale.items is None:
        return {"score": round(total)}
    key = scale.items
    per_item = max(key.item_min, min(key.item_max, round(total / scale.item_count)))
    responses = []
    for number in range(1, scale.item_count + 1):
        keyed = per_item
        responses.append(key.item_min + key.item_max - keyed if number in key.reverse else keyed)
    return {"items": responses}


def _sheet(
    battery: BatteryRules, seed: int, problems: int, improved: set[str] | None = None
) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    scales = [s for s in battery.scales if s.domain.value != "response_bias"]
    troubled = {s.code for s in rng.sample(scales, problems)}
    sheet = {}
    for scale in battery.scales:
        if scale.caution_above is not None:  # social desirability: one member answers too well
            total = scale.caution_above + 3 if seed == 2 else scale.norm_mean
        else:
            total = _target(
                scale,
                rng,
                problem=scale.code in troubled,
                improved=improved is not None and scale.code in improved,
            )
        sheet[scale.code] = _entry(scale, total)
    return sheet


def referred_by(referral: Referral, day: dt.date) -> None:
    """Demo only: the referral was made, submitted and put on the waiting list before `day` (a pre-programme
    assessment may not precede the referral, and the services stamp the referral now while the demo's groups began
    in the past), and his sentence, convictions and risk assessments come before that (review of issue 7: a man on
    last year's group had a sentence that began after the group and a referral submitted after it ended)."""
    made = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=35), dt.time(9)))
    if referral.created_at <= made:
        return
    backdate_referral(
        referral, created=made, submitted=made + dt.timedelta(days=7), awaiting=made + dt.timedelta(days=21)
    )
    person = referral.person
    sentence = person.sentences.order_by("-pk").first()
    latest_start = made.date() - dt.timedelta(days=60)
    if sentence is None or sentence.start_date <= latest_start:
        return
    shift = sentence.start_date - latest_start
    Sentence.objects.filter(person=person).update(start_date=F("start_date") - shift)
    Conviction.objects.filter(person=person).update(
        conviction_date=F("conviction_date") - shift, offence_date=F("offence_date") - shift
    )
    RiskMatrixAssessment.objects.filter(person=person).update(assessed_on=F("assessed_on") - shift)
    RoshAssessment.objects.filter(person=person).update(assessed_on=F("assessed_on") - shift)


def _pre(
    membership: Membership,
    facilitator: User,
    battery: BatteryRules,
    index: int,
    start: dt.date,
    log: list[str],
) -> None:
    if Administration.objects.filter(membership=membership, kind=Kind.PRE).exists():
        return
    referred_by(membership.referral, start - dt.timedelta(days=7))
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind=Kind.PRE,
        administered_on=start - dt.timedelta(days=7),
        scores=_sheet(battery, index, problems=(3, 8, 5, 2, 7, 4)[index % 6]),
    )
    log.append(f"assessments: pre-programme scores for a member of {membership.group or membership.plan}")


def _finished_group(
    area: ProbationArea, staff: dict[str, User], battery: BatteryRules, log: list[str]
) -> None:
    """A group whose 35 weekly sessions ended last month, with one member assessed before and after."""
    if ProgrammeGroup.objects.filter(area=area, name=FINISHED).exists():
        return
    today = clock.today()
    last_thursday = today - dt.timedelta(days=(today.weekday() - 3) % 7 or 7)
    start = last_thursday - dt.timedelta(weeks=SESSIONS + 4)
    waiting = list(
        waiting_referrals(area, "isotp", "group")
        .exclude(
            memberships__status=MembershipStatus.RESTART_REQUIRED
        )  # the sessions demo's restart waits on
        .order_by("-awaiting_since", "-id")  # the latest to join
    )
    venue = Venue.objects.filter(area=area).order_by("name").first()
    if not waiting or venue is None:
        return
    tm, facilitator = staff["tm"], staff["facilitator"]
    try:
        group, members = past_group(  # the demo enters a group that ran last year
            tm=tm,
            programme_code="isotp_group",
            venue=venue,
            facilitators=[facilitator, staff["facilitator2"]],
            slots=[{"weekday": "thursday", "start_time": "18:00"}],
            start=start,
            capacity=10,
            name=FINISHED,
            referrals=waiting,
            first_accepted=True,
        )
    except DomainConflict:
        return
    if not members:
        return
    membership = members[0]
    sessions = ScheduledSession.objects.filter(group=group, status=SessionStatus.SCHEDULED, date__lt=today)
    for session in sessions.order_by("number"):
        session_services.record_attendance(
            actor=facilitator, membership=membership, session=session, outcome=AttendanceOutcome.ATTENDED
        )
    pre_sheet = _sheet(battery, 101, problems=7)
    referred_by(membership.referral, start - dt.timedelta(days=10))
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind=Kind.PRE,
        administered_on=start - dt.timedelta(days=10),
        scores=pre_sheet,
    )
    changed = {code for code in pre_sheet if code not in ("UA", "BIS_MOT")}
    last = sessions.order_by("-date").values_list("date", flat=True).first() or today
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind=Kind.POST,
        administered_on=min(today, last + dt.timedelta(days=7)),
        scores=_sheet(battery, 101, problems=7, improved=changed),
    )
    log.append(f"assessments: finished group {group.reference} with pre and post scores in {area.code}")
