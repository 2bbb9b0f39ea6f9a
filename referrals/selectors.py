"""Every read of people and referrals: scoped to the user's area FIRST, then to an OM's own caseload.

Another area's record (or one outside an OM's caseload) is simply not in the queryset, so `*_for_user` answer 404
and never reveal that it exists. Lists preload what their rows show so the query count does not grow with rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import (
    can_change_referral_status,
    can_use_rm2000_calculator,
    can_view_audit,
    can_view_people,
    is_offender_manager,
    require,
    scope_to_area,
)
from audit.services import record_access
from isotp.keys import keys_in
from isotp.paging import LazyPages
from referrals.models import (
    AssessmentDecision,
    Conviction,
    Offence,
    Ogrs3CoefficientTable,
    Person,
    Referral,
    ReferralStatusChange,
    Rm2000ScoringTable,
    Sentence,
)
from referrals.rules import DEFAULT_SCORING_TABLE, OPEN_STATUSES, Urgency, age_on, urgency
from referrals.rules.eligibility import EligibilityConfig
from referrals.rules.new_referral import OpenReferral
from referrals.rules.new_referral import new_referral_refusal as refusal
from referrals.rules.ogrs3 import DEFAULT_COEFFICIENT_TABLE
from referrals.rules.transitions import STATUSES, ReferralStatus, manual_transitions
from referrals.templatetags.referral_pages import programme_name

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import ProbationArea
    from referrals.programme_terms import AreaCatalogue


# Preloads for one person's whole record (the person page, the referral page, the eligibility decision).
PERSON_RECORD = (
    Prefetch("convictions", queryset=Conviction.objects.select_related("offence")),
    "sentences",
    "rm2000_assessments",
    "rosh_assessments",
    "deviance_assessments",
    "ogrs3_assessments",
)
# What the eligibility decision reads, for lists of referrals (candidates.candidate_for).
DECISION_PRELOAD = (
    Prefetch("person__convictions", queryset=Conviction.objects.select_related("offence")),
    "person__sentences",
    "person__rm2000_assessments",
    "person__rosh_assessments",
    "person__deviance_assessments",
    "person__ogrs3_assessments",
)


def _people(user: User | AnonymousUser) -> QuerySet[Person]:
    """People the user may see: their area; an OM only their own caseload; facilitators nobody."""
    if not can_view_people(user):
        return Person.objects.none()
    qs = scope_to_area(Person.objects.all(), user)
    if is_offender_manager(user):
        qs = qs.filter(offender_manager_id=user.pk)
    return qs


def people_in_area(user: User | AnonymousUser) -> QuerySet[Person]:
    """Managers who read the audit trail: the people of their area, only to find a person's audit events by name or
    CRN (the trail shows CRNs, never names); nobody else."""
    if not can_view_audit(user):
        return Person.objects.none()
    return scope_to_area(Person.objects.all(), user)


def _referrals(user: User | AnonymousUser) -> QuerySet[Referral]:
    """Referrals the user may see, scoped like `_people`."""
    if not can_view_people(user):
        return Referral.objects.none()
    qs = scope_to_area(Referral.objects.all(), user)
    if is_offender_manager(user):
        qs = qs.filter(person__offender_manager_id=user.pk)
    return qs


def _uuid(public_id: object) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None


# --- people -------------------------------------------------------------------------------------------------


def person_search(search: str, prefix: str = "") -> Q:
    """A CRN or (part of) a name; "first last" matches both. `prefix` reaches the person from another model
    (`person__` from a referral), so a search narrows the user's scoped rows instead of the country's people."""
    words = search.split()
    if len(words) == 1:
        return (
            Q(**{f"{prefix}crn__iexact": search})
            | Q(**{f"{prefix}first_name__icontains": search})
            | Q(**{f"{prefix}last_name__icontains": search})
        )
    return Q(
        **{f"{prefix}first_name__icontains": words[0], f"{prefix}last_name__icontains": " ".join(words[1:])}
    )


def filter_people(
    qs: QuerySet[Person],
    *,
    search: str = "",
    has_open_referral: bool | None = None,
    offender_manager: User | uuid.UUID | str | None = None,
) -> QuerySet[Person]:
    """Narrow an already scoped queryset: `search` is a CRN or (part of) a name; "first last" matches both."""
    if search := (search or "").strip():
        qs = qs.filter(person_search(search))
    if has_open_referral is not None:
        open_referral = Referral.objects.filter(person=OuterRef("pk"), status__in=sorted(OPEN_STATUSES))
        qs = qs.filter(Exists(open_referral)) if has_open_referral else qs.exclude(Exists(open_referral))
    if isinstance(offender_manager, User):
        qs = qs.filter(offender_manager_id=offender_manager.pk)
    elif offender_manager:
        try:
            qs = qs.filter(offender_manager__public_id=_uuid(offender_manager))
        except Http404:  # not a UUID: nobody's OM
            qs = qs.none()
    return qs


def _prison_sotp_referrals() -> QuerySet[Referral]:
    """domain.md §3 "N-SOGP sequence": a completed prison SOTP is recorded on the person; it is asked on each referral
    (`Referral.completed_prison_sotp`), so the person has completed one when any of his referrals records it."""
    return Referral.objects.filter(completed_prison_sotp=True)


def completed_prison_sotp_exists() -> Exists:
    """The rule as an annotation for Person querysets (one subquery, no query per row)."""
    return Exists(_prison_sotp_referrals().filter(person=OuterRef("pk")))


def has_completed_prison_sotp(person: Person) -> bool:
    """Whether the person completed a prison SOTP: the selectors' annotation when present, else one query. The
    Relapse Prevention prerequisite (sessions.services.memberships) and the person page and API read this."""
    annotated = getattr(person, "completed_prison_sotp", None)
    if annotated is not None:
        return bool(annotated)
    return _prison_sotp_referrals().filter(person=person).exists()


def prison_sotp_referral(person: Person) -> Referral | None:
    """The referral that first recorded the completed prison SOTP (None when none did), from the preloaded
    `referral_list` (newest first) when present."""
    preloaded = getattr(person, "referral_list", None)
    if preloaded is not None:
        recorded = [referral for referral in preloaded if referral.completed_prison_sotp]
        return recorded[-1] if recorded else None
    return _prison_sotp_referrals().filter(person=person).order_by("created_at", "id").first()


def people_for_list(
    user: User | AnonymousUser,
    *,
    search: str = "",
    has_open_referral: bool | None = None,
    offender_manager: User | uuid.UUID | str | None = None,
) -> QuerySet[Person]:
    """OMs (caseload), TMs and admins (area): people by surname; search by CRN or name. Preloads the OM and the
    referrals (newest first, as `referral_list`) so each row can show its latest referral in no extra query."""
    qs = filter_people(
        _people(user), search=search, has_open_referral=has_open_referral, offender_manager=offender_manager
    )
    return (
        qs.select_related("offender_manager")
        .annotate(completed_prison_sotp=completed_prison_sotp_exists())
        .prefetch_related(
            Prefetch(
                "referrals", queryset=Referral.objects.order_by("-created_at", "-id"), to_attr="referral_list"
            )
        )
        .order_by("last_name", "first_name", "id")
    )


def person_for_user(user: User | AnonymousUser, public_id: uuid.UUID | str) -> Person:
    """One person the user may see (404 otherwise), with convictions (and offences), sentences, risk and
    referrals (newest first, as `referral_list`, with their status history) preloaded."""
    referrals = Referral.objects.order_by("-created_at", "-id").prefetch_related(
        Prefetch("status_changes", queryset=ReferralStatusChange.objects.select_related("actor"))
    )
    qs = (
        _people(user)
        .select_related("offender_manager", "area")
        .annotate(completed_prison_sotp=completed_prison_sotp_exists())
        .prefetch_related(*PERSON_RECORD, Prefetch("referrals", queryset=referrals, to_attr="referral_list"))
    )
    return get_object_or_404(qs, public_id=_uuid(public_id))


def person_record_for(
    user: User | AnonymousUser,
    public_id: uuid.UUID | str,
    *,
    via: str = "page",
    may: Callable[[User | AnonymousUser, Person], bool] | None = None,
) -> Person:
    """`person_for_user`, for a page or endpoint that shows the person's record: the view is logged (who, when,
    which record, the CRN as label), so no caller can forget it. `may` is the page's permission (from
    accounts/permissions.py), checked before the view is logged, so a refused user (403) is never logged as having
    seen the record (tester of issue 7)."""
    person = person_for_user(user, public_id)
    if may is not None:
        require(may(user, person))
    record_access(actor=cast("User", user), obj=person, via=via, object_label=person.crn)
    return person


def rm2000_calculator_person(user: User | AnonymousUser, person_public_id: str) -> Person | None:
    """The calculator page: treatment managers; with a person's id, whoever may record his RM2000 (his OM too).
    Returns the person whose result the page may record (404 outside the user's reach; the view of the record is
    logged), or None without an id; 403 for a role that may not use the page."""
    if not person_public_id:
        require(can_use_rm2000_calculator(user))
        return None
    require(can_view_people(user))
    person = person_for_user(user, person_public_id)
    require(can_use_rm2000_calculator(user, person))
    record_access(actor=cast("User", user), obj=person, via="page", object_label=person.crn)
    return person


def conviction_for_user(
    user: User | AnonymousUser, person_public_id: uuid.UUID | str, conviction_public_id: uuid.UUID | str
) -> Conviction:
    """One conviction of a person the user may see (404 otherwise), with its person and offence."""
    qs = Conviction.objects.filter(person__in=_people(user), person__public_id=_uuid(person_public_id))
    return get_object_or_404(qs.select_related("person", "offence"), public_id=_uuid(conviction_public_id))


def conviction_record_for(
    user: User | AnonymousUser, person_public_id: uuid.UUID | str, conviction_public_id: uuid.UUID | str
) -> Conviction:
    """`conviction_for_user`, for an endpoint that shows it: the view of the person's record is logged."""
    conviction = conviction_for_user(user, person_public_id, conviction_public_id)
    record_access(
        actor=cast("User", user), obj=conviction.person, via="api", object_label=conviction.person.crn
    )
    return conviction


def offender_managers_for(user: User | AnonymousUser) -> QuerySet[User]:
    """The area's active offender managers (to choose a person's OM)."""
    return scope_to_area(User.objects.filter(role=Role.OFFENDER_MANAGER, is_active=True), user).order_by(
        "full_name", "id"
    )


def offences_for_list(*, include_inactive: bool = False) -> QuerySet[Offence]:
    """Reference data, the same for every area: the offences a conviction may be recorded for."""
    qs = Offence.objects.all() if include_inactive else Offence.objects.filter(active=True)
    return qs.order_by("legislation", "code")


def offence_by_code(code: str) -> Offence:
    """One offence by its code (404 otherwise)."""
    return get_object_or_404(Offence, code=code)


# --- referrals ----------------------------------------------------------------------------------------------


def _as_list(value: str | list[str] | tuple[str, ...] | None) -> list[str] | None:
    if value is None or value == "":
        return None
    return [value] if isinstance(value, str) else list(value)


def referrals_for_list(
    user: User | AnonymousUser,
    *,
    status: str | list[str] | None = None,
    programme: str | list[str] | None = None,
    format: str | list[str] | None = None,
    search: str = "",
) -> QuerySet[Referral]:
    """OMs (caseload), TMs and admins (area): referrals newest first, with person, OM and referrer preloaded.
    `search` is a CRN or (part of) a name, as on the people list."""
    qs = _referrals(user)
    if search := (search or "").strip():
        # The scoped referrals' people, looked up by key (`keys_in`), then the name among them: a name condition
        # in one join let PostgreSQL scan the country's 100,000 people for it and hash them against the area's
        # referrals (152 ms at national scale, issue 11); by key it reads the area's people only. The few people
        # found are then passed on as keys, so the list's count and its page do not each search again.
        matching = (
            Person.objects.filter(keys_in("pk", qs.order_by().values("person_id")))
            .filter(person_search(search))
            .values_list("pk", flat=True)
        )
        qs = qs.filter(person_id__in=list(matching))
    if statuses := _as_list(status):
        qs = qs.filter(status__in=statuses)
    if programmes := _as_list(programme):
        qs = qs.filter(programme__in=programmes)
    if formats := _as_list(format):
        qs = qs.filter(format__in=formats)
    return qs.select_related("person", "person__offender_manager", "referred_by", "area").order_by(
        "-created_at", "-id"
    )


def referral_for_user(
    user: User | AnonymousUser, public_id: uuid.UUID | str, *, history: bool = True
) -> Referral:
    """One referral the user may see (404 otherwise), with its person's whole record (for the eligibility
    decision), its status history and its assessments (newest first) preloaded. `history=False` leaves the
    status history out (one query less), for a reader that does not show it (the API's referral)."""
    preload: list[str | Prefetch[Any, Any, Any]] = [
        *DECISION_PRELOAD,
        Prefetch("assessments", queryset=AssessmentDecision.objects.select_related("actor")),
    ]
    if history:
        preload.append(
            Prefetch("status_changes", queryset=ReferralStatusChange.objects.select_related("actor"))
        )
    qs = (
        _referrals(user)
        .select_related("person", "person__offender_manager", "person__area", "area", "referred_by")
        .prefetch_related(*preload)
    )
    return get_object_or_404(qs, public_id=_uuid(public_id))


def referral_record_for(
    user: User | AnonymousUser,
    public_id: uuid.UUID | str,
    *,
    via: str = "page",
    may: Callable[[User | AnonymousUser, Referral], bool] | None = None,
    history: bool = True,
) -> Referral:
    """`referral_for_user`, for a page or endpoint that shows the referral with its person's record: the view is
    logged (a page logs the person whose record it shows, the API the referral it answers with). `may` is the
    page's permission (from accounts/permissions.py): it is checked before the view is logged, so a refused user
    (403) is never logged as having seen the record (tester of issue 7, no. 2). `history` as for
    `referral_for_user`."""
    referral = referral_for_user(user, public_id, history=history)
    if may is not None:
        require(may(user, referral))
    logged = referral if via == "api" else referral.person
    record_access(actor=cast("User", user), obj=logged, via=via, object_label=referral.person.crn)
    return referral


def referral_history(referral: Referral) -> list[ReferralStatusChange]:
    """The referral's status changes, oldest first (preloaded by `referral_for_user`)."""
    return sorted(referral.status_changes.all(), key=lambda c: (c.at, c.pk))


def latest_assessment(referral: Referral) -> AssessmentDecision | None:
    """The TM's latest assessment of the referral, if any (preloaded by `referral_for_user`)."""
    return max(referral.assessments.all(), key=lambda a: (a.at, a.pk), default=None)


@dataclass(frozen=True)
class WaitingRow:
    """One line of the waiting list."""

    position: int
    referral: Referral
    person: Person
    planned_start: dt.date  # the referral's planned start, or today when none is planned
    age_at_start: int
    awaiting_since: dt.datetime
    supervision_end: dt.date | None
    urgency: Urgency
    # domain.md §6, §9: back on the list to start the programme again: the place, the missed session that could
    # not be caught up and the reason (from the delivery app's `referral_extras.restarts`); None otherwise.
    restart: dict[str, Any] | None = None


def allocation_groups(user: User | AnonymousUser, *, programme: str, format: str) -> list[dict[str, Any]]:
    """The groups a TM may allocate this waiting list's people to, with the places left (the delivery app's
    `referral_extras.allocation_groups`); empty for anyone who does not allocate."""
    from isotp.hooks import app_hooks

    for hook in app_hooks("referral_extras", "allocation_groups"):
        return cast("list[dict[str, Any]]", hook(user, programme=programme, format=format))
    return []


def restarts_of(referrals: list[Referral]) -> dict[int, dict[str, Any]]:
    """The referrals that are restarts, with why (found through `<app>.referral_extras.restarts`, so referrals
    does not import the delivery app)."""
    from isotp.hooks import app_hooks

    for hook in app_hooks("referral_extras", "restarts"):
        return cast("dict[int, dict[str, Any]]", hook(referrals))
    return {}


def missing_for_submission(referral: Referral) -> list[str]:
    """What a referral still needs before it can be submitted: `convictions`, `sentence` (empty when complete)."""
    person = referral.person
    missing = []
    if not person.convictions.exists():
        missing.append("convictions")
    if not person.sentences.exists():
        missing.append("sentence")
    return missing


def waiting_list(
    user: User | AnonymousUser,
    *,
    programme: str,
    format: str,
    today: dt.date,
    restarts_only: bool = False,
    search: str = "",
) -> list[WaitingRow]:
    """TMs and admins: referrals awaiting allocation to one programme and format, oldest first, each with how
    soon it must start to finish within supervision (rules.waiting), the latest start from the catalogue's
    schedule (the same calculation as SUPERVISION_ENDS_TOO_SOON), and whether it is a restart (and why). The
    area's catalogue is loaded once. `restarts_only` keeps the restarts, and `search` (a CRN or part of a name,
    as on the people list) the people it finds, each with its place in the whole list."""
    return waiting_lists(
        user, keys=[(programme, format)], today=today, restarts_only=restarts_only, search=search
    )[(programme, format)]


class WaitingPages(LazyPages[WaitingRow]):
    """One whole waiting list (oldest first, unfiltered) as a paginator reads it (issue 11: the API built every
    row of the list, with its "must start by", to send 25): its length is one COUNT, and a slice builds only the
    rows at those places (`waiting_lists(..., window=)`), each with its place in the whole list."""

    def __init__(
        self,
        user: User | AnonymousUser,
        *,
        programme: str,
        format: str,
        today: dt.date,
        catalogue: AreaCatalogue | None = None,
        count: int | None = None,
        supervision_ends_before: dt.date | None = None,
    ) -> None:
        """`count`: the list's length when the caller has counted it already (`waiting_counts`, the tabs' counts
        over the same referrals), so the paginator asks no COUNT of its own. `supervision_ends_before`: only the
        rows whose current sentence's supervision ends before that day (`waiting_lists`), each still with its
        place in the whole list; `count` is then required (`waiting_urgency_counts` counts them)."""
        key = (programme, format)
        if supervision_ends_before is not None and count is None:
            raise ValueError("Count the rows ending before the day (waiting_urgency_counts)")
        ends_before = None if supervision_ends_before is None else {key: supervision_ends_before}
        super().__init__(
            _awaiting(user, programme=programme, format=format).count if count is None else (lambda: count),
            lambda start, stop: waiting_lists(
                user,
                keys=[key],
                today=today,
                window=(start, stop),
                catalogue=catalogue,
                supervision_ends_before=ends_before,
            )[key],
        )


def _awaiting(user: User | AnonymousUser, *, programme: str, format: str) -> QuerySet[Referral]:
    """The referrals on one whole waiting list (awaiting allocation to that programme and format) the user sees."""
    return _referrals(user).filter(
        programme=programme, format=format, status=ReferralStatus.AWAITING_ALLOCATION
    )


def _current_supervision_end() -> Subquery:
    """The supervision end of the person's current sentence, the latest entered (`candidates.current_sentence`),
    as a subquery over a referral's person."""
    return Subquery(
        Sentence.objects.filter(person=OuterRef("person")).order_by("-pk").values("supervision_end_date")[:1]
    )


def waiting_urgency_counts(
    user: User | AnonymousUser,
    *,
    programme: str,
    format: str,
    today: dt.date,
    catalogue: AreaCatalogue | None,
) -> tuple[int, int]:
    """How many of one whole waiting list the rule (`rules.waiting.urgency`) calls overdue and start soon, counted
    in one query, no row built (the waiting list page's summary, issue 11). The catalogue's bounds make it exact:
    a "must start by" is before a day D exactly when the supervision ends before `ends_needing_a_start_before(D)`,
    so overdue (before today) is an end before today's bound, and start soon (today to today + the warning weeks)
    an end from that bound to the bound of the day after the warning weeks. Not offered: no "must start by"."""
    if catalogue is None:
        return 0, 0
    overdue_before = catalogue.ends_needing_a_start_before(programme, format, today, on=today)
    soon_before = urgent_ends_before(catalogue, programme=programme, format=format, today=today)
    if overdue_before is None or soon_before is None:
        return 0, 0
    counts = (
        _awaiting(user, programme=programme, format=format)
        .annotate(current_end=_current_supervision_end())
        .aggregate(
            overdue=Count("id", filter=Q(current_end__lt=overdue_before)),
            soon=Count("id", filter=Q(current_end__gte=overdue_before, current_end__lt=soon_before)),
        )
    )
    return counts["overdue"], counts["soon"]


def urgent_ends_before(
    catalogue: AreaCatalogue | None, *, programme: str, format: str, today: dt.date
) -> dt.date | None:
    """The day before which a waiting referral's current supervision must end for the rule to call it overdue or
    start soon (`rules.waiting.urgency` with the default warning weeks; `waiting_urgency_counts`): None when the
    area does not offer the programme (no row is then urgent)."""
    from referrals.rules.waiting import DEFAULT_WARNING_WEEKS

    if catalogue is None:
        return None
    return catalogue.ends_needing_a_start_before(
        programme, format, today + dt.timedelta(days=DEFAULT_WARNING_WEEKS * 7 + 1), on=today
    )


def waiting_counts_ending_before(
    user: User | AnonymousUser, ends_before: Mapping[tuple[str, str], dt.date]
) -> dict[tuple[str, str], int]:
    """How many referrals await allocation on each list of `ends_before` whose current sentence's supervision ends
    before the list's date: the number of rows `waiting_lists(..., supervision_ends_before=ends_before)` builds,
    counted in one query and building none (the TM home's "must start soon" card, issue 11)."""
    counts = dict.fromkeys(ends_before, 0)
    if not ends_before:
        return counts
    wanted = Q()
    for (programme, format), before in ends_before.items():
        wanted |= Q(programme=programme, format=format, current_end__lt=before)
    rows = (
        _referrals(user)
        .filter(status=ReferralStatus.AWAITING_ALLOCATION)
        .annotate(current_end=_current_supervision_end())
        .filter(wanted)
        .order_by()
        .values("programme", "format")
        .annotate(n=Count("id"))
    )
    counts.update({(row["programme"], row["format"]): row["n"] for row in rows})
    return counts


def _places_kept(
    qs: QuerySet[Referral],
    keys: Sequence[tuple[str, str]],
    ends_before: Mapping[tuple[str, str], dt.date] | None,
    people: set[int] | None,
) -> dict[int, int]:
    """`waiting_lists`' SQL pre-filter: the referrals (of `qs`, in its order) whose current sentence's supervision
    ends before their list's date (when `ends_before` is given) and whose person is one of `people` (when given),
    each with its place in its whole list, in one light query (no row built)."""
    # The current sentence is the latest entered (`candidates.current_sentence`); no sentence or no end: not kept.
    places: dict[int, int] = {}
    seen: dict[tuple[str, str], int] = dict.fromkeys(keys, 0)
    for pk, programme, format, person, ends in qs.annotate(
        current_end=_current_supervision_end()
    ).values_list("pk", "programme", "format", "person_id", "current_end"):
        seen[(programme, format)] += 1
        if people is not None and person not in people:
            continue
        if ends_before is not None:
            before = ends_before.get((programme, format))
            if ends is None or before is None or not ends < before:
                continue
        places[pk] = seen[(programme, format)]
    return places


def _read_waiting(
    qs: QuerySet[Referral],
    keys: Sequence[tuple[str, str]],
    ends_before: Mapping[tuple[str, str], dt.date] | None,
    window: tuple[int, int] | None,
    search: str = "",
) -> tuple[list[Referral], dict[int, int] | None]:
    """`waiting_lists`' referrals, and their places in their whole lists when these are not simply their order
    (None): those whose supervision ends before their list's date, those whose person the search finds (issue 11:
    every row of the list was built, then searched), or the window of places asked for (of those kept)."""
    if ends_before is not None or search:
        people = (
            set(
                filter_people(
                    Person.objects.filter(pk__in=qs.order_by().values("person_id")), search=search
                ).values_list("pk", flat=True)
            )
            if search
            else None
        )
        places = _places_kept(qs, keys, ends_before, people)
        wanted = list(places)
        if window is not None:
            wanted = wanted[window[0] : window[1]]
        return list(qs.filter(pk__in=wanted)), places
    if window is not None:
        first, stop = window
        referrals = list(qs[first:stop]) if stop > first else []
        return referrals, {referral.pk: first + i + 1 for i, referral in enumerate(referrals)}
    return list(qs), None


def waiting_lists(
    user: User | AnonymousUser,
    *,
    keys: Sequence[tuple[str, str]],
    today: dt.date,
    restarts_only: bool = False,
    search: str = "",
    supervision_ends_before: Mapping[tuple[str, str], dt.date] | None = None,
    catalogue: AreaCatalogue | None = None,
    window: tuple[int, int] | None = None,
) -> dict[tuple[str, str], list[WaitingRow]]:
    """`waiting_list` for several (programme, format) at once, in a fixed number of queries whatever the number
    of lists or rows (the TM home page's "must start soon" reads every tab's list): one query for the referrals,
    one for their sentences, one for restarts, and the catalogue once.

    `supervision_ends_before` keeps, of each list, only the rows whose current sentence's supervision ends before
    the list's date (a list it does not name keeps none): found in SQL, so only those rows are built and have their
    "must start by" worked out; their positions are still their places in the whole list (one light query more).
    `search` (a CRN or part of a name) is found in SQL too, so only the rows it finds are built (with their places
    in the whole list). `catalogue`: the area's, when the caller has loaded it already. `window` (start, stop): of
    one list, unsearched, only the rows at those places (0-based, stop excluded) of those kept (`WaitingPages`)."""
    from referrals.candidates import current_sentence
    from referrals.programme_terms import catalogue_for

    lists: dict[tuple[str, str], list[WaitingRow]] = {key: [] for key in keys}
    if not keys:
        return lists
    area: ProbationArea | None = getattr(user, "area", None)
    if catalogue is None and area is not None:
        catalogue = catalogue_for(area)
    wanted = Q()
    for programme, format in keys:
        wanted |= Q(programme=programme, format=format)
    qs = (
        _referrals(user)
        .filter(wanted, status=ReferralStatus.AWAITING_ALLOCATION)
        .select_related("person", "person__offender_manager")
        .prefetch_related("person__sentences")
        .order_by("awaiting_since", "id")
    )
    search = (search or "").strip()
    if window is not None and (len(keys) != 1 or restarts_only or search):
        raise ValueError("A window is of one list, unsearched and with every restart")
    referrals, known_positions = _read_waiting(qs, keys, supervision_ends_before, window, search)
    restarts = restarts_of(referrals)
    kept: dict[tuple[str, str], list[tuple[int, Referral, Any]]] = {key: [] for key in keys}
    positions: dict[tuple[str, str], int] = dict.fromkeys(keys, 0)
    for referral in referrals:
        key = (referral.programme, referral.format)
        positions[key] = known_positions[referral.pk] if known_positions is not None else positions[key] + 1
        if not (restarts_only and referral.pk not in restarts):
            kept[key].append((positions[key], referral, current_sentence(referral.person)))
    for (programme, format), entries in kept.items():
        if (
            catalogue is not None and entries
        ):  # every row's "must start by" in one go (memory, then one cache trip)
            catalogue.prefetch_latest_starts(
                programme,
                format,
                {
                    sentence.supervision_end_date
                    for _, _, sentence in entries
                    if sentence and sentence.supervision_end_date
                },
                on=today,
            )
        rows = lists[(programme, format)]
        for position, referral, sentence in entries:
            person = referral.person
            end = sentence.supervision_end_date if sentence else None
            start = referral.planned_start or today
            assert referral.awaiting_since is not None  # a DB constraint for awaiting_allocation
            rows.append(
                WaitingRow(
                    position=position,
                    referral=referral,
                    person=person,
                    planned_start=start,
                    age_at_start=age_on(person.date_of_birth, start),
                    awaiting_since=referral.awaiting_since,
                    supervision_end=end,
                    urgency=urgency(
                        today,
                        end,
                        catalogue.latest_start(programme, format, end, on=today)
                        if catalogue and end
                        else None,
                    ),
                    restart=restarts.get(referral.pk),
                )
            )
    return lists


# --- configuration ------------------------------------------------------------------------------------------


def active_scoring_table() -> Rm2000ScoringTable:
    """The active RM2000 scoring table; the built-in default (unsaved) if none is marked active."""
    table = Rm2000ScoringTable.objects.filter(active=True).first()
    if table is None:
        table = Rm2000ScoringTable(
            version=DEFAULT_SCORING_TABLE["version"],
            table=DEFAULT_SCORING_TABLE,
            source_note=DEFAULT_SCORING_TABLE["source_note"],
            active=True,
        )
    return table


def active_ogrs3_table() -> Ogrs3CoefficientTable:
    """The active OGRS3 coefficient table; the built-in default (unsaved) if none is marked active."""
    table = Ogrs3CoefficientTable.objects.filter(active=True).first()
    if table is None:
        table = Ogrs3CoefficientTable(
            version=DEFAULT_COEFFICIENT_TABLE["version"],
            table=DEFAULT_COEFFICIENT_TABLE,
            source_note=DEFAULT_COEFFICIENT_TABLE["source_note"],
            active=True,
        )
    return table


def eligibility_config_for(user: User | AnonymousUser) -> EligibilityConfig:
    """The eligibility thresholds of the user's area (see candidates.config_for_area)."""
    from referrals.candidates import config_for_area

    area: ProbationArea | None = getattr(user, "area", None)
    if area is None:
        from referrals.rules import DEFAULT_CONFIG

        return DEFAULT_CONFIG
    return config_for_area(area)


def waiting_counts(user: User | AnonymousUser) -> dict[tuple[str, str], int]:
    """How many referrals await allocation per (programme, format), in one query (waiting-list tabs, home page)."""
    rows = (
        referrals_for_list(user, status=ReferralStatus.AWAITING_ALLOCATION)
        .order_by()
        .values("programme", "format")
        .annotate(n=Count("id"))
    )
    return {(row["programme"], row["format"]): row["n"] for row in rows}


def status_and_waiting_counts(
    user: User | AnonymousUser, statuses: list[str]
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """`status_counts(user, statuses)` and `waiting_counts(user)` in one query grouped by status, programme and
    format (the TM's home, issue 11: two queries over the same referrals)."""
    rows = (
        referrals_for_list(user, status=[*statuses, ReferralStatus.AWAITING_ALLOCATION])
        .order_by()
        .values("status", "programme", "format")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(statuses, 0)
    waiting: dict[tuple[str, str], int] = {}
    for row in rows:
        if row["status"] in counts:
            counts[row["status"]] += row["n"]
        if row["status"] == ReferralStatus.AWAITING_ALLOCATION:
            waiting[(row["programme"], row["format"])] = row["n"]
    return counts, waiting


def status_counts(user: User | AnonymousUser, statuses: list[str]) -> dict[str, int]:
    """How many of the user's referrals are in each of `statuses`, in one query (home page cards)."""
    rows = referrals_for_list(user, status=statuses).order_by().values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(statuses, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def may_move_by_hand(user: User | AnonymousUser, referral: Referral) -> bool:
    """Whether `user`'s role may make any hand-made move of this referral, whatever its status now: the status page
    answers them (with "no moves now" when there are none) and refuses everyone else (review of issue 7, no. 13)."""
    return any(can_change_referral_status(user, referral, s) for s in STATUSES)


def manual_moves_for(user: User | AnonymousUser, referral: Referral) -> list[str]:
    """The statuses `user` may move the referral to by hand now, in the order of domain.md §9: the transition
    table's hand-made moves (`manual_transitions`) narrowed by role (the status page and its buttons)."""
    manual = manual_transitions(referral.status, referral.returns_to or None)
    return [s for s in STATUSES if s in manual and can_change_referral_status(user, referral, s)]


def new_referral_refusal(person: Person) -> str | None:
    """Whether a new referral may be made for the person (issue 13): None, or why not ("Already on i-SOTP group
    since 3 March 2026", "Referral awaiting assessment (N-SOGP)"). The person page asks it before offering "Refer
    for a programme" and `create_referral` asks it before making one. Uses the person's preloaded referrals and
    their history when `person_for_user` loaded them."""
    referrals = getattr(person, "referral_list", None)
    if referrals is None:
        referrals = list(
            Referral.objects.filter(person=person, status__in=sorted(OPEN_STATUSES)).prefetch_related(
                "status_changes"
            )
        )

    def since(referral: Referral) -> dt.date | None:
        moves = [c for c in referral.status_changes.all() if c.to_status == referral.status]
        return timezone.localdate(max(moves, key=lambda c: c.at).at) if moves else None

    return refusal(
        OpenReferral(programme_name(r.programme, r.format), r.status, since(r))
        for r in referrals
        if r.status in OPEN_STATUSES
    )
