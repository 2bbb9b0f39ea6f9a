"""Reads behind attendance: a member's sessions as the rules see them, their progress, and a referral's
enforcement state (domain.md §6). Batched: one query per table whatever the number of members, so a register of
ten costs what a register of one does.

Services call these inside their locks; selectors and pages call them to show the same decisions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import BooleanField, Exists, F, Field, OuterRef, Q, QuerySet, TimeField, Value

from accounts import permissions
from accounts.models import ProbationArea, User
from referrals.models import Referral
from referrals.rules import OPEN_STATUSES
from sessions.models import (
    Attendance,
    AttendanceOutcome,
    CatchUp,
    CatchUpException,
    CatchUpOutcome,
    EnforcementAction,
    EnforcementKind,
    Membership,
    MembershipStatus,
    Programme,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules import bank_holidays, format_date
from sessions.rules.attendance import MemberSession, Progress, RestartRule, is_failure_to_comply, progress
from sessions.rules.enforcement import BREACH_DUE, WARNING_DUE, Enforcement, enforcement_state


def restart_rule(programme: Programme) -> RestartRule:
    """The programme version's restart rule (catalogue: configurable per programme, domain.md §6)."""
    return RestartRule(programme.restart_kind, programme.restart_limit)


def programme_of(membership: Membership) -> Programme:
    owner = membership.group or membership.plan
    return owner.programme  # type: ignore[union-attr]


def session_label(session: ScheduledSession) -> str:
    """'session 4 on Monday 3 May 2027' (no personal data)."""
    return _label(session.number, session.date)


def _label(number: int, day: dt.date) -> str:
    return f"session {number} on {format_date(day)}"


def live_sessions(memberships: Sequence[Membership]) -> dict[int, list[ScheduledSession]]:
    """Per membership: the live sessions of its group or plan from the day it joined (one query)."""
    group_ids = {m.group_id for m in memberships if m.group_id}
    plan_ids = {m.plan_id for m in memberships if m.plan_id}
    if not group_ids and not plan_ids:
        return {}
    rows = list(
        ScheduledSession.objects.filter(Q(group_id__in=group_ids) | Q(plan_id__in=plan_ids))
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .order_by("date", "start", "number")
    )
    out: dict[int, list[ScheduledSession]] = {}
    for m in memberships:
        out[m.pk] = [
            s
            for s in rows
            if ((m.group_id and s.group_id == m.group_id) or (m.plan_id and s.plan_id == m.plan_id))
            and s.date >= m.joined_on
        ]
    return out


@dataclass
class MemberRecord:
    """Everything the rules need about one member, loaded together."""

    membership: Membership
    sessions: list[ScheduledSession]
    attendance: dict[int, Attendance]
    catch_ups: list[CatchUp]
    exceptions: dict[int, CatchUpException]

    @cached_property
    def _names(self) -> list[tuple[str, str]]:
        """Each session's id and label, worked out once: the rows are rebuilt after every change of the
        attendance, the sessions never change."""
        return [(str(s.public_id), session_label(s)) for s in self.sessions]

    def rows(self) -> list[MemberSession]:
        closed = {c.missed_session_id for c in self.catch_ups if c.attended}
        return [
            MemberSession(
                session_id=session_id,
                number=s.number,
                date=s.date,
                block=s.block,
                start=s.start,
                outcome=self.attendance[s.pk].outcome if s.pk in self.attendance else None,
                caught_up=s.pk in closed,
                exception=s.pk in self.exceptions,
                label=label,
            )
            for s, (session_id, label) in zip(self.sessions, self._names, strict=True)
        ]

    def row_for(
        self, session: ScheduledSession, rows: Sequence[MemberSession] | None = None
    ) -> MemberSession:
        """The session's row (of `rows`, when the caller has just built them)."""
        key = str(session.public_id)
        return next(r for r in (self.rows() if rows is None else rows) if r.session_id == key)

    def progress(self) -> Progress:
        return progress(self.rows(), rule=restart_rule(programme_of(self.membership)))


def member_records(memberships: Sequence[Membership]) -> dict[int, MemberRecord]:
    """Per membership: sessions, attendance, catch-ups and exceptions (four queries in all)."""
    ids = [m.pk for m in memberships]
    sessions = live_sessions(memberships)
    attendance: dict[int, dict[int, Attendance]] = defaultdict(dict)
    for a in Attendance.objects.filter(membership_id__in=ids):
        attendance[a.membership_id][a.session_id] = a
    catch_ups: dict[int, list[CatchUp]] = defaultdict(list)
    for c in CatchUp.objects.filter(membership_id__in=ids).select_related(
        "facilitator", "venue", "missed_session"
    ):
        catch_ups[c.membership_id].append(c)
    exceptions: dict[int, dict[int, CatchUpException]] = defaultdict(dict)
    for e in CatchUpException.objects.filter(membership_id__in=ids).select_related("granted_by"):
        exceptions[e.membership_id][e.missed_session_id] = e
    return {
        m.pk: MemberRecord(m, sessions.get(m.pk, []), attendance[m.pk], catch_ups[m.pk], exceptions[m.pk])
        for m in memberships
    }


def member_record(membership: Membership) -> MemberRecord:
    return member_records([membership])[membership.pk]


# --- enforcement ---------------------------------------------------------------------------------------------


def holiday_check(area: ProbationArea) -> Callable[[dt.date], bool]:
    """A function answering whether a day is a bank holiday in the area's jurisdiction (domain.md §5, §6)."""
    jurisdiction = area.holiday_subdivision or area.jurisdiction
    cache: dict[int, set[dt.date]] = {}

    def is_holiday(day: dt.date) -> bool:
        if day.year not in cache:
            cache[day.year] = set(bank_holidays(jurisdiction, [day.year]))
        return day in cache[day.year]

    return is_holiday


@dataclass(frozen=True)
class Failure:
    """A failure to comply: an unacceptable absence or unacceptable sending home, at a session or catch-up."""

    date: dt.date
    what: str
    session_id: str

    @property
    def kind(self) -> str:
        """ "sent home (unacceptable)" or "unacceptable absence", for short lists (review of issue 8, no. 15)."""
        return "sent home (unacceptable)" if self.what.startswith("Sent home") else "unacceptable absence"


# Where `failures_by_referral` reads each column of a failure, for an absence from a session and for one from a
# catch-up (None: no such column, NULL), in the order of the one UNION ALL it reads them with.
_FAILURE_SOURCES = (
    # column, from an attendance record, from a catch-up
    ("referral", "membership__referral_id", "membership__referral_id"),
    ("outcome", "outcome", "outcome"),
    ("acceptable", "sent_home_acceptable", None),
    ("on", "session__date", "date"),
    ("number", "session__number", "missed_session__number"),
    ("held", "session__date", "missed_session__date"),
    ("session", "session__public_id", "missed_session__public_id"),
    ("start", None, "start"),
    ("id", "id", "id"),
)
_NULLS: dict[str, Field[Any, Any]] = {"acceptable": BooleanField(), "start": TimeField()}


def _failure_rows(qs: QuerySet[Any], kind: str) -> QuerySet[Any]:
    """`qs`'s rows as failures of `kind` ("session" or "catch_up"): the kind, then `_FAILURE_SOURCES`' columns."""
    side = 1 if kind == "session" else 2
    columns: dict[str, Any] = {"f_kind": Value(kind)}
    for row in _FAILURE_SOURCES:
        name, source = row[0], row[side]
        columns[f"f_{name}"] = F(source) if source else Value(None, output_field=_NULLS[name])
    return qs.order_by().annotate(**columns).values_list(*columns)


def failures_by_referral(referral_ids: Iterable[int]) -> dict[int, list[Failure]]:
    """Per referral, its failures to comply across all its memberships: unacceptable absences from sessions and
    from catch-ups, in one query (a UNION ALL of the two; issue 11: they were two, on every page that shows
    enforcement: the TM's and OM's homes, a referral, the enforcement lists). Read as plain rows of the columns a
    failure shows, not as attendance, session and membership instances."""
    ids = list(referral_ids)
    out: dict[int, list[Failure]] = defaultdict(list)
    sessions = _failure_rows(
        Attendance.objects.filter(membership__referral_id__in=ids).filter(
            Q(outcome="unacceptable_absence") | Q(outcome="sent_home", sent_home_acceptable=False)
        ),
        "session",
    )
    catch_ups = _failure_rows(
        CatchUp.objects.filter(membership__referral_id__in=ids, outcome=CatchUpOutcome.UNACCEPTABLE_ABSENCE),
        "catch_up",
    )
    # In the order the two queries gave before: by date, a day's session absences (by record) before its catch-ups
    # (by start and record), as the models order them.
    rows = sorted(
        sessions.union(catch_ups, all=True),
        key=lambda r: (r[4], r[0] == "catch_up", r[8] or dt.time.min, r[9]),
    )
    for kind, referral_id, outcome, acceptable, day, number, held, session_id, _start, _id in rows:
        if kind == "catch_up":
            what = f"Unacceptable absence from the catch-up of {_label(number, held)}"
        elif is_failure_to_comply(outcome, sent_home_acceptable=acceptable):
            what = "Unacceptable absence" if outcome == "unacceptable_absence" else "Sent home (unacceptable)"
            what = f"{what}: {_label(number, held)}"
        else:
            continue
        out[referral_id].append(Failure(day, what, str(session_id)))
    return out


def actions_by_referral(referral_ids: Iterable[int]) -> dict[int, list[EnforcementAction]]:
    out: dict[int, list[EnforcementAction]] = defaultdict(list)
    for action in EnforcementAction.objects.filter(referral_id__in=list(referral_ids)).select_related(
        "recorded_by"
    ):
        out[action.referral_id].append(action)
    return out


@dataclass(frozen=True)
class EnforcementView:
    """A referral's enforcement state with the failures and actions behind it."""

    state: Enforcement
    failures: tuple[Failure, ...]
    actions: tuple[EnforcementAction, ...]


def enforcement_for(
    referrals: Sequence[object], *, failures: dict[int, list[Failure]] | None = None
) -> dict[int, EnforcementView]:
    """Per referral (objects with `pk` and `area`): the enforcement state (three queries for any number; one when
    the caller passes the `failures`, e.g. none for referrals it knows have never had a place)."""
    ids = [r.pk for r in referrals]  # type: ignore[attr-defined]
    if failures is None:
        failures = failures_by_referral(ids)
    actions = actions_by_referral(ids)
    checks: dict[int, object] = {}
    out: dict[int, EnforcementView] = {}
    for r in referrals:
        area = r.area  # type: ignore[attr-defined]
        check = checks.setdefault(area.pk, holiday_check(area))
        acts = actions.get(r.pk, [])  # type: ignore[attr-defined]
        fails = failures.get(r.pk, [])  # type: ignore[attr-defined]
        state = enforcement_state(
            failures=[f.date for f in fails],
            warnings=[a.on for a in acts if a.kind == EnforcementKind.WARNING],
            breaches=[a.on for a in acts if a.kind == EnforcementKind.BREACH],
            is_holiday=check,  # type: ignore[arg-type]
        )
        out[r.pk] = EnforcementView(state, tuple(fails), tuple(acts))  # type: ignore[attr-defined]
    return out


def with_failures(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Referrals with at least one failure to comply (a subquery: no extra query). An absence is looked for per
    referral (a correlated EXISTS through the membership's referral index: a few probes per open referral of the
    area), a missed catch-up among the country's unacceptable catch-ups (a partial index, a handful of rows).
    Joining the referrals' memberships to their failures instead made PostgreSQL scan every membership in the
    country (issue 11: ~5 ms at national scale, growing with it); `EXISTS (...) OR EXISTS (...)` over both made
    it hash every unacceptable absence in the country (290 ms)."""
    absence = Attendance.objects.filter(membership__referral_id=OuterRef("pk")).filter(
        Q(outcome=AttendanceOutcome.UNACCEPTABLE_ABSENCE)
        | Q(outcome=AttendanceOutcome.SENT_HOME, sent_home_acceptable=False)
    )
    missed_catch_up = CatchUp.objects.filter(outcome=CatchUpOutcome.UNACCEPTABLE_ABSENCE).values(
        "membership__referral_id"
    )
    return referrals.filter(Q(Exists(absence)) | Q(pk__in=missed_catch_up))


def enforcement_due_for(user: User) -> list[tuple[Referral, EnforcementView]]:
    """TMs (the area) and OMs (their caseload): each open referral whose warning or breach action is due (domain.md
    §6), with the enforcement view behind it, in the order of the people's names. Four queries for any number of
    referrals: only referrals with a failure to comply are read and worked through the rules (with none, nothing
    is due). The home page's card, its attention list and the caseload panel of the people list all read this,
    so they agree."""
    # A closed referral (completed, withdrawn, deselected, not suitable) has no enforcement left to take.
    referrals = Referral.objects.filter(area_id=user.area_id, status__in=list(OPEN_STATUSES))
    if permissions.is_offender_manager(user):
        referrals = referrals.filter(person__offender_manager_id=user.pk)
    candidates = list(
        with_failures(referrals)
        .select_related("person", "area")
        .order_by("person__last_name", "person__first_name", "id")
    )
    views = enforcement_for(candidates)
    return [(r, views[r.pk]) for r in candidates if views[r.pk].state.status in (WARNING_DUE, BREACH_DUE)]


# --- registers and progress for pages and the API ----------------------------------------------------------


@dataclass
class RegisterLine:
    """One member on a session's register."""

    membership: Membership
    record: Attendance | None
    outstanding: list[MemberSession]
    blocked_by: str
    blocked_code: str = ""

    @property
    def ended(self) -> bool:
        """The membership has ended (restart required, removed, sessions complete): its row is read-only."""
        return membership_ended(self.membership)

    @property
    def may_attend(self) -> bool:
        return not self.blocked_by and not self.ended


def membership_ended(membership: Membership) -> bool:
    """A register's member whose membership has ended (restart required, removed, sessions complete): their row
    is read-only, never posted."""
    return membership.status != MembershipStatus.ACTIVE


def register_members(session: ScheduledSession) -> list[Membership]:
    """The members of the session's group or plan on its date (joined by then, not left before), by surname."""
    owner = Q(group_id=session.group_id) if session.group_id else Q(plan_id=session.plan_id)
    return list(
        Membership.objects.filter(owner, joined_on__lte=session.date)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=session.date))
        .select_related(
            "group", "group__programme", "plan", "plan__programme", "referral", "referral__person"
        )
        .order_by("referral__person__last_name", "referral__person__first_name", "id")
    )


def register_for(
    session: ScheduledSession,
    records: Mapping[int, MemberRecord] | None = None,
    members: list[Membership] | None = None,
) -> list[RegisterLine]:
    """The register of a session: each member's record and whether a catch-up blocks their attendance (a fixed
    number of queries for any group size). `records`: members' records the caller holds as they are now (a
    register just written, `take_register`), by membership id; only the other members' are read. `members`: the
    session's `register_members`, if the caller has read them."""
    from sessions.rules.attendance import blocking_catch_up

    members = register_members(session) if members is None else members
    known = records or {}
    missing = [m for m in members if m.pk not in known]
    records = {**member_records(missing), **known} if missing else known
    lines = []
    for m in members:
        record = records[m.pk]
        rows = record.rows()
        at = next((r for r in rows if r.session_id == str(session.public_id)), None)
        active = m.status == MembershipStatus.ACTIVE
        blocker = (
            blocking_catch_up(rows, at=at, rule=restart_rule(programme_of(m))) if at and active else None
        )
        result = progress(
            rows, rule=restart_rule(programme_of(m))
        )  # record.progress() on the rows just built
        saved = record.attendance.get(session.pk)
        if saved is not None:  # the API shows its membership and session: no query per member
            saved.membership = m
            saved.session = session
        lines.append(
            RegisterLine(
                membership=m,
                record=saved,
                outstanding=[s for s in result.outstanding if active and (at is None or s.date < at.date)],
                blocked_by=blocker.message if blocker else "",
                blocked_code=blocker.code if blocker else "",
            )
        )
    return lines


def progress_dict(membership: Membership, record: MemberRecord | None = None) -> dict[str, object]:
    """The membership's progress fields for the API (`GET memberships/{id}/`)."""
    record = record or member_record(membership)
    result = record.progress()
    return {
        "total_sessions": result.total,
        "sessions_attended": result.attended,
        "sessions_missed": result.missed,
        "catch_ups_completed": result.catch_ups_completed,
        "catch_ups_outstanding": [s.session_id for s in result.outstanding],
        "catch_up_limit": result.catch_up_limit,
        "restart_blocks": list(result.restart_blocks),
        "codes": list(result.codes),
        "reasons": list(result.reasons),
    }
