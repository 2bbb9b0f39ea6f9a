"""Registers and attendance, and what follows from them (domain.md §6; issue 8).

A register is taken from the session's date, never before. Recording presence is refused while a catch-up of an
earlier missed session is outstanding (003), unless a TM recorded an exception. After each write the member's
progress is worked out again: the fifth missed i-SOTP session ends the membership `restart_required` and sends the
referral back to the waiting list marked as a restart; every session attended or caught up makes it
`sessions_complete`. The OM is told of every absence (and of a concern) the same day, the TM and OM of a restart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_facilitator, is_treatment_manager
from audit.services import audit_event, record_event, record_events
from isotp.clock import today as _today
from isotp.errors import DomainConflict
from notifications.services import notify
from referrals.models import Referral
from referrals.rules.transitions import ReferralStatus
from sessions.models import (
    Attendance,
    AttendanceOutcome,
    GroupStatus,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    PlanStatus,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.progress import MemberRecord, enforcement_for, member_records, programme_of, session_label
from sessions.rules import format_date
from sessions.rules.attendance import (
    ATTENDED_OUTCOMES,
    RestartRule,
    blocking_catch_up,
    is_failure_to_comply,
    is_missed,
)
from sessions.rules.completion import SessionState, sessions_to_come
from sessions.selectors.completion import is_recorded
from sessions.services.completion import complete_if_over


def owner_of(obj: Membership | ScheduledSession) -> ProgrammeGroup | OneToOnePlan:
    return obj.group or obj.plan  # type: ignore[return-value]


def delivers(actor: User, session: ScheduledSession) -> bool:
    """The actor facilitates this session (or delivers its group or one-to-one plan)."""
    # The session's facilitators as its selector prefetched them, if it did (no second query).
    prefetched = getattr(session, "_prefetched_objects_cache", {}).get("facilitators")
    if prefetched is not None:
        if any(person.pk == actor.pk for person in prefetched):
            return True
    elif session.facilitators.filter(pk=actor.pk).exists():
        return True
    if session.group_id is not None:
        return session.group.facilitator_links.filter(facilitator_id=actor.pk).exists()  # type: ignore[union-attr]
    return session.plan is not None and session.plan.facilitator_id == actor.pk


def check_can_take_register(actor: User, session: ScheduledSession) -> None:
    """Facilitators of the session, and the area's treatment managers: another area's session is not found (404),
    anyone else is refused (403)."""
    owner = owner_of(session)
    if getattr(actor, "area_id", None) != owner.area_id:
        raise Http404
    if is_treatment_manager(actor):
        return
    if is_facilitator(actor) and delivers(actor, session):
        return
    if is_facilitator(actor):
        raise Http404  # a facilitator does not see groups they do not deliver
    raise PermissionDenied("Only the session's facilitators and treatment managers take its register.")


class _Keep:
    """An optional field left out: what is saved stays (review of issue 8: omitting never wipes a note)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
# A new record's values for fields left out.
_NEW_DEFAULTS: dict[str, Any] = {"homework_done": None, "personal_work": False, "notes": "", "concern": False}


@dataclass(frozen=True)
class RegisterEntry:
    """One member's line on a register. Optional details left as KEEP leave what is saved unchanged."""

    membership: Membership
    outcome: str
    sent_home_acceptable: bool | None = None
    homework_done: bool | None = KEEP
    personal_work: bool = KEEP
    notes: str = KEEP
    concern: bool = KEEP


def _validate(entry: RegisterEntry, field_prefix: str = "") -> None:
    if entry.outcome not in AttendanceOutcome.values:
        raise ValidationError({f"{field_prefix}outcome": ["Choose an attendance outcome."]})
    if entry.outcome == AttendanceOutcome.SENT_HOME and entry.sent_home_acceptable is None:
        raise ValidationError(
            {
                f"{field_prefix}sent_home_acceptable": [
                    "Say whether the reason for sending them home was acceptable."
                ]
            }
        )
    if entry.notes is not KEEP and len(entry.notes) > 2000:
        raise ValidationError({f"{field_prefix}notes": ["Keep the note to 2,000 characters or fewer."]})


def _lock_session(session: ScheduledSession) -> ScheduledSession:
    return (
        ScheduledSession.objects.select_for_update(of=("self",))
        .select_related("group", "group__programme", "plan", "plan__programme")
        .get(pk=session.pk)
    )


def _lock_memberships(ids: Sequence[int], target: ScheduledSession) -> dict[int, Membership]:
    """The members, locked in id order, with what their lines need. Only the session's own kind of owner (group
    or plan) is joined: a member of anything else is refused before his owner is read, and joining the other
    kind's table would read all of it (a hash join over every one-to-one plan of the country for a group)."""
    owner = "group" if target.group_id is not None else "plan"
    rows = (
        Membership.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(ids))
        .order_by("pk")
        .select_related(
            owner,
            f"{owner}__programme",
            f"{owner}__treatment_manager",
            "referral",
            "referral__area",
            "referral__person",
            "referral__person__offender_manager",
        )
    )
    return {m.pk: m for m in rows}


def _values(entry: RegisterEntry, existing: Attendance | None) -> dict[str, Any]:
    """The attendance fields an entry writes: a detail left out keeps the saved value (a new record's default)."""
    values: dict[str, Any] = {
        "outcome": entry.outcome,
        "sent_home_acceptable": entry.sent_home_acceptable if entry.outcome == "sent_home" else None,
    }
    for key, default in _NEW_DEFAULTS.items():
        given = getattr(entry, key)
        if given is KEEP:
            values[key] = getattr(existing, key) if existing is not None else default
        elif key == "notes":
            values[key] = (given or "").strip()
        elif key == "homework_done":
            values[key] = given
        else:
            values[key] = bool(given)
    return values


def _is_unchanged(entry: RegisterEntry, existing: Attendance | None) -> bool:
    """The entry repeats what is already saved (a register page or PUT re-posts every member's row)."""
    return existing is not None and all(
        getattr(existing, k) == v for k, v in _values(entry, existing).items()
    )


def _check_entry(
    *,
    locked: Membership,
    target: ScheduledSession,
    record: MemberRecord,
    entry: RegisterEntry,
    today: dt.date,
) -> bool:
    """Refuse what the rules refuse; answer whether the entry changes anything (an unchanged row always passes:
    it records nothing new, so neither an ended membership nor an outstanding catch-up refuses it)."""
    same_owner = (locked.group_id is not None and target.group_id == locked.group_id) or (
        locked.plan_id is not None and target.plan_id == locked.plan_id
    )
    if not same_owner:
        raise ValidationError({"membership": ["This member is not in the session's group or plan."]})
    existing = record.attendance.get(target.pk)
    if _is_unchanged(entry, existing):
        return False
    if locked.status != MembershipStatus.ACTIVE:
        raise DomainConflict(
            f"The membership has ended ({locked.get_status_display().lower()}): attendance can no longer be "
            "recorded or changed.",
            code="MEMBERSHIP_ENDED",
        )
    if target.date < locked.joined_on:
        raise DomainConflict("The session was before the member joined.", code="BEFORE_JOINING")
    newly_present = existing is None or existing.outcome not in ATTENDED_OUTCOMES
    if entry.outcome in ATTENDED_OUTCOMES and newly_present:
        rows = record.rows()
        blocker = blocking_catch_up(rows, at=record.row_for(target, rows), rule=_rule(locked))
        if blocker is not None:
            raise DomainConflict(
                blocker.message, code=blocker.code, missed_session=blocker.session.session_id
            )
    return True


def _rule(membership: Membership) -> RestartRule:
    from sessions.progress import restart_rule

    return restart_rule(programme_of(membership))


def _check_session_open(target: ScheduledSession, today: dt.date) -> None:
    if target.status == SessionStatus.CANCELLED_BY_PROVIDER:
        raise DomainConflict(
            "The provider cancelled this session: it is not an absence.",
            code="SESSION_CANCELLED",
        )
    if target.date > today:
        raise DomainConflict(
            f"The register opens on the day of the session, {format_date(target.date)}: it cannot be taken "
            "before.",
            code="REGISTER_NOT_OPEN",
            opens_on=target.date.isoformat(),
        )


# The attendance fields a register line writes (with `recorded_by`).
_FIELDS = ("outcome", "sent_home_acceptable", *_NEW_DEFAULTS)


def _stage(
    *, actor: User, locked: Membership, target: ScheduledSession, entry: RegisterEntry, record: MemberRecord
) -> tuple[Attendance, dict[str, Any] | None]:
    """One member's line, in memory: the new row (not yet saved) or the saved row changed, put into `record`,
    with the saved values it had (None for a new row). `record` was read under the session's and the
    membership's locks, so its attendance is the saved row (no second read); the progress worked out next sees
    this line without reading the member's record again. `_save` (or `_save_quiet`) writes it."""
    existing = record.attendance.get(target.pk)
    values = _values(entry, existing)
    if existing is None:
        staged = Attendance(membership=locked, session=target, recorded_by=actor, **values)
        record.attendance[target.pk] = staged
        return staged, None
    before = {k: getattr(existing, k) for k in values}
    for key, value in values.items():
        setattr(existing, key, value)
    existing.recorded_by = actor
    return existing, before


def _save(attendance: Attendance, previous: Mapping[str, Any] | None) -> None:
    if previous is None:
        attendance.save(force_insert=True)
    else:
        attendance.save(update_fields=[*_FIELDS, "recorded_by"])


def _save_quiet(
    *, actor: User, lines: list[tuple[Attendance, dict[str, Any] | None]], events: list[Any]
) -> None:
    """Write the staged lines with nothing else to follow them, and their audit events, in their order: the new
    rows in one INSERT, the changed ones in one UPDATE per set of values (a register is mostly the same outcome),
    the events in one INSERT."""
    Attendance.objects.bulk_create([a for a, previous in lines if previous is None])
    same: dict[tuple[Any, ...], list[int]] = {}
    for attendance, previous in lines:
        if previous is not None:
            same.setdefault(tuple(getattr(attendance, k) for k in _FIELDS), []).append(attendance.pk)
    for values, ids in same.items():
        Attendance.objects.filter(pk__in=ids).update(
            **dict(zip(_FIELDS, values, strict=True)), recorded_by=actor
        )
    record_events(events)
    lines.clear()
    events.clear()


def _is_quiet(
    *, locked: Membership, attendance: Attendance, record: MemberRecord, touching: set[int]
) -> bool:
    """Nothing follows this line but its row and its audit event: no enforcement to compare, no programme to
    start, no absence or concern to tell, no change of the membership's progress (restart, block restart,
    sessions complete). Such lines are written together (`_save_quiet`); any other goes the whole way alone."""
    if locked.pk in touching or is_missed(attendance.outcome) or attendance.concern:
        return False
    if attendance.outcome in ATTENDED_OUTCOMES and locked.referral.status == ReferralStatus.ALLOCATED:
        return False
    result = record.progress()
    return not (result.restart_blocks or result.restart_required or result.sessions_complete)


def _next_step_line(membership: Membership) -> str:
    """What a missed session asks of the member, worded per programme (domain.md §6; review of issue 8)."""
    rule = _rule(membership)
    if membership.plan_id is not None:
        return "The session must be rearranged before the next one-to-one session."
    if rule.kind == "missed_per_block":
        return (
            "A catch-up of the session must be completed before the next group session; more than "
            f"{rule.limit} missed in a block means the member restarts that block at the next block boundary."
        )
    return "A catch-up of the session must be completed before the next group session."


def _block_restart_line(membership: Membership, target: ScheduledSession) -> str:
    """N-SOGP: the restart decision when this missed session took its block over the limit (002)."""
    rule = _rule(membership)
    if rule.kind != "missed_per_block" or not rule.limit:
        return ""
    from sessions.rules.attendance import block_restart_message, block_restarts

    rows = member_records([membership])[membership.pk].rows()
    for r in block_restarts(rows, rule.limit):
        if r.over_at.session_id == str(target.public_id):
            return block_restart_message(r, rule.limit)
    return ""


def _apply_block_restarts(*, actor: User, locked: Membership, record: MemberRecord) -> None:
    """002 / domain.md §6: a block over the limit -> the member restarts it at the next block boundary. The TM
    and OM are told once per block run (and it is audited); the block's booked catch-ups are cancelled (its
    missed sessions are redone with the block)."""
    rule = _rule(locked)
    if rule.kind != "missed_per_block" or not rule.limit:
        return
    from sessions.rules.attendance import block_restart_message, block_restarts

    owner = owner_of(locked)
    referral = locked.referral
    for r in block_restarts(record.rows(), rule.limit):
        message = block_restart_message(r, rule.limit)
        told = notify(
            recipients=[owner.treatment_manager, referral.person.offender_manager],
            kind="restart",
            subject=f"A programme member must restart block {r.block}",
            body=f"{referral.person.crn} has missed more than {rule.limit} sessions of block {r.block} of "
            f"{owner.reference}.\n\n{message}\n\nThe missed sessions of this block are redone with the block, "
            "not caught up one by one.",
            link=f"/memberships/{locked.public_id}/progress/",
            dedupe_key=f"block-restart:{locked.pk}:{r.over_at.session_id}",
            person=referral.person,
        )
        if told:
            record_event(
                actor=actor,
                action="membership.block_restart",
                obj=locked,
                area_id=owner.area_id,
                object_label=owner.reference,
                changes={"block": r.block, "session": r.over_at.session_id},
                reason=message,
            )
            run = {s.session_id for s in record.rows() if s.block == r.block}
            pending = [c for c in record.catch_ups if c.pending and str(c.missed_session.public_id) in run]
            if pending:
                from sessions.models import CatchUp

                CatchUp.objects.filter(pk__in=[c.pk for c in pending]).update(
                    cancelled_at=timezone.now(), cancelled_by=actor, cancel_reason=message
                )


def _notify_enforcement_change(*, referral: Referral, before: Any, link: str, already_told: bool) -> None:
    """domain.md §6: the OM is told of every enforcement step. When a write changes the referral's enforcement
    state (a sent-home reason corrected, a failure added or removed) and the absence notice did not already say
    so, the OM gets the new state."""
    after = enforcement_for([referral])[referral.pk].state
    if already_told or (after.status, after.answers) == (before.status, before.answers):
        return
    notify(
        recipients=[referral.person.offender_manager],
        kind="enforcement",
        subject="The enforcement position has changed",
        body=f"The enforcement position for {referral.person.crn} is now: {after.label.lower()}."
        f"\n\n{after.reason}",
        link=link,
        dedupe_key=f"enforcement-state:{referral.pk}:{after.status}:{after.answers}:{after.breach_due_by}",
        person=referral.person,
    )


def _notify_absence(
    *,
    locked: Membership,
    target: ScheduledSession,
    attendance: Attendance,
    previous: Mapping[str, Any] | None,
    restarted: bool,
) -> bool:
    """domain.md §6: the OM is told of every absence the same day (and of a concern the facilitator flags),
    including a corrected one (a sent-home reason changed from acceptable to unacceptable). Answers whether an
    absence notice (which carries the enforcement position) was sent."""
    referral = locked.referral
    om = referral.person.offender_manager
    owner = owner_of(locked)
    link = f"/memberships/{locked.public_id}/progress/"
    crn = referral.person.crn
    told = False
    mark = (attendance.outcome, attendance.sent_home_acceptable)
    was = (previous["outcome"], previous["sent_home_acceptable"]) if previous else None
    if is_missed(attendance.outcome) and was != mark:
        failure = is_failure_to_comply(
            attendance.outcome, sent_home_acceptable=attendance.sent_home_acceptable
        )
        what = (
            f"sent home ({'acceptable' if attendance.sent_home_acceptable else 'unacceptable'} reason)"
            if attendance.outcome == "sent_home"
            else attendance.get_outcome_display().lower()
        )
        lines = [
            f"{crn} was recorded as {what} at {session_label(target)} of {owner.reference}"
            + (" (a correction)." if previous else "."),
        ]
        block_line = _block_restart_line(locked, target)
        if block_line:
            lines.append(block_line)
        elif not restarted:
            lines.append(_next_step_line(locked))
        if failure:
            view = enforcement_for([referral])[referral.pk]
            lines.append(f"Enforcement: {view.state.reason}")
        notify(
            recipients=[om],
            kind="absence",
            subject="Absence from a programme session" + (": enforcement step due" if failure else ""),
            body="\n\n".join(lines),
            link=link,
            dedupe_key=f"absence:{attendance.pk}:{attendance.outcome}:{attendance.sent_home_acceptable}",
            person=referral.person,
        )
        told = failure
    concern_changed = previous is None or not previous["concern"] or previous["notes"] != attendance.notes
    if attendance.concern and concern_changed:
        digest = hashlib.sha256(attendance.notes.encode()).hexdigest()[:16]
        notify(
            recipients=[om],
            kind="concern",
            subject="A facilitator has flagged a concern",
            body=f"A facilitator flagged a concern about {crn} at {session_label(target)} of {owner.reference}."
            "\n\nRead the note on the member's progress page.",
            link=link,
            # A new or different concern on the same record alerts again (review of issue 8, no. 3).
            dedupe_key=f"concern:{attendance.pk}:{digest}",
            person=referral.person,
        )
    return told


def _start_programme(*, actor: User, membership: Membership, reason: str) -> None:
    """The first attended session moves the referral to `on_programme` (domain.md §9), through the referrals
    service's consequence move (facilitators may not change statuses by hand).

    A referral read past `allocated` (read with the locked membership, in this transaction) is left as it is
    without locking it: the consequence move would find it so under its lock and leave it too. Its permission
    checks (area, role) are made either way, so the answer to an actor who may not move it is unchanged."""
    from referrals.services.status import move_as_consequence, require_may_move_as_consequence

    if membership.referral.status != ReferralStatus.ALLOCATED:
        require_may_move_as_consequence(actor, membership.referral)
        return
    move_as_consequence(
        actor=actor,
        referral=membership.referral,
        membership=membership,
        to_status=ReferralStatus.ON_PROGRAMME,
        only_from=ReferralStatus.ALLOCATED,
        reason=reason,
    )


def _apply_progress(
    *, actor: User, locked: Membership, today: dt.date, record: MemberRecord | None = None
) -> str | None:
    """After a register or catch-up write: end the membership if the limit now forces a restart, or mark it
    `sessions_complete` when every session is attended or caught up. Returns the new status, if it changed.

    Restart (003; domain.md §6, §9): the membership ends `restart_required`; the referral goes on_programme ->
    restart_required -> awaiting_allocation (the reason says "Restart"; the history keeps the first attempt); the TM and OM are told.
    """
    from referrals.services.status import move_as_consequence

    if record is None:  # a register passes the record it has just written to (`_stage`)
        record = member_records([locked])[locked.pk]
    result = record.progress()
    owner = owner_of(locked)
    if result.restart_blocks and locked.status == MembershipStatus.ACTIVE:
        _apply_block_restarts(actor=actor, locked=locked, record=record)
    if result.restart_required and locked.status == MembershipStatus.ACTIVE:
        reason = result.reasons[result.codes.index("RESTART_REQUIRED")]
        locked.status = MembershipStatus.RESTART_REQUIRED
        locked.left_on = max(today, locked.joined_on)
        locked.removal_reason_code = "restart_required"
        locked.removal_reason = reason
        locked.next_status = ReferralStatus.AWAITING_ALLOCATION
        assert result.restart_session is not None  # the rules name it whenever a restart is required
        locked.restart_session = next(
            s for s in record.sessions if str(s.public_id) == result.restart_session.session_id
        )
        locked.save(
            update_fields=[
                "status",
                "left_on",
                "removal_reason_code",
                "removal_reason",
                "next_status",
                "restart_session",
            ]
        )
        referral = locked.referral
        back = f"Restart: back to the waiting list after {owner.reference} ({reason})"
        if referral.status == ReferralStatus.ON_PROGRAMME:
            move_as_consequence(
                actor=actor,
                referral=referral,
                membership=locked,
                to_status=ReferralStatus.RESTART_REQUIRED,
                reason=reason,
            )
            move_as_consequence(
                actor=actor,
                referral=referral,
                membership=locked,
                to_status=ReferralStatus.AWAITING_ALLOCATION,
                reason=back,
            )
        elif referral.status == ReferralStatus.ALLOCATED:  # never attended: straight back to the waiting list
            move_as_consequence(
                actor=actor,
                referral=referral,
                membership=locked,
                to_status=ReferralStatus.AWAITING_ALLOCATION,
                reason=back,
            )
        if locked.plan_id is not None:
            OneToOnePlan.objects.filter(pk=locked.plan_id).update(status=PlanStatus.CANCELLED)
        from .catch_ups import _cancel_obsolete_bookings

        _cancel_obsolete_bookings(
            actor=actor, membership=locked, missed_session=None, reason=f"The member must restart: {reason}"
        )
        record_event(
            actor=actor,
            action="membership.restart_required",
            obj=locked,
            area_id=owner.area_id,
            object_label=owner.reference,
            changes={"status": MembershipStatus.RESTART_REQUIRED, "missed": result.missed},
            reason=reason,
        )
        notify(
            recipients=[owner.treatment_manager, referral.person.offender_manager],
            kind="restart",
            subject="A programme member must restart",
            body=f"{referral.person.crn} must start the programme again: {reason}\n\n"
            f"Their place in {owner.reference} has ended and the referral is back on the waiting list, marked as "
            "a restart.",
            link=f"/memberships/{locked.public_id}/progress/",
            dedupe_key=f"restart:{locked.pk}",
            person=referral.person,
        )
        return MembershipStatus.RESTART_REQUIRED
    if result.sessions_complete and locked.status == MembershipStatus.ACTIVE:
        last = max(s.date for s in record.sessions)
        locked.status = MembershipStatus.SESSIONS_COMPLETE
        locked.left_on = max(last, locked.joined_on)
        locked.save(update_fields=["status", "left_on"])
        record_event(
            actor=actor,
            action="membership.sessions_complete",
            obj=locked,
            area_id=owner.area_id,
            object_label=owner.reference,
            changes={"status": MembershipStatus.SESSIONS_COMPLETE, "catch_ups": result.catch_ups_completed},
        )
        notify(
            recipients=[owner.treatment_manager, locked.referral.person.offender_manager],
            kind="progress",
            subject="A programme member has completed every session",
            body=f"{locked.referral.person.crn} has attended or caught up every session of {owner.reference}. "
            "The post-programme psychometrics and report come next.",
            link=f"/memberships/{locked.public_id}/progress/",
            dedupe_key=f"complete:{locked.pk}",
            person=locked.referral.person,
        )
        return MembershipStatus.SESSIONS_COMPLETE
    return None


def _is_failure_record(attendance: Attendance | None) -> bool:
    return attendance is not None and is_failure_to_comply(
        attendance.outcome, sent_home_acceptable=attendance.sent_home_acceptable
    )


def _record(
    *, actor: User, target: ScheduledSession, entries: Sequence[RegisterEntry], today: dt.date
) -> tuple[list[Attendance], dict[int, MemberRecord]]:
    """Check every entry first, then write them all (callers hold the transaction and the session lock). Answers
    the saved rows in the entries' order and the members' records as written (read under the locks, each line
    put into its record)."""
    locked = _lock_memberships([e.membership.pk for e in entries], target)
    records = member_records(list(locked.values()))
    changed: list[RegisterEntry] = []
    saved: list[Attendance] = []
    for index, entry in enumerate(entries):
        member = locked[entry.membership.pk]
        try:
            _validate(entry)
            if _check_entry(
                locked=member, target=target, record=records[member.pk], entry=entry, today=today
            ):
                changed.append(entry)
            else:
                saved.append(records[member.pk].attendance[target.pk])
        except DomainConflict as exc:
            exc.extra.setdefault("membership", str(member.public_id))
            exc.extra.setdefault("index", index)
            raise
    # The enforcement state changes only with the referral's failures to comply: it is read (before and after)
    # only for the members whose saved or new outcome is one; for the others it stays as it was.
    touching = [
        locked[e.membership.pk]
        for e in changed
        if is_failure_to_comply(e.outcome, sent_home_acceptable=e.sent_home_acceptable)
        or _is_failure_record(records[e.membership.pk].attendance.get(target.pk))
    ]
    states = enforcement_for([m.referral for m in touching]) if touching else {}
    before = {m.pk: states[m.referral.pk].state for m in touching}
    # Lines with nothing to follow them are written together (their rows, then their audit events, in their
    # order) before any line that does more, which is written and followed up alone, as it always was.
    touched = set(before)
    quiet: list[tuple[Attendance, dict[str, Any] | None]] = []
    events: list[Any] = []
    for entry in changed:
        member = locked[entry.membership.pk]
        record = records[member.pk]
        attendance, previous = _stage(actor=actor, locked=member, target=target, entry=entry, record=record)
        saved.append(attendance)
        alone = not _is_quiet(locked=member, attendance=attendance, record=record, touching=touched)
        if alone:
            _save_quiet(actor=actor, lines=quiet, events=events)
            _save(attendance, previous)
        else:
            quiet.append((attendance, previous))
        if entry.outcome in ATTENDED_OUTCOMES:  # for a quiet line, only the permission check
            _start_programme(
                actor=actor,
                membership=member,
                reason=f"Attended session {target.number} on {format_date(target.date)}",
            )
        event = audit_event(
            actor=actor,
            action="attendance.recorded",
            obj=member,
            area_id=owner_of(member).area_id,
            object_label=owner_of(member).reference,
            changes={
                "session": str(target.public_id),
                "outcome": {"from": previous["outcome"] if previous else None, "to": entry.outcome},
                "sent_home_acceptable": attendance.sent_home_acceptable,
                "homework_done": attendance.homework_done,
                "concern": attendance.concern,
            },
        )
        if not alone:
            events.append(event)
            continue
        record_events([event])
        new_status = _apply_progress(actor=actor, locked=member, today=today, record=record)
        told = _notify_absence(
            locked=member,
            target=target,
            attendance=attendance,
            previous=previous,
            restarted=new_status == MembershipStatus.RESTART_REQUIRED,
        )
        if member.pk in before:
            _notify_enforcement_change(
                referral=member.referral,
                before=before[member.pk],
                link=f"/memberships/{member.public_id}/progress/",
                already_told=told,
            )
    _save_quiet(actor=actor, lines=quiet, events=events)
    if target.status == SessionStatus.SCHEDULED:
        target.status = SessionStatus.DELIVERED
        target.save(update_fields=["status"])
    # The first delivered session starts a planned group or plan. Its owner, read with the locked session, is
    # left alone when it was read past `planned` (no status goes back to planned; the UPDATE keeps its condition).
    if target.group_id is not None and target.group.status == GroupStatus.PLANNED:  # type: ignore[union-attr]
        ProgrammeGroup.objects.filter(id=target.group_id, status=GroupStatus.PLANNED).update(
            status=GroupStatus.RUNNING
        )
    elif target.plan_id is not None and target.plan.status == PlanStatus.PLANNED:  # type: ignore[union-attr]
        OneToOnePlan.objects.filter(id=target.plan_id, status=PlanStatus.PLANNED).update(
            status=PlanStatus.RUNNING
        )
    return saved, records


@transaction.atomic
def record_attendance(
    *,
    actor: User,
    membership: Membership,
    session: ScheduledSession,
    outcome: str,
    sent_home_acceptable: bool | None = None,
    homework_done: bool | None = KEEP,
    personal_work: bool = KEEP,
    notes: str = KEEP,
    concern: bool = KEEP,
) -> Attendance:
    """Facilitators of the session and the area's TMs: record (or correct) one member's outcome.

    Refusals (409): REGISTER_NOT_OPEN (before the session's date), MEMBERSHIP_ENDED, CATCH_UP_OUTSTANDING (naming
    the session to catch up, `missed_session`), SESSION_CANCELLED, BEFORE_JOINING. Locks the session, then the
    membership. Audited; the OM is told of an absence or a concern after commit. Details left out (KEEP) keep
    what is saved.
    """
    check_can_take_register(actor, session)
    today = _today()
    target = _lock_session(session)
    _check_session_open(target, today)
    entry = RegisterEntry(
        membership=membership,
        outcome=outcome,
        sent_home_acceptable=sent_home_acceptable,
        homework_done=homework_done,
        personal_work=personal_work,
        notes=notes,
        concern=concern,
    )
    saved = _record(actor=actor, target=target, entries=[entry], today=today)[0][0]
    complete_if_over(actor=actor, owner=owner_of(target), today=today)
    return saved


class TakenRegister(list[Attendance]):
    """What `take_register` saved: the rows in the register's order (a list, as it always was), with the session
    as written (`session`, locked and saved: its notes and `register_taken_at`) and the written members' records
    (`records`, by membership id: read under the locks, each line put in), so a caller that shows the register
    afterwards (the API's answer) reads neither again."""

    def __init__(
        self, saved: Sequence[Attendance], *, session: ScheduledSession, records: dict[int, MemberRecord]
    ) -> None:
        super().__init__(saved)
        self.session = session
        self.records = records


@transaction.atomic
def take_register(
    *,
    actor: User,
    session: ScheduledSession,
    entries: Sequence[RegisterEntry],
    content_delivered: str | None = None,
    exercises: str | None = None,
) -> TakenRegister:
    """Facilitators of the session and the area's TMs: the whole register in one transaction (all or nothing),
    with the session notes. Refusals as for `record_attendance`, the first one naming its member. Answers the
    saved rows (with the session and the members' records as written: `TakenRegister`)."""
    check_can_take_register(actor, session)
    today = _today()
    target = _lock_session(session)
    _check_session_open(target, today)
    ids = [e.membership.pk for e in entries]
    if len(set(ids)) != len(ids):
        raise ValidationError({"records": ["Record each member once."]})
    saved, records = (
        _record(actor=actor, target=target, entries=entries, today=today) if entries else ([], {})
    )
    changed = []
    if content_delivered is not None:
        target.content_delivered = content_delivered.strip()
        changed.append("content_delivered")
    if exercises is not None:
        target.exercises = exercises.strip()
        changed.append("exercises")
    target.register_taken_at = timezone.now()
    target.register_taken_by = actor
    target.save(update_fields=[*changed, "register_taken_at", "register_taken_by"])
    owner = owner_of(target)
    record_event(
        actor=actor,
        action="register.taken",
        obj=target,
        area_id=owner.area_id,
        object_label=f"{owner.reference} session {target.number}",
        changes={"records": len(saved)},
    )
    # The last register the programme waited for completes the group or plan, in this transaction. A session
    # still to come (the completion rule's `sessions_to_come`) among those the members' records already hold means
    # it is not over: the rule would refuse (SESSIONS_TO_COME), so it is not asked.
    if not sessions_to_come(_states_of(records.values(), written=target), today=today):
        complete_if_over(actor=actor, owner=owner, today=today)
    return TakenRegister(saved, session=target, records=records)


def _states_of(records: Iterable[MemberRecord], *, written: ScheduledSession) -> list[SessionState]:
    """The live sessions the members' records hold (each from the day its member joined, read under the locks
    before the write), each once, as the completion rule sees them, reading nothing more. The session `written`
    was read before its register was taken: it is recorded. Any other is recorded as `session_states` reads it,
    from what was read (the attendance known is these members' own; every register write also delivers its
    session, so a session the records show undelivered with no register has none). Whether a session needed a
    register is not known here (True): `sessions_to_come` does not read it."""
    records = list(records)
    attended = {session_id for record in records for session_id in record.attendance}
    sessions = {s.pk: s for record in records for s in record.sessions}
    return [
        SessionState(
            number=s.number,
            date=s.date,
            recorded=pk == written.pk
            or is_recorded(status=s.status, register_taken_at=s.register_taken_at, attended=pk in attended),
            had_members=True,
        )
        for pk, s in sessions.items()
    ]
