"""Catch-ups (one-to-one: rearranged sessions) and the TM's exception (domain.md §6; 003).

A catch-up is an individual session for one missed session: booked with a date and facilitator (optionally a
time and venue, checked for clashes as sessions are), its outcome recorded then or later. Only an attended
catch-up closes the missed session; closing the last one may complete the member's sessions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User, Venue
from accounts.permissions import can_deliver_catch_up, is_facilitator, is_treatment_manager
from audit.services import record_event
from isotp.clock import today as _today
from isotp.errors import DomainConflict
from notifications.services import notify
from sessions.models import (
    CatchUp,
    CatchUpException,
    CatchUpOutcome,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.progress import member_records, programme_of, session_label
from sessions.rules import Booking, find_clashes, format_date
from sessions.rules.attendance import is_missed, upper_first

from .attendance import _apply_progress, _notify_enforcement_change, owner_of
from .bookings import catch_up_label, lock_bookables
from .bookings import session_label as scheduled_label
from .groups import check_supervised_on_dates


def _check_actor(actor: User, membership: Membership, catch_up: CatchUp | None = None) -> None:
    """TMs of the area and the facilitators who deliver the member's group or plan, and for a booked catch-up the
    facilitator it is booked with (review of issue 8, no. 6); another area: 404."""
    owner = owner_of(membership)
    if getattr(actor, "area_id", None) != owner.area_id:
        raise Http404
    if is_treatment_manager(actor):
        return
    if is_facilitator(actor):
        if catch_up is not None and catch_up.facilitator_id == actor.pk:
            return
        if (
            membership.group_id is not None
            and membership.group.facilitator_links.filter(  # type: ignore[union-attr]
                facilitator_id=actor.pk
            ).exists()
        ):
            return
        if membership.plan_id is not None and membership.plan.facilitator_id == actor.pk:  # type: ignore[union-attr]
            return
        raise Http404
    raise PermissionDenied("Only treatment managers and the member's facilitators book catch-ups.")


def _lock(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related(
            "group",
            "group__programme",
            "group__treatment_manager",
            "plan",
            "plan__programme",
            "plan__treatment_manager",
            "referral",
            "referral__area",
            "referral__person",
            "referral__person__offender_manager",
        )
        .get(pk=membership.pk)
    )


def _check_clashes(
    *,
    date: dt.date,
    start: dt.time,
    end: dt.time,
    venue: Venue | None,
    facilitator: User,
    exclude: int | None,
) -> None:
    """domain.md §5 applied to catch-ups: no double-booked facilitator or venue, the clash named."""
    if venue is not None:
        lock_bookables(venue, [facilitator])
    else:
        lock_bookables_person(facilitator)
    sessions = (
        ScheduledSession.objects.filter(date=date)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .exclude(group__status="cancelled")
        .exclude(plan__status="cancelled")
        .filter(Q(facilitators=facilitator) | (Q(venue=venue) if venue is not None else Q(pk__in=[])))
        .select_related("group", "plan", "venue")
        .prefetch_related("facilitators")
        .distinct()
    )
    others = (
        CatchUp.objects.filter(date=date, start__isnull=False, cancelled_at__isnull=True)
        .filter(Q(facilitator=facilitator) | (Q(venue=venue) if venue is not None else Q(pk__in=[])))
        .select_related("missed_session")
    )
    if exclude is not None:
        others = others.exclude(pk=exclude)
    wanted = Booking(ref="new", label="the catch-up", date=date, start=start, end=end)
    for s in sessions:
        booking = Booking(str(s.public_id), scheduled_label(s), s.date, s.start, s.end)
        if not find_clashes(wanted, [booking]):
            continue
        if venue is not None and s.venue_id == venue.pk:
            raise DomainConflict(
                f"{venue.name} is already booked for {booking.label}.",
                code="VENUE_CLASH",
                clashes=[{"session": booking.ref, "label": booking.label}],
            )
        raise DomainConflict(
            f"{facilitator.full_name} is already delivering {booking.label}.",
            code="FACILITATOR_CLASH",
            clashes=[{"session": booking.ref, "label": booking.label}],
        )
    for c in others:
        assert c.start is not None and c.end is not None
        label = catch_up_label(c.date, c.start, c.end)
        if not find_clashes(wanted, [Booking(str(c.public_id), label, c.date, c.start, c.end)]):
            continue
        if venue is not None and c.venue_id == venue.pk:
            raise DomainConflict(f"{venue.name} is already booked for {label}.", code="VENUE_CLASH")
        raise DomainConflict(
            f"{facilitator.full_name} is already delivering {label}.", code="FACILITATOR_CLASH"
        )


def _check_started(date: dt.date, start: dt.time | None, today: dt.date) -> None:
    """An outcome is recorded once the catch-up has started: on its day, not before its start time (review of
    issue 8, no. 10)."""
    if start is None or date != today or today != _today():
        return
    now = timezone.localtime().time()
    if now < start:
        raise DomainConflict(
            f"The catch-up starts at {start:%H:%M} today: record its outcome once it has started.",
            code="CATCH_UP_IN_FUTURE",
        )


def lock_bookables_person(facilitator: User) -> None:
    list(User.objects.select_for_update().filter(pk=facilitator.pk).values_list("pk", flat=True))


def _catch_up_minutes(membership: Membership) -> int:
    # An individual catch-up covers one session's content: the programme's one-to-one length where it has one.
    return int(programme_of(membership).session_minutes)


def _check_booking_parties(
    locked: Membership,
    owner: ProgrammeGroup | OneToOnePlan,
    *,
    missed_session: ScheduledSession,
    facilitator: User,
    venue: Venue | None,
    outcome: str,
) -> None:
    """The membership is active, the session is its own, the facilitator and venue are this area's and the
    outcome is one of the four."""
    if locked.status != MembershipStatus.ACTIVE:
        raise DomainConflict(
            f"The membership has ended ({locked.get_status_display().lower()}): no catch-up can be booked.",
            code="MEMBERSHIP_ENDED",
        )
    if (missed_session.group_id or None) != (locked.group_id or None) or (missed_session.plan_id or None) != (
        locked.plan_id or None
    ):
        raise ValidationError({"missed_session": ["Choose a session of the member's group or plan."]})
    if (
        facilitator.area_id != owner.area_id
        or not can_deliver_catch_up(facilitator)
        or not facilitator.is_active
    ):
        raise ValidationError({"facilitator": ["Choose an active facilitator of this area."]})
    if venue is not None and venue.area_id != owner.area_id:
        raise ValidationError({"venue": ["Choose a venue of this area."]})
    if outcome and outcome not in CatchUpOutcome.values:
        raise ValidationError(
            {"outcome": ["Choose attended, late, acceptable absence or unacceptable absence."]}
        )


def _check_booking_date(
    owner: ProgrammeGroup | OneToOnePlan,
    *,
    missed_session: ScheduledSession,
    date: dt.date,
    start: dt.time | None,
    outcome: str,
    today: dt.date,
) -> None:
    """An outcome only once the catch-up has started; on or after the missed session; a working day."""
    if outcome and date > today:
        raise DomainConflict(
            "A catch-up's outcome is recorded on or after its date: book it now and record the outcome later.",
            code="CATCH_UP_IN_FUTURE",
        )
    if outcome:
        _check_started(date, start, today)
    if date < missed_session.date:
        raise ValidationError({"date": ["A catch-up is on or after the day of the session it catches up."]})
    from sessions.rules.schedule import non_working_reason
    from sessions.selectors.area import closures_of, jurisdiction_of

    closed = non_working_reason(
        date, jurisdiction=jurisdiction_of(owner.area), closures=closures_of(owner.area)
    )
    if closed is not None:  # domain.md §5, as for sessions: no catch-up on a bank holiday or closure date
        raise DomainConflict(
            f"{format_date(date)} is not a working day: {closed}. Choose another date.",
            code="NON_WORKING_DAY",
        )


def _check_still_missed(locked: Membership, missed_session: ScheduledSession) -> None:
    """The session was missed (NOT_MISSED) and not caught up yet (ALREADY_CAUGHT_UP)."""
    record = member_records([locked])[locked.pk]
    row = next((r for r in record.rows() if r.session_id == str(missed_session.public_id)), None)
    if row is None or not is_missed(row.outcome):
        raise DomainConflict(
            f"{upper_first(session_label(missed_session))} was not missed: there is nothing to catch up.",
            code="NOT_MISSED",
        )
    if row.caught_up:
        raise DomainConflict(
            f"{upper_first(session_label(missed_session))} has already been caught up.",
            code="ALREADY_CAUGHT_UP",
        )


def _timed_end(
    locked: Membership, *, date: dt.date, start: dt.time | None, venue: Venue | None, facilitator: User
) -> dt.time | None:
    """A timed catch-up's end (one session's length, the same day), checked for clashes; None when untimed."""
    if start is None:
        return None
    end_at = dt.datetime.combine(date, start) + dt.timedelta(minutes=_catch_up_minutes(locked))
    if end_at.date() != date:
        raise ValidationError(
            {"start": ["The catch-up must end on the day it starts: choose an earlier time."]}
        )
    end = end_at.time()
    _check_clashes(date=date, start=start, end=end, venue=venue, facilitator=facilitator, exclude=None)
    return end


@transaction.atomic
def book_catch_up(
    *,
    actor: User,
    membership: Membership,
    missed_session: ScheduledSession,
    date: dt.date,
    facilitator: User,
    start: dt.time | None = None,
    venue: Venue | None = None,
    outcome: str = "",
    notes: str = "",
) -> CatchUp:
    """TMs and the member's facilitators: book a catch-up of one missed session, recording its outcome now (a
    catch-up that took place) or later (`record_catch_up_outcome`). With a time, the facilitator and venue are
    checked for clashes (409 FACILITATOR_CLASH / VENUE_CLASH). Refusals: MEMBERSHIP_ENDED, NOT_MISSED (the
    session was not missed), ALREADY_CAUGHT_UP, CATCH_UP_IN_FUTURE (an outcome for a future date or before its
    start time), NON_WORKING_DAY (a bank holiday or closure date), FACILITATOR_UNSUPERVISED (the facilitator has
    no supervisor on the catch-up's date). Locks the membership (and the facilitator and venue when timed).
    Audited.
    """
    _check_actor(actor, membership)
    today = _today()
    locked = _lock(membership)
    owner = owner_of(locked)
    _check_booking_parties(
        locked, owner, missed_session=missed_session, facilitator=facilitator, venue=venue, outcome=outcome
    )
    _check_booking_date(
        owner, missed_session=missed_session, date=date, start=start, outcome=outcome, today=today
    )
    check_supervised_on_dates([(facilitator, date)])
    _check_still_missed(locked, missed_session)
    end = _timed_end(locked, date=date, start=start, venue=venue, facilitator=facilitator)
    before = _enforcement_before(locked) if outcome else None
    try:
        with transaction.atomic():
            catch_up = CatchUp.objects.create(
                membership=locked,
                missed_session=missed_session,
                date=date,
                start=start,
                end=end,
                venue=venue,
                facilitator=facilitator,
                outcome=outcome,
                notes=notes.strip(),
                booked_by=actor,
                recorded_by=actor if outcome else None,
            )
    except IntegrityError:
        raise DomainConflict("The session has already been caught up.", code="ALREADY_CAUGHT_UP") from None
    record_event(
        actor=actor,
        action="catch_up.booked",
        obj=locked,
        area_id=owner.area_id,
        object_label=owner.reference,
        changes={
            "catch_up": str(catch_up.public_id),
            "missed_session": str(missed_session.public_id),
            "date": date,
            "start": start.strftime("%H:%M") if start else None,
            "facilitator": str(facilitator.public_id),
            "outcome": outcome or None,
        },
    )
    if outcome:
        _after_outcome(actor=actor, locked=locked, catch_up=catch_up, today=today, before=before)
    return catch_up


@transaction.atomic
def record_catch_up_outcome(
    *, actor: User, catch_up: CatchUp, outcome: str, notes: str | None = None
) -> CatchUp:
    """TMs, the member's facilitators and the facilitator it is booked with: record (or correct) a booked
    catch-up's outcome, once it has started. Refusals: CATCH_UP_IN_FUTURE, CATCH_UP_CANCELLED, MEMBERSHIP_ENDED.
    Locks the membership and the catch-up. Audited."""
    _check_actor(actor, catch_up.membership, catch_up)
    today = _today()
    locked = _lock(catch_up.membership)
    row = CatchUp.objects.select_for_update().get(pk=catch_up.pk)
    if outcome not in CatchUpOutcome.values:
        raise ValidationError(
            {"outcome": ["Choose attended, late, acceptable absence or unacceptable absence."]}
        )
    if row.cancelled:
        raise DomainConflict(
            "The catch-up was cancelled: book another to record one.", code="CATCH_UP_CANCELLED"
        )
    if row.date > today:
        raise DomainConflict(
            f"The catch-up is on {format_date(row.date)}: record its outcome on or after that day.",
            code="CATCH_UP_IN_FUTURE",
        )
    if locked.status not in (MembershipStatus.ACTIVE, MembershipStatus.SESSIONS_COMPLETE):
        raise DomainConflict("The membership has ended.", code="MEMBERSHIP_ENDED")
    _check_started(row.date, row.start, today)
    before = _enforcement_before(locked)
    previous = row.outcome
    row.outcome = outcome
    if notes is not None:
        row.notes = notes.strip()
    row.recorded_by = actor
    try:
        with transaction.atomic():
            row.save(update_fields=["outcome", "notes", "recorded_by"])
    except IntegrityError:
        raise DomainConflict("The session has already been caught up.", code="ALREADY_CAUGHT_UP") from None
    owner = owner_of(locked)
    record_event(
        actor=actor,
        action="catch_up.recorded",
        obj=locked,
        area_id=owner.area_id,
        object_label=owner.reference,
        changes={"catch_up": str(row.public_id), "outcome": {"from": previous or None, "to": outcome}},
    )
    _after_outcome(actor=actor, locked=locked, catch_up=row, today=today, before=before)
    return row


def _enforcement_before(locked: Membership) -> Any:
    from sessions.progress import enforcement_for

    return enforcement_for([locked.referral])[locked.referral.pk].state


def _cancel_obsolete_bookings(
    *, actor: User, membership: Membership, missed_session: ScheduledSession | None, reason: str
) -> int:
    """Callers holding the membership lock: cancel the member's bookings no longer wanted (of `missed_session`
    once it is caught up, or all of them when the membership ends), so they leave diaries, feeds and clash
    checks. Audited; answers how many."""
    rows = CatchUp.objects.select_for_update().filter(
        membership=membership, outcome="", cancelled_at__isnull=True
    )
    if missed_session is not None:
        rows = rows.filter(missed_session=missed_session)
    ids = [str(c.public_id) for c in rows]
    if not ids:
        return 0
    rows.update(cancelled_at=timezone.now(), cancelled_by=actor, cancel_reason=reason)
    owner = owner_of(membership)
    record_event(
        actor=actor,
        action="catch_up.cancelled",
        obj=membership,
        area_id=owner.area_id,
        object_label=owner.reference,
        changes={"catch_ups": ids, "automatic": True},
        reason=reason,
    )
    return len(ids)


@transaction.atomic
def cancel_catch_up(*, actor: User, catch_up: CatchUp, reason: str) -> CatchUp:
    """TMs, the member's facilitators and the facilitator it is booked with: cancel a booked catch-up, with the
    reason (kept and shown). It leaves the diary, the feed and clash checks. Refusals: CATCH_UP_RECORDED (its
    outcome is recorded: correct that instead), CATCH_UP_CANCELLED. Locks the membership and the catch-up.
    Audited."""
    _check_actor(actor, catch_up.membership, catch_up)
    if not reason.strip():
        raise ValidationError({"reason": ["Enter why the catch-up is cancelled."]})
    locked = _lock(catch_up.membership)
    row = CatchUp.objects.select_for_update().get(pk=catch_up.pk)
    if row.cancelled:
        raise DomainConflict("The catch-up has already been cancelled.", code="CATCH_UP_CANCELLED")
    if row.outcome:
        raise DomainConflict(
            "The catch-up's outcome is recorded: correct the outcome instead of cancelling it.",
            code="CATCH_UP_RECORDED",
        )
    row.cancelled_at = timezone.now()
    row.cancelled_by = actor
    row.cancel_reason = reason.strip()
    row.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    owner = owner_of(locked)
    record_event(
        actor=actor,
        action="catch_up.cancelled",
        obj=locked,
        area_id=owner.area_id,
        object_label=owner.reference,
        changes={"catch_ups": [str(row.public_id)], "date": row.date},
        reason=row.cancel_reason,
    )
    return row


def _after_outcome(
    *, actor: User, locked: Membership, catch_up: CatchUp, today: dt.date, before: Any = None
) -> None:
    if catch_up.attended:
        _cancel_obsolete_bookings(
            actor=actor,
            membership=locked,
            missed_session=catch_up.missed_session,
            reason=f"{upper_first(session_label(catch_up.missed_session))} was caught up on "
            f"{format_date(catch_up.date)}.",
        )  # an attended catch-up is programme work: it starts the programme like a session
        from .attendance import _start_programme

        _start_programme(
            actor=actor,
            membership=locked,
            reason=f"Attended the catch-up of {session_label(catch_up.missed_session)}",
        )
    word = "rearranged session" if locked.plan_id is not None else "catch-up"
    link = f"/memberships/{locked.public_id}/progress/"
    told = False
    if catch_up.outcome == CatchUpOutcome.UNACCEPTABLE_ABSENCE:
        from sessions.progress import enforcement_for

        view = enforcement_for([locked.referral])[locked.referral.pk]
        notify(
            recipients=[locked.referral.person.offender_manager],
            kind="absence",
            subject=f"Absence from a {word}: enforcement step due",
            body=f"{locked.referral.person.crn} did not attend the {word} of "
            f"{session_label(catch_up.missed_session)} on {format_date(catch_up.date)} (unacceptable absence)."
            f"\n\nEnforcement: {view.state.reason}",
            link=link,
            dedupe_key=f"catch-up-absence:{catch_up.pk}:{catch_up.outcome}",
            person=locked.referral.person,
        )
        told = True
    elif catch_up.outcome == CatchUpOutcome.ACCEPTABLE_ABSENCE:
        notify(
            recipients=[locked.referral.person.offender_manager],
            kind="absence",
            subject=f"Absence from a {word}",
            body=f"{locked.referral.person.crn} missed the {word} of {session_label(catch_up.missed_session)} "
            f"on {format_date(catch_up.date)} (acceptable absence). Another {word} is needed.",
            link=link,
            dedupe_key=f"catch-up-absence:{catch_up.pk}:{catch_up.outcome}",
            person=locked.referral.person,
        )
    if before is not None:
        _notify_enforcement_change(referral=locked.referral, before=before, link=link, already_told=told)
    if locked.status == MembershipStatus.ACTIVE:
        _apply_progress(actor=actor, locked=locked, today=today)


@transaction.atomic
def grant_catch_up_exception(
    *, actor: User, membership: Membership, missed_session: ScheduledSession, reason: str
) -> CatchUpException:
    """Treatment managers only: let the member attend later sessions while the catch-up of `missed_session` is
    outstanding (domain.md §6), with the reason, kept and shown. Audited."""
    owner = owner_of(membership)
    if getattr(actor, "area_id", None) != owner.area_id:
        raise Http404
    if not is_treatment_manager(actor):
        raise PermissionDenied("Only a treatment manager may record an exception.")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the member may continue before the catch-up."]})
    locked = _lock(membership)
    if locked.status != MembershipStatus.ACTIVE:
        raise DomainConflict("The membership has ended.", code="MEMBERSHIP_ENDED")
    record = member_records([locked])[locked.pk]
    row = next((r for r in record.rows() if r.session_id == str(missed_session.public_id)), None)
    if row is None or not is_missed(row.outcome) or row.caught_up:
        raise DomainConflict(
            f"There is no outstanding catch-up of {session_label(missed_session)}.",
            code="NO_OUTSTANDING_CATCH_UP",
        )
    existing = CatchUpException.objects.filter(membership=locked, missed_session=missed_session).first()
    if existing is not None:  # review of issue 8, no. 18: never silently drop the new reason
        raise DomainConflict(
            f"An exception for {session_label(missed_session)} was already recorded by "
            f"{existing.granted_by.full_name}: {existing.reason}",
            code="EXCEPTION_EXISTS",
        )
    exception, created = CatchUpException.objects.get_or_create(
        membership=locked,
        missed_session=missed_session,
        defaults={"reason": reason.strip(), "granted_by": actor},
    )
    if created:
        record_event(
            actor=actor,
            action="catch_up.exception_granted",
            obj=locked,
            area_id=owner.area_id,
            object_label=owner.reference,
            changes={"missed_session": str(missed_session.public_id)},
            reason=reason.strip(),
        )
    return exception
