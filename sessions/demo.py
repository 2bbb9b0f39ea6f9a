"""Demo delivery data for each demo area, written through the services (so schedules, history and audit are real).

Per area: a running i-SOTP group that started five weeks ago with six men from the waiting list, their
attendance so far; an i-SOTP group planned for January (twice weekly, so the closure date on 15 January shows as
skipped); a rolling N-SOGP Core Group that started three weeks ago; a one-to-one plan; and a
calendar feed for every facilitator. Idempotent: a group or plan is found by its name first. Runs after the
accounts and referrals demos (INSTALLED_APPS order); without them it does nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError

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
from isotp.errors import DomainConflict
from sessions import services
from sessions.models import (
    FeedToken,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)

RUNNING = "Monday evening group"
PLANNED = "January group (Tuesdays and Fridays)"
CORE = "Core Group (Wednesdays)"
RUNNING_MEMBERS = 6


def seed(log: list[str]) -> None:
    """Create (or leave alone) each demo area's groups, plan and feeds."""
    for area in demo_areas():
        staff = demo_staff(area, ("tm", "tm2", "facilitator", "facilitator2", "facilitator3", "facilitator4"))
        venues = list(Venue.objects.filter(area=area).order_by("name"))
        if any(user is None for user in staff.values()) or len(venues) < 2:
            continue  # the accounts demo has not run for this area
        _running_group(area, staff, venues[0], log)  # type: ignore[arg-type]
        _planned_group(area, staff, venues[0], log)  # type: ignore[arg-type]
        _core_group(area, staff, venues[1], log)  # type: ignore[arg-type]
        _plan(area, staff, venues[1], log)  # type: ignore[arg-type]
        _cancelled_and_moved(area, staff, log)  # type: ignore[arg-type]
        for local in ("facilitator", "facilitator2", "facilitator3", "facilitator4"):
            user = staff[local]
            assert user is not None
            if not FeedToken.objects.filter(user=user, revoked_at__isnull=True).exists():
                services.issue_feed_token(actor=user, user=user)


def _running_group(area: ProbationArea, staff: dict[str, User], venue: Venue, log: list[str]) -> None:
    if ProgrammeGroup.objects.filter(area=area, name=RUNNING).exists():
        return
    today = clock.today()
    start = monday_on_or_before(today) - dt.timedelta(weeks=5)
    tm, facilitators = staff["tm"], [staff["facilitator"], staff["facilitator2"]]
    group, members = past_group(  # the demo enters a term that began five weeks ago
        tm=tm,
        programme_code="isotp_group",
        venue=venue,
        facilitators=facilitators,
        slots=[{"weekday": "monday", "start_time": "18:00"}],
        start=start,
        capacity=10,
        name=RUNNING,
        referrals=list(waiting_referrals(area, "isotp", "group")[:RUNNING_MEMBERS]),
    )
    _attendance(group, members, facilitators[0])
    _consequences(area, group, members, tm, log)
    log.append(f"sessions: running group {group.reference} with {len(members)} members in {area.code}")


def _consequences(
    area: ProbationArea, group: ProgrammeGroup, members: list[Membership], tm: User, log: list[str]
) -> None:
    """What the TM's home page and the group page warn of (issue 13), as it happens: a closure date added after the
    group was scheduled, over one of its sessions three weeks ahead; and a member whose licence was varied to end
    before the group's last session. Both through the services, so they are audited."""
    from accounts.services import add_closure
    from referrals.candidates import current_sentence
    from referrals.services.people import record_sentence

    today = clock.today()
    ahead = group.sessions.filter(date__gte=today + dt.timedelta(weeks=3)).order_by("date").first()
    admin = demo_user("admin", area.code)
    if ahead is not None and admin is not None:
        with contextlib.suppress(DomainConflict):  # already a closure date
            add_closure(actor=admin, date=ahead.date, reason="Office closed for rewiring")
    last = group.sessions.order_by("-date").first()
    member = members[-1] if members else None
    sentence = current_sentence(member.referral.person) if member is not None else None
    if member is not None and sentence is not None and last is not None:
        record_sentence(
            actor=tm,
            person=member.referral.person,
            legal_basis=sentence.legal_basis,
            programme_requirement=sentence.programme_requirement,
            start_date=sentence.start_date,
            supervision_end_date=last.date - dt.timedelta(weeks=4),
        )
    log.append(
        f"sessions: a closure over {group.reference}'s session and a licence ending before it finishes"
    )


def _planned_group(area: ProbationArea, staff: dict[str, User], venue: Venue, log: list[str]) -> None:
    if ProgrammeGroup.objects.filter(area=area, name=PLANNED).exists():
        return
    today = clock.today()
    year = today.year + 1 if today.month > 1 else today.year
    start = dt.date(year, 1, 5)
    tm = staff["tm2"]
    group = services.create_group(
        actor=staff["tm"],
        programme_code="isotp_group",
        venue=venue,
        treatment_manager=tm,
        facilitators=[staff["facilitator3"], staff["facilitator4"]],
        slots=[{"weekday": "tuesday", "start_time": "18:00"}, {"weekday": "friday", "start_time": "10:00"}],
        start_date=start,
        capacity=8,
        name=PLANNED,
    )
    log.append(f"sessions: planned group {group.reference} in {area.code}")


def _core_group(area: ProbationArea, staff: dict[str, User], venue: Venue, log: list[str]) -> None:
    if ProgrammeGroup.objects.filter(area=area, name=CORE).exists():
        return
    today = clock.today()
    start = monday_on_or_before(today) - dt.timedelta(weeks=3) + dt.timedelta(days=2)  # a Wednesday
    group, members = past_group(
        tm=staff["tm"],
        programme_code="nsogp_core_group",
        venue=venue,
        facilitators=[staff["facilitator3"], staff["facilitator4"]],
        slots=[{"weekday": "wednesday", "start_time": "10:00"}],
        start=start,
        capacity=10,
        name=CORE,
        referrals=list(waiting_referrals(area, "nsogp", "group")[:1]),
    )
    _attendance(group, members, staff["facilitator3"])
    log.append(f"sessions: rolling core group {group.reference} in {area.code}")


def _cancelled_and_moved(area: ProbationArea, staff: dict[str, User], log: list[str]) -> None:
    """Issue 13: the running group's schedule shows what happens to a schedule: the provider cancels a session in
    two weeks' time (facilitator ill, no cover; the cancelled row stays, unnumbered, and every later session moves
    on a week) and a later session moves to the Wednesday of its week (the venue is booked), so its row says
    "Moved from". Done once per area: a group that already has both is left alone."""
    group = ProgrammeGroup.objects.filter(area=area, name=RUNNING).first()
    if group is None:
        return
    tm = staff["tm"]
    today = clock.today()
    upcoming = list(
        ScheduledSession.objects.filter(group=group, status=SessionStatus.SCHEDULED, date__gt=today).order_by(
            "date", "number"
        )
    )
    sessions = ScheduledSession.objects.filter(group=group)
    if not sessions.filter(status=SessionStatus.CANCELLED_BY_PROVIDER).exists() and len(upcoming) > 2:
        services.cancel_session_by_provider(
            actor=tm, session=upcoming[1], reason="Facilitator ill and no cover available"
        )
        log.append(f"sessions: provider cancellation in {group.reference}")
    # (Every session after the cancelled one has moved on a week, so "moved" here means moved off the Monday.)
    if all(d.weekday() == 0 for d in sessions.values_list("date", flat=True)):
        later = list(
            sessions.filter(status=SessionStatus.SCHEDULED, date__gt=today + dt.timedelta(weeks=4)).order_by(
                "date", "number"
            )[:3]
        )
        for session in later:
            for days in (2, 3):  # the Wednesday, or the Thursday if the Wednesday is a closure or clashes
                try:
                    services.reschedule_session(
                        actor=tm,
                        session=session,
                        new_date=session.date + dt.timedelta(days=days),
                        cascade=False,
                    )
                except (DomainConflict, ValidationError):
                    continue
                log.append(f"sessions: session {session.number} of {group.reference} moved")
                return


# Per (session number, member index): what the demo register records (everything else: attended, homework done).
_OUTCOMES: dict[tuple[int, int], dict[str, object]] = {
    (2, 2): {"outcome": "unacceptable_absence", "notes": "No contact before the session."},
    (2, 4): {"outcome": "late", "notes": "Arrived 20 minutes late: bus."},
    (3, 0): {
        "outcome": "attended",
        "concern": True,
        "notes": "Disclosed new contact with a child: OM to follow up.",
    },
    (3, 1): {"outcome": "acceptable_absence", "notes": "Hospital appointment (letter seen)."},
    (4, 2): {"outcome": "unacceptable_absence", "notes": "Said he forgot."},
    (4, 4): {"outcome": "attended", "homework_done": False},
    # The restart (003; domain.md §6): four missed sessions caught up, the fifth cannot be: his place ends, his
    # referral goes back on the waiting list marked as a restart.
    (1, 5): {"outcome": "acceptable_absence", "notes": "Ill: phoned in before the session."},
    (2, 5): {"outcome": "acceptable_absence", "notes": "Court appearance (letter seen)."},
    (3, 5): {"outcome": "acceptable_absence", "notes": "Family funeral."},
    (4, 5): {"outcome": "acceptable_absence", "notes": "Hospital appointment (letter seen)."},
    (5, 5): {"outcome": "unacceptable_absence", "notes": "No contact before the session."},
}


def _attendance(group: ProgrammeGroup, members: list[Membership], facilitator: User) -> None:
    """Registers for every past session, taken through the services: most attend with homework done, some are
    late, absent (acceptably or not) or sent home; every missed session but the latest is caught up two days
    later, the latest one's catch-up is booked for later this week (so it shows as outstanding and in the
    facilitator's calendar); the OM has issued a warning after the first unacceptable absence, so the second makes
    breach action due."""
    today = clock.today()
    past = list(
        ScheduledSession.objects.filter(group=group, date__lt=today, status=SessionStatus.SCHEDULED).order_by(
            "number"
        )
    )
    for position, session in enumerate(past):
        latest = position == len(past) - 1
        active = set(
            Membership.objects.filter(
                pk__in=[m.pk for m in members], status=MembershipStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
        entries, starts = [], {}
        for index, membership in enumerate(members):
            if membership.pk not in active:  # his place has ended (the restart)
                continue
            starts[membership.pk] = (
                dt.time(10, 0) if index == 5 else dt.time(14, 0)
            )  # one facilitator, no clash
            values: dict[str, object] = {"outcome": "attended", "homework_done": True}
            values.update(_OUTCOMES.get((session.number, index), {}))
            if latest and index == 3:
                values = {
                    "outcome": "sent_home",
                    "sent_home_acceptable": False,
                    "notes": "Under the influence.",
                }
            entries.append(services.RegisterEntry(membership=membership, **values))  # type: ignore[arg-type]
        services.take_register(
            actor=facilitator,
            session=session,
            entries=entries,
            content_delivered=f"{session.module_title}: session {session.number} of the programme manual.",
            exercises="Check-in; the session's core exercise; homework review; check-out.",
        )
        for entry in entries:
            if entry.outcome not in ("acceptable_absence", "unacceptable_absence", "sent_home"):
                continue
            membership = entry.membership
            membership.refresh_from_db(fields=["status"])
            if membership.status != MembershipStatus.ACTIVE:
                continue  # the fifth missed session: nothing left to catch up (restart)
            if latest:
                services.book_catch_up(
                    actor=facilitator,
                    membership=membership,
                    missed_session=session,
                    date=today + dt.timedelta(days=3),
                    start=dt.time(10, 0),
                    venue=session.venue,
                    facilitator=facilitator,
                )
                continue
            services.book_catch_up(
                actor=facilitator,
                membership=membership,
                missed_session=session,
                date=min(session.date + dt.timedelta(days=2), today),
                start=starts[membership.pk],
                venue=session.venue,
                facilitator=facilitator,
                outcome="attended",
                notes="Individual catch-up of the session's material.",
            )
            referral = membership.referral
            om = referral.person.offender_manager
            if entry.outcome == "unacceptable_absence" and om is not None and session.number == 2:
                services.record_warning(
                    actor=om,
                    referral=referral,
                    issued_on=min(session.date + dt.timedelta(days=1), today),
                    notes="Warning letter sent; discussed at supervision.",
                )


def _plan(area: ProbationArea, staff: dict[str, User], venue: Venue, log: list[str]) -> None:
    if OneToOnePlan.objects.filter(area=area).exists():
        return
    waiting = list(waiting_referrals(area, "isotp", "one_to_one"))
    if not waiting:
        return
    today = clock.today()
    start = today + dt.timedelta(days=7)
    plan = services.create_one_to_one_plan(
        actor=staff["tm"],
        referral=waiting[0],
        facilitator=staff["facilitator"],
        # 000 guidance ranges, with module 4 at the top of its range: 5+4+4+10+3+5 = 31 is too many, so 28.
        sessions_per_module={"1": 5, "2": 4, "3": 4, "4": 8, "5": 3, "6": 4},
        rationale="Module 6 at 4 sessions: relapse-prevention work already started with the offender manager.",
        slots=[{"weekday": "thursday", "start_time": "14:00"}],
        start_date=start,
        venue=venue,
    )
    log.append(f"sessions: one-to-one plan {plan.reference} in {area.code}")
