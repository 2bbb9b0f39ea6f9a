"""Home page cards for delivery (found by isotp.home through the `home_widgets` hook), each costing a fixed number
of queries whatever the rows.

- Treatment managers: groups starting soon, groups with places free, this week's sessions and any short of trained
  and supervised facilitators (000), sessions falling on a closure date, members whose schedule now ends after their
  supervision (003), outstanding catch-ups and enforcement due (domain.md §6).
- Facilitators: today's and this week's sessions with their registers (open, taken, overdue), registers overdue and
  catch-ups to deliver.
- Offender managers: their caseload's recent absences and enforcement due.
- Area administrators: the programme versions in force.

Where no list page filters to exactly the people or sessions counted, the card links to an attention list
(`isotp.home.AttentionList`, served by `home_list` below) built by the same function as the count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions
from accounts.models import AreaClosure, FacilitatorTraining, Supervision, User
from accounts.rules import TrainingRecord, training_for
from isotp import clock
from isotp.dates import long_date, weekday_date
from isotp.home import AttentionList, Cell, QueryRows, attention_card, counted_card, gated_list
from referrals.models import Sentence
from sessions.models import (
    Attendance,
    AttendanceOutcome,
    CatchUp,
    CatchUpOutcome,
    GroupStatus,
    Membership,
    MembershipStatus,
    PlanStatus,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.progress import enforcement_due_for, member_records
from sessions.rules.attendance import MISSED_OUTCOMES, MemberSession
from sessions.selectors.catalogue import catalogue_for_area
from sessions.selectors.groups import groups_with_places, memberships_delivered_in_area
from sessions.selectors.schedule import sessions_for_facilitator, sessions_for_user

SOON_DAYS = 28
WEEK_DAYS = 6  # today and the next six days
ABSENCE_DAYS = 28  # an OM's "recent absences": the last four weeks


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _owner_cell(owner: Any) -> Cell:
    if owner is None:
        return Cell("")
    if isinstance(owner, ProgrammeGroup):
        return Cell(owner.reference, reverse("programme_sessions:group_detail", args=[owner.public_id]))
    return Cell(owner.reference, reverse("programme_sessions:plan_detail", args=[owner.public_id]))


def _person(membership: Membership) -> Cell:
    person = membership.referral.person
    return Cell(
        f"{person.first_name} {person.last_name} ({person.crn})",
        reverse("programme_sessions:member_progress", args=[membership.public_id]),
    )


def _when(session: ScheduledSession) -> str:
    return f"{weekday_date(session.date)}, {session.start:%H:%M}"


def _live(qs: QuerySet[ScheduledSession]) -> QuerySet[ScheduledSession]:
    return (
        qs.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .exclude(group__status=GroupStatus.CANCELLED)
        .exclude(plan__status=PlanStatus.CANCELLED)
    )


# --- treatment managers ------------------------------------------------------------------------------------------


def _week_sessions(user: User, today: dt.date) -> list[ScheduledSession]:
    """The area's live sessions from today for seven days, with each facilitator's training records preloaded
    and whether they have a current supervisor (three queries: that is a column of the facilitators' query, not a
    query of its own; issue 11). The facilitators are read once, in the order the rows name them (by name):
    `facilitators.all()` and `facilitator_records` are the same list (it was read twice)."""
    facilitators = (
        User.objects.order_by("full_name")
        .annotate(
            supervised=Exists(
                Supervision.objects.filter(facilitator_id=OuterRef("pk"), ended_on__isnull=True)
            )
        )
        .prefetch_related(Prefetch("training_records", queryset=FacilitatorTraining.objects.all()))
    )
    qs = _live(sessions_for_user(user)).filter(
        date__gte=today, date__lte=today + dt.timedelta(days=WEEK_DAYS)
    )
    week = list(
        qs.prefetch_related(None)
        .prefetch_related(Prefetch("facilitators", queryset=facilitators))
        .order_by("date", "start", "id")
    )
    for session in week:
        session.facilitator_records = list(session.facilitators.all())  # type: ignore[attr-defined]
    return week


def _ready(session: ScheduledSession) -> tuple[int, int, list[str]]:
    """How many of the session's facilitators are trained for its programme and supervised (000), how many it
    needs, and what is wrong with the others."""
    owner = session.group or session.plan
    programme = owner.programme  # type: ignore[union-attr]
    ready, problems = 0, []
    for f in session.facilitator_records:  # type: ignore[attr-defined]
        decision = training_for(
            programme.programme, [TrainingRecord(r.kind, r.programme) for r in f.training_records.all()]
        )
        supervised = f.supervised
        if decision.trained and supervised:
            ready += 1
            continue
        why = list(decision.missing) + ([] if supervised else ["has no current supervisor"])
        problems.append(f"{f.full_name} {'; '.join(why)}")
    return ready, programme.facilitators_per_session, problems


def _is_short(session: ScheduledSession) -> bool:
    """Whether `sessions_short_of_facilitators` lists the session: fewer ready facilitators than it needs."""
    ready, needed, _ = _ready(session)
    return ready < needed


def _session_row(session: ScheduledSession, note: str) -> tuple[Cell, ...]:
    return (
        Cell(_when(session)),
        _owner_cell(session.group or session.plan),
        Cell(session.venue.name),
        Cell(", ".join(f.full_name for f in session.facilitators.all()) or "None"),
        Cell(note),
    )


SESSION_COLUMNS = ("When", "Group or plan", "Venue", "Facilitators", "")
SESSIONS_THIS_WEEK = {
    "key": "sessions-this-week",
    "title": "Sessions this week",
    "description": "Sessions from today for seven days, with how many of the facilitators needed are trained "
    "and supervised.",
}
SESSIONS_SHORT = {
    "key": "sessions-short-of-facilitators",
    "title": "Sessions without enough ready facilitators",
    "description": "This week's sessions with fewer trained and supervised facilitators than the programme needs "
    "(staff deliver under a treatment manager's supervision at all times).",
}


def sessions_this_week(
    user: User, today: dt.date, week: list[ScheduledSession] | None = None
) -> AttentionList:
    """TMs: the area's sessions in the next seven days and whether each has enough ready facilitators."""
    rows = []
    for s in _week_sessions(user, today) if week is None else week:
        ready, needed, _ = _ready(s)
        rows.append(_session_row(s, f"{ready} of {needed} ready"))
    return AttentionList(
        **SESSIONS_THIS_WEEK,
        columns=(*SESSION_COLUMNS[:-1], "Facilitators ready"),
        rows=rows,
        empty="No sessions in the next seven days.",
    )


def sessions_short_of_facilitators(
    user: User, today: dt.date, week: list[ScheduledSession] | None = None
) -> AttentionList:
    """TMs: this week's sessions with fewer trained and supervised facilitators than the programme needs (000)."""
    rows = []
    for s in _week_sessions(user, today) if week is None else week:
        ready, needed, problems = _ready(s)
        if ready < needed:
            note = f"{ready} of {needed} ready" + (f": {'; '.join(problems)}" if problems else "")
            rows.append(_session_row(s, note))
    return AttentionList(
        **SESSIONS_SHORT,
        columns=(*SESSION_COLUMNS[:-1], "What is missing"),
        rows=rows,
        empty="Every session this week has enough trained, supervised facilitators.",
    )


def sessions_on_closures(user: User, today: dt.date) -> AttentionList:
    """TMs: live sessions from today that fall on one of the area's closure dates (added after the schedule was
    made): they need rescheduling (domain.md §5). Two queries."""
    closures = AreaClosure.objects.filter(area_id=user.area_id, date__gte=today)
    reasons = dict(closures.values_list("date", "reason"))
    qs = (
        _live(sessions_for_user(user))
        .filter(date__gte=today, date__in=list(reasons))
        .order_by("date", "start")
    )
    rows = [_session_row(s, reasons.get(s.date, "")) for s in qs] if reasons else []
    return AttentionList(
        key="sessions-on-closures",
        title="Sessions on closure dates",
        description="Sessions booked on a day the area is closed: reschedule them.",
        columns=(*SESSION_COLUMNS[:-1], "Closure"),
        rows=rows,
        empty="No session falls on a closure date.",
    )


def _active_memberships(user: User) -> QuerySet[Membership]:
    qs = memberships_delivered_in_area(user).filter(status=MembershipStatus.ACTIVE)
    return qs.select_related(
        "group",
        "group__programme",
        "plan",
        "plan__programme",
        "referral",
        "referral__person",
        "referral__area",
    ).order_by("referral__person__last_name", "referral__person__first_name", "id")


def _after_supervision(user: User) -> QuerySet[Any]:
    """Active members whose last live session is after their current sentence's supervision ends, in row order.
    Both dates are subqueries: one for the group, one for the plan, each walking its own (group or plan, date)
    index backwards (`group OR plan` walked the national date index instead: issue 11, 1 ms a member)."""
    live = _live(ScheduledSession.objects.all())
    by_group = live.filter(group_id=OuterRef("group_id")).values("date").order_by("-date")[:1]
    by_plan = live.filter(plan_id=OuterRef("plan_id")).values("date").order_by("-date")[:1]
    current = Sentence.objects.filter(person_id=OuterRef("referral__person_id")).order_by(
        "-start_date", "-id"
    )
    return (
        _active_memberships(user)
        .annotate(
            last_session=Coalesce(Subquery(by_group), Subquery(by_plan)),
            supervision_end=Subquery(current.values("supervision_end_date")[:1]),
        )
        .filter(last_session__gt=F("supervision_end"))
    )


SCHEDULES_AFTER_SUPERVISION = {
    "key": "schedules-after-supervision",
    "title": "Schedules ending after supervision",
    "description": "Members whose last session is now after their supervision ends: they could not finish "
    "the programme.",
}


def schedules_after_supervision(user: User, today: dt.date) -> AttentionList:
    """TMs: active members whose last live session is now after the end of their current sentence's supervision
    (003: the programme must finish within it), e.g. after a reschedule. One query."""
    rows = [
        (
            _person(m),
            _owner_cell(m.group or m.plan),
            Cell(long_date(m.last_session)),
            Cell(long_date(m.supervision_end)),
        )
        for m in _after_supervision(user)
    ]
    return AttentionList(
        **SCHEDULES_AFTER_SUPERVISION,
        columns=("Member", "Group or plan", "Last session", "Supervision ends"),
        rows=rows,
        empty="Every member's schedule ends within their supervision.",
    )


def schedules_after_supervision_card(user: User, today: dt.date) -> dict[str, Any]:
    """The home card of `schedules_after_supervision`, as `attention_card(..., name_column=1)` makes it (its count
    and each group or plan once, in row order), from the rows' groups and plans alone: one query reading four
    columns, no member, person or programme built (issue 11: the rows joined seven tables and built each member)."""
    owners = _after_supervision(user).values_list(
        "group__reference", "group__public_id", "plan__reference", "plan__public_id"
    )
    count = 0
    named: dict[tuple[str, object], Cell] = {}
    for group_ref, group_id, plan_ref, plan_id in owners:
        count += 1
        if group_id is not None:
            key: tuple[str, object] = ("group_detail", group_id)
            ref = group_ref
        elif plan_id is not None:
            key, ref = ("plan_detail", plan_id), plan_ref
        else:
            continue
        if key not in named:
            named[key] = Cell(ref, reverse(f"programme_sessions:{key[0]}", args=[key[1]]))
    return counted_card(
        **SCHEDULES_AFTER_SUPERVISION,
        count=count,
        link_text="See who cannot finish in time",
        named=list(named.values()),
    )


def _outstanding(user: User) -> list[tuple[Membership, tuple[MemberSession, ...]]]:
    """The rows of `catch_ups_outstanding`: each active member (in row order) with a missed session not yet caught
    up, and those sessions (the rules' `outstanding`). Five queries for any number of members.

    Only members with a missed session recorded (an attendance outcome in MISSED_OUTCOMES: the rules' `is_missed`,
    and an outstanding catch-up is one of those) and not yet caught up (perf12) are read and worked through the
    rules (perf9): at national scale most active members have missed nothing, or caught up all they missed, and
    their records cost the most."""
    # perf12: nor members whose every missed session has been caught up (a catch-up of it by the same member,
    # attended or late: `CatchUp.attended`, what the rules call caught up); a missed session left to catch up is
    # still read and worked through the rules, which decide.
    caught_up = CatchUp.objects.filter(
        membership_id=OuterRef("membership_id"),
        missed_session_id=OuterRef("session_id"),
        outcome__in=[CatchUpOutcome.ATTENDED, CatchUpOutcome.LATE],
    )
    missed = Attendance.objects.filter(
        membership_id=OuterRef("pk"), outcome__in=list(MISSED_OUTCOMES)
    ).filter(~Exists(caught_up))
    # The candidates' ids first, from the memberships alone: planning the rows' seven-table join with the missed
    # sessions' EXISTS took PostgreSQL 5 ms (issue 11), and at national scale there is often no candidate at all.
    ids = list(
        memberships_delivered_in_area(user)
        .filter(status=MembershipStatus.ACTIVE)
        .filter(Exists(missed))
        .values_list("pk", flat=True)
    )
    members = list(_active_memberships(user).filter(pk__in=ids)) if ids else []
    records = member_records(members) if members else {}  # nobody to read: no query built
    return [(m, outstanding) for m in members if (outstanding := records[m.pk].progress().outstanding)]


CATCH_UPS_OUTSTANDING = {
    "key": "catch-ups-outstanding",
    "title": "Outstanding catch-ups",
    "description": "Members who missed a session and have not yet attended its catch-up: they cannot attend "
    "later sessions until they do.",
}


def catch_ups_outstanding(user: User, today: dt.date) -> AttentionList:
    """TMs (the area) and facilitators (their members): active members with a missed session not yet caught up
    (domain.md §6), as the attendance rules count it (`_outstanding`). Five queries for any number of members."""
    rows = [
        (
            _person(m),
            _owner_cell(m.group or m.plan),
            Cell("; ".join(s.label for s in outstanding)),
        )
        for m, outstanding in _outstanding(user)
    ]
    return AttentionList(
        **CATCH_UPS_OUTSTANDING,
        columns=("Member", "Group or plan", "To catch up"),
        rows=rows,
        empty="No catch-ups outstanding.",
    )


ENFORCEMENT_DUE = {
    "key": "enforcement-due",
    "title": "Enforcement due",
    "description": "Unacceptable absences that need a warning, or breach action by the tenth working day after "
    "the absence (CJA 2003 Sch. 8; National Standards).",
}


def enforcement_due(user: User, today: dt.date) -> AttentionList:
    """TMs (the area) and OMs (their caseload): referrals whose warning or breach action is due (domain.md §6),
    worked out by the enforcement rules. Four queries for any number of referrals."""
    rows = []
    for r, view in enforcement_due_for(user):
        state = view.state
        due = long_date(state.breach_due_by) if state.breach_due_by else ""
        rows.append(
            (
                Cell(
                    f"{r.person.first_name} {r.person.last_name} ({r.person.crn})",
                    reverse("referrals:referral_detail", args=[r.public_id]),
                ),
                Cell(state.label),
                Cell(due),
                Cell(state.reason),
            )
        )
    return AttentionList(
        **ENFORCEMENT_DUE,
        columns=("Person", "Due", "By", "Why"),
        rows=rows,
        empty="No warning or breach action is due.",
    )


def _groups(user: User) -> QuerySet[Any]:
    """The area's groups not completed or cancelled, with `member_count` and `places_free`, for the two group
    lists and their counts: no group's slots, facilitators or managers are read (their rows show none)."""
    return groups_with_places(user, lean=True)


def _soon(today: dt.date) -> Q:
    return Q(start_date__gte=today, start_date__lte=today + dt.timedelta(days=SOON_DAYS))


def _sessions_left(today: dt.date) -> Exists:
    """Whether a group has a session to come (today or later, not cancelled)."""
    return Exists(
        ScheduledSession.objects.filter(group_id=OuterRef("pk"), date__gte=today).exclude(
            status=SessionStatus.CANCELLED_BY_PROVIDER
        )
    )


# Planned and running groups with a session to come (annotated `sessions_left`) and a place free.
WITH_PLACES = Q(sessions_left=True, status__in=[GroupStatus.PLANNED, GroupStatus.RUNNING], places_free__gt=0)


GROUPS_STARTING_SOON = {
    "key": "groups-starting-soon",
    "title": "Groups starting in the next 4 weeks",
    "description": "Allocate people from the waiting list before the first session.",
}
GROUPS_WITH_PLACES = {
    "key": "groups-with-places",
    "title": "Groups with places free",
    "description": "Planned and running groups with places to fill from the waiting list.",
}


def groups_starting_soon(user: User, today: dt.date) -> AttentionList:
    """TMs: groups whose first session is in the next four weeks, places counted in the query. The home card
    counts them (`group_counts`, no row built); the attention page builds one page of rows."""
    qs = _groups(user).filter(_soon(today))

    def row(g: Any) -> tuple[Cell, ...]:
        return (
            _owner_cell(g),
            Cell(g.programme.name),
            Cell(long_date(g.start_date)),
            Cell(f"{g.member_count} of {g.capacity}"),
        )

    rows = QueryRows(qs.order_by("start_date", "id"), row)
    return AttentionList(
        **GROUPS_STARTING_SOON,
        columns=("Group", "Programme", "Starts", "Places filled"),
        rows=rows,
        empty="No group starts in the next four weeks.",
    )


def groups_with_places_free(user: User, today: dt.date) -> AttentionList:
    """TMs: planned and running groups with places free, and how many, built a page at a time (`QueryRows`). A
    finished group is completed by its last register (sessions.services.completion), so its status leaves it
    out; a running group whose sessions have all passed but whose last registers are still to be taken has no
    place to fill either, so a session to come (today or later, not cancelled) is asked for as well."""
    qs = (
        _groups(user)
        .annotate(sessions_left=_sessions_left(today))
        .filter(WITH_PLACES)
        .order_by("start_date", "id")
    )

    def row(g: Any) -> tuple[Cell, ...]:
        return (
            _owner_cell(g),
            Cell(g.programme.name),
            Cell(f"{g.member_count} of {g.capacity}"),
            Cell(str(g.places_free)),
        )

    return AttentionList(
        **GROUPS_WITH_PLACES,
        columns=("Group", "Programme", "Places filled", "Free"),
        rows=QueryRows(qs, row),
        empty="Every planned and running group is full.",
    )


def group_counts(user: User, today: dt.date) -> dict[str, int]:
    """The home's group figures in one aggregate query over the area's groups (issue 11: the two cards cost five
    queries, four of them reading every planned and running group with its slots, facilitators and manager):
    `soon`, the rows of `groups_starting_soon`; `with_places`, the rows of `groups_with_places_free`; `places`,
    the sum of their places free."""
    counts = (
        _groups(user)
        .annotate(sessions_left=_sessions_left(today))
        .aggregate(
            soon=Count("pk", filter=_soon(today)),
            with_places=Count("pk", filter=WITH_PLACES),
            places=Coalesce(Sum("places_free", filter=WITH_PLACES), 0),
        )
    )
    return {key: int(value) for key, value in counts.items()}


# --- facilitators ------------------------------------------------------------------------------------------------


# What a register row (`_register_row`) reads of a session, its group or plan and its venue.
REGISTER_ROW_FIELDS = (
    "public_id",
    "date",
    "start",
    "register_taken_at",
    "group__public_id",
    "group__reference",
    "plan__public_id",
    "plan__reference",
    "venue__name",
)


def _register_rows(qs: QuerySet[ScheduledSession]) -> QuerySet[ScheduledSession]:
    """Sessions read for register rows only: their group or plan and venue joined, and only the columns the rows
    show. The rows name no facilitator and no programme, so neither is read: the two programme joins and a hundred
    columns cost PostgreSQL more to plan than to run (issue 11: 6 of the 7.5 ms of the facilitator's overdue
    registers were planning)."""
    return (
        qs.prefetch_related(None)
        .select_related(None)
        .select_related("group", "plan", "venue")
        .only(*REGISTER_ROW_FIELDS)
    )


def _with_records(qs: QuerySet[ScheduledSession]) -> QuerySet[ScheduledSession]:
    """A register counts as taken when it was submitted whole or any member's attendance was recorded on it."""
    return _register_rows(qs).annotate(recorded=Exists(Attendance.objects.filter(session_id=OuterRef("pk"))))


def _register_state(session: ScheduledSession, today: dt.date) -> str:
    """A register is open from the session's day (domain.md §6), overdue once that day has passed untaken."""
    if session.register_taken_at is not None or getattr(session, "recorded", False):
        return "Register taken"
    if session.date > today:
        return "Not open yet"
    return "Register open" if session.date == today else "Register overdue"


def _register_row(session: ScheduledSession, today: dt.date) -> tuple[Cell, ...]:
    state = _register_state(session, today)
    href = (
        ""
        if state == "Not open yet"
        else reverse("programme_sessions:session_register", args=[session.public_id])
    )
    return (
        Cell(_when(session)),
        _owner_cell(session.group or session.plan),
        Cell(session.venue.name),
        Cell(state, href),
    )


REGISTER_COLUMNS = ("When", "Group or plan", "Venue", "Register")


def _my_week(user: User, today: dt.date) -> list[ScheduledSession]:
    """A facilitator's live sessions from today for seven days, with whether each register is taken (one query)."""
    return list(_with_records(sessions_for_facilitator(user, today, today + dt.timedelta(days=WEEK_DAYS))))


def my_sessions_today(
    user: User, today: dt.date, week: list[ScheduledSession] | None = None
) -> AttentionList:
    """Today's sessions: the first of the week's (`week`, when the home page has read it already), same order."""
    if week is None:
        sessions: Iterable[ScheduledSession] = _with_records(sessions_for_facilitator(user, today, today))
    else:
        sessions = [s for s in week if s.date == today]
    rows = [_register_row(s, today) for s in sessions]
    return AttentionList(
        key="my-sessions-today",
        title="Your sessions today",
        description="Take each register on the day.",
        columns=REGISTER_COLUMNS,
        rows=rows,
        empty="No sessions today.",
    )


def my_sessions_this_week(
    user: User, today: dt.date, week: list[ScheduledSession] | None = None
) -> AttentionList:
    qs = _my_week(user, today) if week is None else week
    return AttentionList(
        key="my-sessions-this-week",
        title="Your sessions this week",
        description="Your sessions from today for seven days, with their registers.",
        columns=REGISTER_COLUMNS,
        rows=[_register_row(s, today) for s in qs],
        empty="No sessions in the next seven days.",
    )


def registers_overdue(user: User, today: dt.date) -> AttentionList:
    """Facilitators: their past live sessions whose register has not been taken (one query)."""
    on_the_day = Membership.objects.filter(joined_on__lte=OuterRef("date")).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("date"))
    )
    # One EXISTS for the group's members and one for the plan's, ORed: PostgreSQL runs each as a probe of its
    # (owner) index, where one EXISTS over `group OR plan` became a semi-join whose join orders took 3 ms to plan.
    members = Exists(on_the_day.filter(group_id=OuterRef("group_id"))) | Exists(
        on_the_day.filter(plan_id=OuterRef("plan_id"))
    )
    qs = (
        _live(sessions_for_user(user))
        .filter(date__lt=today, register_taken_at__isnull=True)
        .exclude(Exists(Attendance.objects.filter(session_id=OuterRef("pk"))))
        .filter(members)  # a register with no one on it is not overdue
        .order_by("date", "start")
    )
    qs = _register_rows(qs)
    return AttentionList(
        key="registers-overdue",
        title="Registers overdue",
        description="Sessions you delivered whose register has not been taken.",
        columns=REGISTER_COLUMNS,
        rows=[_register_row(s, today) for s in qs],
        empty="Every register is taken.",
    )


def catch_ups_to_deliver(user: User, today: dt.date) -> AttentionList:
    """Facilitators: catch-ups booked with them whose outcome is not yet recorded (one query)."""
    qs = (
        # The membership's stored delivery area is its group's or plan's: no join to either (issue 11).
        CatchUp.objects.filter(facilitator_id=user.pk, outcome="", membership__delivery_area_id=user.area_id)
        .select_related("membership__referral__person", "missed_session")
        .only(
            "public_id",
            "date",
            "start",
            "membership__public_id",
            "membership__referral__person__first_name",
            "membership__referral__person__last_name",
            "membership__referral__person__crn",
            "missed_session__number",
            "missed_session__module_title",
        )
        .order_by("date", "start", "id")
    )
    rows = [
        (
            _person(c.membership),
            Cell(weekday_date(c.date) + (f", {c.start:%H:%M}" if c.start else "")),
            Cell(f"Session {c.missed_session.number}: {c.missed_session.module_title}"),
            Cell(
                "Record the outcome" if c.date <= today else "Booked",
                reverse("programme_sessions:catch_up_outcome", args=[c.public_id]),
            ),
        )
        for c in qs
    ]
    return AttentionList(
        key="catch-ups-to-deliver",
        title="Catch-ups to deliver",
        description="Catch-ups booked with you and not yet recorded.",
        columns=("Member", "When", "Catches up", ""),
        rows=rows,
        empty="No catch-ups booked with you.",
    )


# --- offender managers -------------------------------------------------------------------------------------------


def caseload_absences(user: User, today: dt.date) -> AttentionList:
    """OMs: absences (and sendings home) of people on their caseload in the last four weeks (one query)."""
    qs = (
        Attendance.objects.filter(
            membership__referral__person__offender_manager_id=user.pk,
            membership__referral__area_id=user.area_id,
            outcome__in=list(MISSED_OUTCOMES),
            session__date__gte=today - dt.timedelta(days=ABSENCE_DAYS),
        )
        .select_related(
            "membership", "membership__referral__person", "session", "session__group", "session__plan"
        )
        .order_by("-session__date", "id")
    )
    rows = [
        (
            _person(a.membership),
            Cell(weekday_date(a.session.date)),
            Cell(f"Session {a.session.number}"),
            Cell(
                a.get_outcome_display()
                + (
                    ""
                    if a.outcome != AttendanceOutcome.SENT_HOME
                    else (" (acceptable)" if a.sent_home_acceptable else " (unacceptable)")
                )
            ),
        )
        for a in qs
    ]
    return AttentionList(
        key="caseload-absences",
        title="Absences in the last 4 weeks",
        description="Missed sessions of people you manage. Each opens a catch-up; an unacceptable one may need "
        "enforcement.",
        columns=("Person", "Date", "Session", "Outcome"),
        rows=rows,
        empty="No absences in the last four weeks.",
    )


# --- area administrators -----------------------------------------------------------------------------------------

VENUE_DAYS = 56


def venues_coming_up(user: User, today: dt.date) -> AttentionList:
    """Administrators: the venues with sessions booked in the next eight weeks, how many and from when, and any
    marked inactive (they need the sessions moved). One query, grouped by venue."""
    qs = (
        _live(sessions_for_user(user))
        .filter(date__gte=today, date__lte=today + dt.timedelta(days=VENUE_DAYS))
        .order_by()
        .values("venue_id", "venue__name", "venue__active")
        .annotate(sessions=Count("id"), first=Min("date"), last=Max("date"))
        .order_by("venue__name", "venue_id")
    )
    rows = [
        (
            Cell(v["venue__name"]),
            Cell(str(v["sessions"])),
            Cell(f"{long_date(v['first'])} to {long_date(v['last'])}"),
            Cell("Marked inactive: move these sessions" if not v["venue__active"] else "In use"),
        )
        for v in qs
    ]
    return AttentionList(
        key="venues-coming-up",
        title="Venues booked in the next 8 weeks",
        description="Venues with programme sessions booked; check each is available on those days.",
        columns=("Venue", "Sessions", "Dates", "Status"),
        rows=rows,
        empty="No sessions booked in the next eight weeks.",
    )


# --- the hooks ---------------------------------------------------------------------------------------------------

Builder = Callable[[User, dt.date], AttentionList]

# Who may open each list: the same predicates that choose the cards.
LISTS: dict[str, tuple[Builder, Callable[[Any], bool]]] = {
    "sessions-this-week": (sessions_this_week, permissions.can_manage_delivery),
    "sessions-short-of-facilitators": (sessions_short_of_facilitators, permissions.can_manage_delivery),
    "sessions-on-closures": (sessions_on_closures, permissions.can_manage_delivery),
    "schedules-after-supervision": (schedules_after_supervision, permissions.can_manage_delivery),
    "groups-starting-soon": (groups_starting_soon, permissions.can_manage_delivery),
    "groups-with-places": (groups_with_places_free, permissions.can_manage_delivery),
    "catch-ups-outstanding": (
        catch_ups_outstanding,
        lambda u: permissions.can_manage_delivery(u) or permissions.is_facilitator(u),
    ),
    "enforcement-due": (
        enforcement_due,
        lambda u: permissions.can_manage_delivery(u) or permissions.is_offender_manager(u),
    ),
    "my-sessions-today": (my_sessions_today, permissions.can_view_own_calendar),
    "my-sessions-this-week": (my_sessions_this_week, permissions.can_view_own_calendar),
    "registers-overdue": (registers_overdue, permissions.can_view_own_calendar),
    "catch-ups-to-deliver": (catch_ups_to_deliver, permissions.can_view_own_calendar),
    "caseload-absences": (caseload_absences, permissions.is_offender_manager),
    "venues-coming-up": (venues_coming_up, permissions.is_area_admin),
}


def home_list(request: HttpRequest, key: str) -> AttentionList | None:
    """The attention list `key` if this app owns it; a role that may not see it is refused (403)."""
    return gated_list(LISTS, request, key)


def _states(rows: Iterable[tuple[Cell, ...]], column: int) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row[column].text] += 1
    return counts


def _treatment_manager(user: User, today: dt.date) -> list[dict[str, Any]]:
    sessions = _week_sessions(user, today)  # the two session cards share the week's four queries
    # The two cards show counts only: the rows of `sessions_this_week` (one a session) and of
    # `sessions_short_of_facilitators` (one a session short), counted without building a row (issue 11).
    short = sum(1 for s in sessions if _is_short(s))
    groups = group_counts(user, today)  # both group cards' figures in one query, no group read
    return [
        counted_card(
            GROUPS_STARTING_SOON["key"],
            GROUPS_STARTING_SOON["title"],
            GROUPS_STARTING_SOON["description"],
            count=groups["soon"],
            link_text="View the groups starting soon",
        ),
        counted_card(
            GROUPS_WITH_PLACES["key"],
            GROUPS_WITH_PLACES["title"],
            f"{groups['places']} places free in all.",
            count=groups["with_places"],
            link_text="Fill places from the waiting list",
        ),
        counted_card(
            **SESSIONS_THIS_WEEK, named=(), count=len(sessions), link_text="View this week's sessions"
        ),
        counted_card(**SESSIONS_SHORT, named=(), count=short, link_text="See which sessions and why"),
        # Issue 13: the consequences of a change, naming the groups and plans to put right (each linking to its page).
        attention_card(
            sessions_on_closures(user, today), link_text="Reschedule these sessions", name_column=1
        ),
        schedules_after_supervision_card(user, today),
        counted_card(  # the rows of `catch_ups_outstanding`, counted without building a row
            **CATCH_UPS_OUTSTANDING,
            named=(),
            count=len(_outstanding(user)),
            link_text="See who has catch-ups to do",
        ),
        # The rows of `enforcement_due`, one a referral due, counted without building a row.
        counted_card(
            **ENFORCEMENT_DUE,
            named=(),
            count=len(enforcement_due_for(user)),
            link_text="See the warnings and breaches due",
        ),
    ]


def _facilitator(user: User, today: dt.date) -> list[dict[str, Any]]:
    sessions = _my_week(user, today)  # today's card and the week's share one query
    todays = my_sessions_today(user, today, sessions)
    week = my_sessions_this_week(user, today, sessions)
    states = _states(week.rows, 3)
    summary = ", ".join(f"{n} {state.lower()}" for state, n in sorted(states.items())) or "Nothing this week."
    return [
        attention_card(
            todays,
            link_text="Take today's registers",
            description=", ".join(f"{n} {s.lower()}" for s, n in sorted(_states(todays.rows, 3).items()))
            or "No sessions today.",
        ),
        attention_card(week, link_text="View this week's sessions", description=summary),
        attention_card(registers_overdue(user, today), link_text="Take the overdue registers"),
        attention_card(catch_ups_to_deliver(user, today), link_text="See your catch-ups"),
        counted_card(
            **CATCH_UPS_OUTSTANDING,
            named=(),
            count=len(_outstanding(user)),
            link_text="See who has catch-ups to do",
        ),
    ]


def _offender_manager(user: User, today: dt.date) -> list[dict[str, Any]]:
    return [
        attention_card(caseload_absences(user, today), link_text="See the absences"),
        attention_card(enforcement_due(user, today), link_text="Record warnings and breach action"),
    ]


def _area_admin(user: User, today: dt.date) -> list[dict[str, Any]]:
    entries = catalogue_for_area(user, today=today)
    own = sum(1 for e in entries if e.current is not None and e.current.area_id is not None)
    return [
        {
            "title": "Programme versions in force",
            "count": sum(1 for e in entries if e.current is not None),
            "description": f"{own} use {user.area}'s own version; the rest the national one.",
            "url": reverse("programme_sessions:programme_list"),
            "link_text": "View the programme catalogue",
        },
        attention_card(venues_coming_up(user, today), link_text="View the venues booked"),
    ]


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    """The delivery cards for the user's role."""
    today = clock.today()
    user = _user(request)
    if permissions.can_manage_delivery(user):
        return _treatment_manager(user, today)
    if permissions.can_view_own_calendar(user):
        return _facilitator(user, today)
    if permissions.is_offender_manager(user):
        return _offender_manager(user, today)
    if permissions.can_edit_catalogue(user):
        return _area_admin(user, today)
    return []
