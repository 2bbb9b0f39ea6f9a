"""Reads for quality assurance, statistics and outcomes, scoped to the user first.

The statistics read each table once (one query per table, whatever the number of people): the rows go to the
pure rules in `quality.rules`, which compute every figure. An area's user sees only that area's figures; the
national scope needs the national grant (`accounts.permissions.can_view_national_statistics`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django.db.models import Count, Exists, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.models import Role, User
from assessments.models import Administration, BatteryVersion, ScaleScore
from assessments.rules.battery import InvalidBattery, parse_battery
from assessments.rules.results import change_classifications
from isotp.counting import counted
from isotp.prefetch import prefetch_many_to_many
from quality.models import (
    AuditPack,
    AuditPackStatus,
    MonitoringForm,
    QaSettings,
    Reoffence,
    SessionRecording,
    SupervisionRecord,
)
from quality.rules.monitoring import DEFAULT_MONITORING_TARGET, MonitoredShare, monitored_share
from quality.rules.outcomes import CohortMember, CohortOutcome, cohort_year
from quality.rules.outcomes import Reoffence as ReoffenceRow
from quality.rules.outcomes import outcomes as outcome_rules
from quality.rules.programme import (
    Period,
    PlaceRow,
    ProgrammeStatistics,
    non_completion_reason,
    programme_statistics,
)
from referrals.models import Ogrs3Assessment, Referral, RiskMatrixAssessment
from reports.models import PostProgrammeReport, ReportVersion
from reports.rules import completion_decision
from sessions.models import (
    ATTENDED_OUTCOMES,
    Attendance,
    CatchUp,
    EnforcementAction,
    EnforcementKind,
    Membership,
    ScheduledSession,
    SessionFacilitator,
    SessionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

DEFAULT_REPORT_DAYS = 20


def _uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


# --- settings -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    monitoring_target: float
    report_days: int


def targets_for_area(area_id: int | None) -> Targets:
    """The area's QA settings, or the defaults (national figures use the defaults)."""
    row = QaSettings.objects.filter(area_id=area_id).first() if area_id else None
    if row is None:
        return Targets(DEFAULT_MONITORING_TARGET, DEFAULT_REPORT_DAYS)
    return Targets(_monitoring_target(row.monitoring_target), row.report_days)


def _monitoring_target(stored: Decimal | float | None) -> float:
    """An area's monitoring target as stored in its QA settings, or the default where it has none."""
    return DEFAULT_MONITORING_TARGET if stored is None else float(stored)


# --- scope ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose figures: one area (its id and name) or every area (national)."""

    area_id: int | None
    label: str

    @property
    def national(self) -> bool:
        return self.area_id is None


def statistics_scope(user: User | AnonymousUser, *, national: bool) -> Scope:
    """The user's area, or national for a user with the national grant; refused (403) otherwise."""
    permissions.require(permissions.can_view_statistics(user))
    if national:
        permissions.require(permissions.can_view_national_statistics(user))
        return Scope(None, "All areas")
    # A national reader from another role sees national figures only, never an area's working data.
    permissions.require(permissions.can_view_area_statistics(user))
    return Scope(user.area_id, str(user.area))  # type: ignore[union-attr]


def _scoped(qs: QuerySet[Any], scope: Scope, field: str) -> QuerySet[Any]:
    return qs if scope.national else qs.filter(**{field: scope.area_id})


# --- statistics -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatisticsData:
    scope: Scope
    programme: str
    period: Period
    statistics: ProgrammeStatistics
    scale_names: dict[str, str]
    places: list[PlaceRow]


def _place_queryset(scope: Scope, programme: str, since: dt.date, until: dt.date) -> QuerySet[Membership]:
    """Places touching the period: joined, left, completed or reported (first version issued) in it (one query, no
    duplicates).

    An area's: the report's completion and its first version's issue are scalar subqueries on the place's own key,
    an index lookup each for the area's places (issue 11: an OR over a join to every report and an EXISTS over
    every version had PostgreSQL scan both tables, nationally, for one area's few hundred places). National: the
    join and the EXISTS, which PostgreSQL hashes, as every place in the country is read anyway."""
    qs = _scoped(Membership.objects.all(), scope, "referral__area_id")
    if programme:
        qs = qs.filter(referral__programme=programme)
    if scope.national:
        issued = ReportVersion.objects.filter(
            report__membership=OuterRef("pk"), number=1, issued_at__date__range=(since, until)
        )
        return qs.filter(
            Q(joined_on__range=(since, until))
            | Q(left_on__range=(since, until))
            | Q(report__completion_recorded_at__date__range=(since, until))
            | Exists(issued)
        )
    completed = (
        PostProgrammeReport.objects.filter(membership=OuterRef("pk"))
        .order_by()
        .values("completion_recorded_at")[:1]
    )
    first_issue = (
        ReportVersion.objects.filter(report__membership=OuterRef("pk"), number=1)
        .order_by()
        .values("issued_at")[:1]
    )
    return qs.annotate(completion_at=Subquery(completed), first_issued_at=Subquery(first_issue)).filter(
        Q(joined_on__range=(since, until))
        | Q(left_on__range=(since, until))
        | Q(completion_at__date__range=(since, until))
        | Q(first_issued_at__date__range=(since, until))
    )


@contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compilation off for the queries inside (in a transaction: `SET LOCAL`). The places query
    runs a subquery per place by index in a few ms, but the planner costs each subquery as if run for every one of
    the area's referrals, the estimate passes `jit_above_cost`, and compiling the plan took 40 ms (issue 11)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _last_attended(scope: Scope, places: QuerySet[Membership]) -> QuerySet[Membership]:
    """The places with the date of the last session each attended: an area's, a subquery per place (its
    attendance by index); national, the `last_attended` aggregate (one pass) is read instead."""
    if scope.national:
        return places
    # MAX, not ORDER BY date DESC LIMIT 1: with the LIMIT the planner may walk every session backwards by date.
    last = (
        Attendance.objects.filter(membership=OuterRef("pk"), outcome__in=list(ATTENDED_OUTCOMES))
        .order_by()
        .values("membership")
        .annotate(last=Max("session__date"))
        .values("last")
    )
    return places.annotate(last_attended_on=Subquery(last))


def _last_attended_by_place(membership_ids: list[int]) -> dict[int, dt.date]:
    """membership id -> the date of the last session attended (one aggregate over the places' attendance)."""
    return {
        r["membership_id"]: r["last"]
        for r in Attendance.objects.filter(
            membership_id__in=membership_ids, outcome__in=list(ATTENDED_OUTCOMES)
        )
        .values("membership_id")
        .annotate(last=Max("session__date"))
        .order_by()
    }


def _psychometrics(
    membership_ids: list[int], *, classify: bool = True
) -> tuple[dict[int, dict[str, Any]], dict[str, str]]:
    """membership id -> {"pre": bool, "post": bool, "classes": {scale: classification}}; scale code -> name.
    Three queries: administrations (with their battery version), scale scores; without `classify` (who did which
    administration is all the outcomes need) one: no scores read, no classes, no names."""
    admins = list(
        Administration.objects.filter(membership_id__in=membership_ids)
        # Within a place, in the model's order (the first administration's battery version is the place's): no
        # join to the memberships to order by theirs (issue 11).
        .order_by("membership_id", "administered_on", "id")
        .values("id", "membership_id", "kind", "battery_version_id")
    )
    if not classify:
        return _administered(admins), {}
    versions = {
        v.pk: v for v in BatteryVersion.objects.filter(pk__in={a["battery_version_id"] for a in admins})
    }
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    for row in (
        ScaleScore.objects.filter(administration_id__in=[a["id"] for a in admins])
        .order_by()
        .values_list("administration_id", "scale_code", "score")
    ):
        scores[row[0]][row[1]] = float(row[2])
    by_membership: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"pre": None, "post": None, "version": None}
    )
    for a in admins:
        slot = by_membership[a["membership_id"]]
        slot[a["kind"]] = scores.get(a["id"], {})
        slot["version"] = slot["version"] or a["battery_version_id"]
    names: dict[str, str] = {}
    parsed: dict[int, Any] = {}
    out: dict[int, dict[str, Any]] = {}
    # The places in the order given (the first place to name a scale names it, as before issue 11's reordering).
    for membership_id in membership_ids:
        if membership_id not in by_membership:
            continue
        slot = by_membership[membership_id]
        classes: dict[str, str] = {}
        version = versions.get(slot["version"])
        if version is not None and slot["pre"] is not None and slot["post"] is not None:
            if version.pk not in parsed:
                try:
                    parsed[version.pk] = parse_battery(version.definition)
                except InvalidBattery:
                    parsed[version.pk] = None
            battery = parsed[version.pk]
            if battery is not None:
                for scale in battery.scales:
                    names.setdefault(scale.code, scale.name)
                classes = change_classifications(battery, slot["pre"], slot["post"])
        out[membership_id] = {
            "pre": slot["pre"] is not None,
            "post": slot["post"] is not None,
            "classes": classes,
        }
    return out, names


def _administered(admins: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """membership id -> {"pre": bool, "post": bool, "classes": {}}: which administrations each place has."""
    kinds: dict[int, set[str]] = defaultdict(set)
    for a in admins:
        kinds[a["membership_id"]].add(a["kind"])
    return {m: {"pre": "pre" in k, "post": "post" in k, "classes": {}} for m, k in kinds.items()}


def _catch_ups(membership_ids: list[int]) -> dict[int, int]:
    """membership id -> catch-ups delivered (attended or late)."""
    rows = (
        CatchUp.objects.filter(membership_id__in=membership_ids, outcome__in=("attended", "late"))
        .values("membership_id")
        .annotate(n=Count("id"))
    )
    return {r["membership_id"]: r["n"] for r in rows}


def _places(scope: Scope, programme: str, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """The places touching the period, as plain rows (with the last session attended, for an area)."""
    return list(
        _last_attended(scope, _place_queryset(scope, programme, since, until)).values(
            "id",
            "referral_id",
            "referral__person_id",
            "referral__programme",
            "referral__submitted_at",
            "joined_on",
            "left_on",
            "status",
            "next_status",
            "removal_reason_code",
            *(() if scope.national else ("last_attended_on",)),
        )
    )


def place_rows(
    scope: Scope, programme: str, since: dt.date, until: dt.date, *, classify: bool = True
) -> tuple[list[tuple[int, int, str, PlaceRow]], dict[str, str]]:
    """(membership id, person id, programme, row) for every place touching the period, from one query per table,
    and the names of the psychometric scales measured (without `classify`: no scale classifications or names,
    only whether the pre and post psychometrics were done)."""
    with _without_jit():
        places = _places(scope, programme, since, until)
    ids = [p["id"] for p in places]
    last_session = (
        _last_attended_by_place(ids) if scope.national else {p["id"]: p["last_attended_on"] for p in places}
    )
    reports = {
        r["membership_id"]: r
        for r in PostProgrammeReport.objects.filter(membership_id__in=ids)
        .annotate(first_issued=Min("versions__issued_at"))
        .values("membership_id", "kind", "status", "completion_recorded_at", "first_issued")
    }
    catch_ups = _catch_ups(ids)
    breached = set(
        EnforcementAction.objects.filter(
            referral_id__in={p["referral_id"] for p in places}, kind=EnforcementKind.BREACH
        ).values_list("referral_id", flat=True)
    )
    psychometrics, names = _psychometrics(ids, classify=classify)
    rows = []
    for p in places:
        report = reports.get(p["id"])
        psy = psychometrics.get(p["id"], {"pre": False, "post": False, "classes": {}})
        recorded = report["completion_recorded_at"] if report else None
        counts = bool(
            report
            and recorded is not None
            # PC 09/2007 (domain.md §8): the report issued to the OM and the post psychometrics done. "Issued" is
            # the first issued version's record, never the report's current status: an amendment reopens the
            # report but never moves or removes the completion.
            and completion_decision(
                kind=report["kind"],
                post_psychometrics_done=psy["post"],
                issued_to_om=report["first_issued"] is not None,
            ).counts
        )
        submitted = p["referral__submitted_at"]
        issued = report["first_issued"] if report else None
        rows.append(
            (
                p["id"],
                p["referral__person_id"],
                p["referral__programme"],
                PlaceRow(
                    referral_submitted_on=submitted.date() if submitted else None,
                    joined_on=p["joined_on"],
                    left_on=p["left_on"],
                    status=p["status"],
                    next_status=p["next_status"],
                    removal_reason_code=p["removal_reason_code"],
                    breach_actioned=p["referral_id"] in breached,
                    completion_on=recorded.date() if recorded else None,
                    completion_counts=counts,
                    catch_ups=catch_ups.get(p["id"], 0),
                    last_session_on=last_session.get(p["id"]),
                    report_issued_on=issued.date() if issued else None,
                    pre_done=psy["pre"],
                    post_done=psy["post"],
                    scale_classifications=psy["classes"],
                ),
            )
        )
    return rows, names


def statistics_for(scope: Scope, *, programme: str, period: Period, today: dt.date) -> StatisticsData:
    """Every programme statistic for the scope, programme ("" for all) and period: one query per table."""
    referrals = _scoped(Referral.objects.all(), scope, "area_id").filter(
        submitted_at__date__range=(period.start, period.end)
    )
    if programme:
        referrals = referrals.filter(programme=programme)
    submitted = [d.date() for d in referrals.values_list("submitted_at", flat=True)]
    attendance = _scoped(Attendance.objects.all(), scope, "membership__referral__area_id").filter(
        session__date__range=(period.start, period.end)
    )
    if programme:
        attendance = attendance.filter(membership__referral__programme=programme)
    counted = attendance.aggregate(
        attended=Count("id", filter=Q(outcome__in=list(ATTENDED_OUTCOMES))),
        recorded=Count("id"),
        people=Count("membership__referral__person_id", distinct=True),
    )
    rows, names = place_rows(scope, programme, period.start, period.end)
    places = [row for *_, row in rows]
    targets = targets_for_area(scope.area_id)
    stats = programme_statistics(
        period=period,
        today=today,
        referrals_submitted=submitted,
        places=places,
        attended=counted["attended"],
        attendance_recorded=counted["recorded"],
        report_days=targets.report_days,
        scales=sorted(names),
        attendance_people=counted["people"],
    )
    return StatisticsData(
        scope=scope, programme=programme, period=period, statistics=stats, scale_names=names, places=places
    )


# --- outcomes -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomesData:
    scope: Scope
    programme: str
    period: Period
    outcomes: list[CohortOutcome]


def outcomes_for(scope: Scope, *, programme: str, period: Period, today: dt.date) -> OutcomesData:
    """Observed 1- and 2-year proven reoffending beside OGRS3's prediction for the places that ended in the
    period, completers and non-completers. One query per table (places with their last session, reports, catch-ups,
    breaches, psychometric administrations, OGRS3, RM2000, reoffences); a programme filter's subset is the places
    of that programme among them.

    Disclosure control (reviews of issue 14): the cohort is the whole calendar year of the period's end (fixed,
    non-overlapping cohorts, so no two answers can be subtracted), and a programme
    filter is checked against the rest of the scope (secondary suppression). Each person is counted once: in the
    cohort of his latest ending in the period (a man who restarted and later completed is a completer, once)."""
    period = cohort_year(period)
    # No scale classifications: the outcomes need only whether a completion counts (issue 11).
    rows, _ = place_rows(scope, "", period.start, period.end, classify=False)
    latest: dict[tuple[bool, int], tuple[dt.date, str]] = {}
    for _, person_id, place_programme, row in rows:
        ending: tuple[dt.date, str] | None = None
        if row.completion_counts and row.completion_on in period:
            ending = (row.completion_on, "completers")  # type: ignore[assignment]
        elif non_completion_reason(row) is not None and row.left_on in period:
            ending = (row.left_on, "non_completers")  # type: ignore[assignment]
        if ending is None:
            continue
        key = (not programme or place_programme == programme, person_id)
        if key not in latest or ending > latest[key]:
            latest[key] = ending
    people = {person_id for _, person_id in latest}
    ogrs3: dict[int, list[tuple[dt.date, int, Decimal, Decimal]]] = defaultdict(list)
    for o in Ogrs3Assessment.objects.filter(person_id__in=people).values_list(
        "person_id", "assessed_on", "id", "one_year", "two_year"
    ):
        ogrs3[o[0]].append(o[1:])
    rm2000: dict[int, list[tuple[dt.date, int, str]]] = defaultdict(list)
    for r in RiskMatrixAssessment.objects.filter(person_id__in=people).values_list(
        "person_id", "assessed_on", "id", "s"
    ):
        rm2000[r[0]].append(r[1:])
    offences: dict[int, list[ReoffenceRow]] = defaultdict(list)
    for person_id, offence_on, sexual in Reoffence.objects.filter(person_id__in=people).values_list(
        "person_id", "offence_on", "sexual"
    ):
        offences[person_id].append(ReoffenceRow(offence_on=offence_on, sexual=sexual))
    members: list[CohortMember] = []
    others: list[CohortMember] = []
    for (inside, person_id), (ended_on, cohort) in latest.items():
        # The latest OGRS3 and RM2000 assessed by the end of the place: the prediction made before the outcome.
        score = max((o for o in ogrs3[person_id] if o[0] <= ended_on), default=None)
        risk = max((r for r in rm2000[person_id] if r[0] <= ended_on), default=None)
        (members if inside else others).append(
            CohortMember(
                cohort=cohort,
                ended_on=ended_on,
                ogrs3_one_year=float(score[2]) if score else None,
                ogrs3_two_year=float(score[3]) if score else None,
                rm2000_s=risk[2] if risk else "unknown",
                reoffences=tuple(offences[person_id]),
            )
        )
    return OutcomesData(
        scope=scope,
        programme=programme,
        period=period,
        outcomes=outcome_rules(members, today=today, others=others if programme else None),
    )


# --- quality assurance ----------------------------------------------------------------------------------------


def recordings_for_user(user: User | AnonymousUser) -> QuerySet[SessionRecording]:
    """TMs: their area's recordings, newest first, with the session and its group or plan joined and the number of
    monitoring forms annotated; a page's facilitators are loaded by `with_facilitators` (a fixed number of
    queries per page). Who marked a
    recording is not shown by any page or list, so it is not joined: the join made PostgreSQL hash every staff
    account in the country for a page (issue 11)."""
    if not permissions.can_monitor_sessions(user):
        return SessionRecording.objects.none()
    return (
        SessionRecording.objects.filter(area_id=user.area_id)  # type: ignore[union-attr]
        .select_related("session__group", "session__plan")
        # A correlated count for the rows shown, not a GROUP BY over the recordings joined to every monitoring
        # form in the country (issue 11).
        .annotate(
            forms=Coalesce(
                Subquery(
                    MonitoringForm.objects.filter(recording=OuterRef("pk"))
                    .order_by()
                    .values("recording")
                    .annotate(n=Count("id"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        # The recording's copy of its session's date and start: the page is read in order from the
        # (area, date, start, id) index, not sorted from every recording of the area's history (issue 11).
        .order_by("-session_date", "-session_start", "-id")
    )


def recording_for_user(user: User | AnonymousUser, public_id: object) -> SessionRecording:
    """One recording of the TM's area (404 otherwise)."""
    return get_object_or_404(
        recordings_for_user(user).prefetch_related("session__facilitators"), public_id=_uuid(public_id)
    )


def with_facilitators(recordings: Iterable[SessionRecording]) -> list[SessionRecording]:
    """A page of recordings with each session's facilitators loaded (by name) in two queries by key: the links of
    the page's sessions, then those people (`prefetch_related` joined them, and PostgreSQL hashed every staff
    account in the country for a page: issue 11)."""
    page = list(recordings)
    prefetch_many_to_many([r.session for r in page], "facilitators", User.objects.order_by("full_name"))
    return page


def recordable_sessions(
    user: User | AnonymousUser, today: dt.date, now: dt.datetime | None = None
) -> QuerySet[ScheduledSession]:
    """A facilitator's delivered sessions of the last 8 weeks not yet marked as recorded (newest first): only those
    that have ended by `now` (local time; default: now), the rule `mark_recorded` applies (rules.monitoring)."""
    from django.utils import timezone

    from quality.rules.monitoring import ended_by

    if not permissions.is_facilitator(user):
        return ScheduledSession.objects.none()
    last_day, last_end = ended_by(now or timezone.localtime().replace(tzinfo=None))
    return (
        # Through the links' copy of the date (their (user, date) index): the 8 weeks' links, not the history's.
        ScheduledSession.objects.filter(
            Q(date__lt=last_day) | Q(date=last_day, end__lte=last_end),
            facilitator_links__user=cast(User, user),
            facilitator_links__date__range=(today - dt.timedelta(weeks=8), today),
            facilitator_links__cancelled=False,
            recording__isnull=True,
        )
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .select_related("group", "plan")
        .order_by("-date", "-start")
    )


def session_for_recording(user: User | AnonymousUser, public_id: object) -> ScheduledSession:
    """A session the user may mark as recorded: theirs (a facilitator) or their area's (a TM); 404 otherwise."""
    qs = ScheduledSession.objects.select_related("group", "plan")
    if permissions.is_facilitator(user):
        qs = qs.filter(facilitators=cast(User, user))
    elif permissions.is_treatment_manager(user):
        qs = qs.filter(delivery_area_id=user.area_id)  # type: ignore[union-attr]
    else:
        qs = qs.none()
    return get_object_or_404(qs.distinct(), public_id=_uuid(public_id))


def facilitators_for_user(user: User | AnonymousUser) -> QuerySet[User]:
    """Managers: their area's active facilitators, by name."""
    if not permissions.is_manager(user):
        return User.objects.none()
    return User.objects.filter(
        area_id=cast(User, user).area_id, role=Role.FACILITATOR, is_active=True
    ).order_by("full_name")


def facilitator_for_user(user: User | AnonymousUser, public_id: object) -> User:
    """A facilitator whose record the user may read (themselves, or their area's for managers); 404 otherwise."""
    target = get_object_or_404(
        User.objects.select_related("area"), public_id=_uuid(public_id), role=Role.FACILITATOR
    )
    if not permissions.can_view_facilitator_record(user, target):
        raise Http404
    return target


@dataclass(frozen=True)
class FacilitatorShare:
    facilitator: User
    share: MonitoredShare


def monitoring_shares(
    user: User | AnonymousUser, *, since: dt.date, today: dt.date
) -> list[FacilitatorShare]:
    """Managers: each facilitator's delivered, recorded and monitored sessions since `since`, against the area's
    target. One query whatever the number of facilitators: the facilitators with their three counts and the
    area's target as columns (issue 11: the list, the session counts, the forms and the settings were four)."""
    # The links carry their session's date and cancellation (SessionFacilitator): an index range scan on
    # (user, date) per facilitator reads the window's links only, not every link of their history (issue 11).
    links = SessionFacilitator.objects.filter(
        user_id=OuterRef("pk"), date__range=(since, today), cancelled=False
    )
    # The forms' sessions are checked per form (a correlated EXISTS on the recording's key): joining them made
    # PostgreSQL hash every recording in the country (issue 11, perf15: 12,800 at scale 1, 2.2 ms -> 0.6 ms).
    in_window = SessionRecording.objects.filter(
        pk=OuterRef("recording_id"), session__date__range=(since, today)
    )
    facilitators = facilitators_for_user(user).annotate(
        delivered=counted(links),
        # Each link's recording looked up by its session key (joining the session first doubled the probes).
        recorded=counted(
            links.filter(Exists(SessionRecording.objects.filter(session_id=OuterRef("scheduledsession_id"))))
        ),
        monitored=counted(
            MonitoringForm.objects.filter(facilitator_id=OuterRef("pk")).filter(Exists(in_window))
        ),
        qa_target=Subquery(
            QaSettings.objects.filter(area_id=OuterRef("area_id")).values("monitoring_target")[:1]
        ),
    )
    return [
        FacilitatorShare(
            facilitator=f,
            share=monitored_share(
                delivered=f.delivered,
                recorded=f.recorded,
                monitored=f.monitored,
                target=_monitoring_target(f.qa_target),
            ),
        )
        for f in facilitators
    ]


@dataclass(frozen=True)
class FacilitatorRecord:
    facilitator: User
    training: list[Any]
    supervisors: list[Any]
    supervision: list[SupervisionRecord]
    monitoring: list[MonitoringForm]
    delivered: int
    share: MonitoredShare


def facilitator_record(user: User | AnonymousUser, facilitator: User, *, today: dt.date) -> FacilitatorRecord:
    """A facilitator's training, supervisors, supervision sessions, monitoring forms and delivery on one page."""
    since = today - dt.timedelta(days=365)
    links = SessionFacilitator.objects.filter(user=facilitator, date__range=(since, today), cancelled=False)
    counted = links.aggregate(
        n=Count("id"), recorded=Count("id", filter=Q(scheduledsession__recording__isnull=False))
    )
    monitoring = list(
        MonitoringForm.objects.filter(facilitator=facilitator)
        .select_related("recording__session__group", "recording__session__plan", "rated_by")
        .order_by("-viewed_on", "-id")[:50]
    )
    monitored = sum(1 for m in monitoring if since <= m.recording.session.date <= today)
    target = targets_for_area(facilitator.area_id).monitoring_target
    return FacilitatorRecord(
        facilitator=facilitator,
        training=list(facilitator.training_records.order_by("-date_passed")),
        supervisors=list(
            facilitator.supervisions.select_related("treatment_manager").order_by("-started_on")
        ),
        supervision=list(
            SupervisionRecord.objects.filter(facilitator=facilitator)
            .select_related("treatment_manager")
            .order_by("-held_on", "-id")[:50]
        ),
        monitoring=monitoring,
        delivered=counted["n"],
        share=monitored_share(
            delivered=counted["n"], recorded=counted["recorded"], monitored=monitored, target=target
        ),
    )


def reoffences_for_person(user: User | AnonymousUser, person: Any) -> QuerySet[Reoffence]:
    """The person's recorded reoffences, for their OM (the person is already scoped by the referrals selector)."""
    if not permissions.can_record_reoffence(user, person):
        return Reoffence.objects.none()
    return Reoffence.objects.filter(person=person)


def reoffence_for_user(user: User | AnonymousUser, public_id: object) -> Reoffence:
    """A recorded reoffence of the user's area (another area's: not found). Who may change it: the services."""
    area_id = getattr(user, "area_id", None)
    return get_object_or_404(
        Reoffence.objects.select_related("person"), public_id=_uuid(public_id), area_id=area_id
    )


# --- audit packs ----------------------------------------------------------------------------------------------


def audit_packs_for_user(user: User | AnonymousUser) -> QuerySet[AuditPack]:
    """Managers: their area's packs; a national reader also the national packs they asked for. Newest first."""
    if not permissions.can_view_statistics(user):
        return AuditPack.objects.none()
    mine = Q(area_id=cast(User, user).area_id) if permissions.is_manager(user) else Q(pk__in=[])
    if permissions.can_view_national_statistics(user):
        mine |= Q(area__isnull=True, requested_by=user)
    return AuditPack.objects.filter(mine).select_related("area").order_by("-requested_at", "-id")


def audit_pack_for_user(user: User | AnonymousUser, public_id: object) -> AuditPack:
    """A ready pack the user may download (404 otherwise)."""
    return get_object_or_404(
        audit_packs_for_user(user), public_id=_uuid(public_id), status=AuditPackStatus.READY
    )
