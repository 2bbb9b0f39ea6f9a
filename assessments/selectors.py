"""Reads for the psychometric pages, the API and the Post-Programme Report: scoped to the user's area and role
first, related rows preloaded.

Managers read their area's memberships; a facilitator the members of the groups and one-to-one plans they deliver;
an offender manager the members on their caseload. Another area's record is not found (404), never forbidden.
Results are computed here from the scores and the battery version each administration was recorded under (never
stored), and handed out as plain data so the report can embed them unchanged.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet, Value
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from accounts.permissions import (
    can_edit_battery,
    can_read_psychometrics,
    can_view_batteries,
    is_facilitator,
    is_manager,
    is_offender_manager,
    is_staff_member,
    require,
    scope_to_area,
)
from assessments.charts import results_chart
from assessments.models import Administration, Battery, BatteryVersion, DevianceOverride, Kind, ScaleScore
from assessments.rules import (
    ILLUSTRATIVE_NOTE,
    TARGET_SHORT,
    TREATMENT_TARGETS,
    caution,
    parse_battery,
    profile_results,
    treatment_needs,
)
from audit.services import record_access
from sessions.models import GroupFacilitator, Membership, MembershipStatus, OneToOnePlan, ProgrammeGroup

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sessions.models import ProgrammeGroup

# --- batteries -----------------------------------------------------------------------------------------------


def _area_batteries(user: User | AnonymousUser) -> QuerySet[Battery]:
    require(can_view_batteries(user))
    return scope_to_area(Battery.objects.all(), user)


def batteries_for_user(user: User | AnonymousUser) -> QuerySet[Battery]:
    """Managers and facilitators: their area's batteries with their versions (newest first) preloaded. Any other
    role is refused (403)."""
    return _area_batteries(user).prefetch_related(
        Prefetch(
            "versions", queryset=BatteryVersion.objects.select_related("created_by").order_by("-version")
        )
    )


def battery_list_for_user(user: User | AnonymousUser) -> QuerySet[Battery]:
    """The battery list page and the API's list (managers and facilitators; 403 otherwise): the area's batteries
    with their versions (newest first) and the versions' authors, without the versions' definitions, which neither
    shows (about 6.5 KB each, read for every version only to show the newest's number, date and norms). The detail
    page, the export and the draft to edit read them (`batteries_for_user`)."""
    return _area_batteries(user).prefetch_related(
        Prefetch(
            "versions",
            queryset=BatteryVersion.objects.select_related("created_by")
            .defer("definition")
            .order_by("-version"),
        )
    )


def battery_for_user(user: User | AnonymousUser, code: str) -> Battery:
    return get_object_or_404(batteries_for_user(user), code=code)


def battery_version_for_user(user: User | AnonymousUser, code: str, version: int) -> BatteryVersion:
    return get_object_or_404(
        BatteryVersion.objects.select_related("battery", "created_by").filter(
            battery__in=batteries_for_user(user)
        ),
        battery__code=code,
        version=version,
    )


def battery_draft_for_user(user: User | AnonymousUser, code: str = "") -> dict[str, Any] | None:
    """Area administrators (403 otherwise): the definition to start an edit from, the newest version of the
    battery `code` (None without a code; 404 for a battery not in their area)."""
    require(can_edit_battery(user))
    if not code:
        return None
    latest = battery_for_user(user, code).versions.all()
    return latest[0].definition if latest else None


# --- who administers -----------------------------------------------------------------------------------------

ADMINISTERING_ROLES = (Role.FACILITATOR, Role.TREATMENT_MANAGER)


def administrators_for_area(area_id: int | None) -> QuerySet[User]:
    """The staff who may have administered a battery in the area: its active facilitators and TMs, by name."""
    return User.objects.filter(area_id=area_id, role__in=ADMINISTERING_ROLES, is_active=True).order_by(
        "full_name", "id"
    )


# --- memberships and administrations ---------------------------------------------------------------------------


def _memberships_base() -> QuerySet[Membership]:
    return Membership.objects.select_related(
        "group", "group__programme", "plan", "plan__programme", "referral", "referral__person"
    )


def memberships_for_user(user: User | AnonymousUser) -> QuerySet[Membership]:
    """Memberships whose psychometrics the user may read (see the module docstring)."""
    if not is_staff_member(user):
        return Membership.objects.none()
    area_id = user.area_id  # type: ignore[union-attr]
    # The groups and plans as indexed subqueries, not joins ORed together (issue 11's profile: the facilitator's
    # home joined every membership in the country to every group, plan and facilitator link, 6 s at scale 1).
    plans = OneToOnePlan.objects.filter(area_id=area_id)
    if is_facilitator(user):
        # The facilitator's few groups and plans as a list first (one query): under an OR, PostgreSQL cannot turn
        # the subqueries into joins and tested every active membership in the country against them.
        own = (
            # Neither part ordered: SQLite (`make run`) refuses an ORDER BY inside a UNION's parts.
            GroupFacilitator.objects.filter(facilitator_id=user.pk, group__area_id=area_id)
            .order_by()
            .values_list("group_id", Value(0))
            .union(plans.filter(facilitator_id=user.pk).order_by().values_list(Value(0), "id"), all=True)
        )
        pairs = list(own)
        return _memberships_base().filter(
            Q(group_id__in=[g for g, _ in pairs if g]) | Q(plan_id__in=[p for _, p in pairs if p])
        )
    qs = _memberships_base().filter(
        Q(group_id__in=ProgrammeGroup.objects.filter(area_id=area_id).values("id"))
        | Q(plan_id__in=plans.values("id"))
    )
    if is_offender_manager(user):
        return qs.filter(referral__person__offender_manager_id=user.pk)
    if is_manager(user):
        return qs
    return qs.none()


def membership_for_user(user: User | AnonymousUser, public_id: object) -> Membership:
    """One membership whose psychometrics the user may read: a role that reads none is refused (403), a member
    outside the user's reach is not found (404)."""
    require(can_read_psychometrics(user))
    return get_object_or_404(memberships_for_user(user), public_id=public_id)


def _administrations_base() -> QuerySet[Administration]:
    return Administration.objects.select_related(
        "battery_version", "battery_version__battery", "administered_by", "recorded_by", "membership"
    ).prefetch_related(
        # Ordered by id only: the model's ordering (administration, then its membership's) joined every
        # administration in the country to sort the page's scores (issue 11).
        Prefetch("scores", queryset=ScaleScore.objects.order_by("id")),
        Prefetch("deviance_overrides", queryset=DevianceOverride.objects.select_related("recorded_by")),
    )


def _scoped_administrations(
    user: User | AnonymousUser, qs: QuerySet[Administration]
) -> QuerySet[Administration]:
    """`qs` narrowed to the administrations of the memberships the user may read, oldest recorded first."""
    if not is_staff_member(user):
        return Administration.objects.none()
    # An administration carries its group's or plan's area: the area's own rows by index (issue 11's profile:
    # `membership IN (the area's memberships)` hashed every administration in the country).
    qs = qs.filter(area_id=user.area_id).order_by("recorded_at", "id")  # type: ignore[union-attr]
    return qs if is_manager(user) else qs.filter(membership__in=memberships_for_user(user))


def administrations_for_user(user: User | AnonymousUser) -> QuerySet[Administration]:
    """Administrations of the memberships the user may read, scores and overrides preloaded."""
    return _scoped_administrations(user, _administrations_base())


def administration_list_for_user(user: User | AnonymousUser) -> QuerySet[Administration]:
    """The API list (`administrations_for_user`'s rows): only what its page shows, in three queries a page.

    The page joins only the membership and the two members of staff (their names): with the battery and its
    version joined as well, PostgreSQL took 3-4 ms to plan the seven-table join (issue 11: planning was most of
    the query), and each row carried the version's whole definition. The page's few battery versions come in
    one small query, the scores in another as plain rows (`with_score_rows`, once the page is cut); no deviance overrides (the list does not show
    them)."""
    qs = (
        Administration.objects.select_related("membership", "administered_by", "recorded_by")
        .only(
            "public_id",
            "kind",
            "administered_on",
            "recorded_at",
            "battery_version_id",
            "membership__public_id",
            "administered_by__full_name",
            "recorded_by__full_name",
        )
        .prefetch_related(
            Prefetch(
                "battery_version",
                queryset=BatteryVersion.objects.select_related("battery").only("version", "battery__code"),
            ),
        )
    )
    return _scoped_administrations(user, qs)


SCORE_COLUMNS = ("scale_code", "score", "items", "prorated", "missing_items")


def with_score_rows(administrations: list[Administration]) -> list[Administration]:
    """The page's scores in one query, as plain rows (`SCORE_COLUMNS`, in the order recorded) on each
    administration's `score_rows`: no model instance a score (a page of the API list has about 450)."""
    rows: dict[int, list[tuple[Any, ...]]] = {a.pk: [] for a in administrations}
    for administration_id, *values in (
        ScaleScore.objects.filter(administration_id__in=list(rows))
        .order_by("id")
        .values_list("administration_id", *SCORE_COLUMNS)
    ):
        rows[administration_id].append(tuple(values))
    for administration in administrations:
        administration.score_rows = rows[administration.pk]  # type: ignore[attr-defined]
    return administrations


def administration_for_user(user: User | AnonymousUser, public_id: object) -> Administration:
    return get_object_or_404(administrations_for_user(user), public_id=public_id)


def _scores(administration: Administration | None) -> dict[str, float] | None:
    if administration is None:
        return None
    return {row.scale_code: float(row.score) for row in administration.scores.all()}


def _score_notes(administration: Administration | None) -> dict[str, dict[str, Any]]:
    if administration is None:
        return {}
    return {
        row.scale_code: {"prorated": row.prorated, "missing_items": row.missing_items}
        for row in administration.scores.all()
    }


def _administration_data(administration: Administration | None) -> dict[str, Any] | None:
    if administration is None:
        return None
    return {
        "id": str(administration.public_id),
        "kind": administration.kind,
        "administered_on": administration.administered_on,
        "administered_by": administration.administered_by.full_name,
        "recorded_by": administration.recorded_by.full_name,
        "recorded_at": administration.recorded_at,
    }


def results_of(membership: Membership, administrations: list[Administration]) -> dict[str, Any]:
    """The membership's full results as plain data (no access log: callers go through `membership_results`)."""
    by_kind = {a.kind: a for a in administrations}
    pre, post = by_kind.get(Kind.PRE), by_kind.get(Kind.POST)
    first = pre or post
    version = first.battery_version if first is not None else None
    data: dict[str, Any] = {
        "membership": str(membership.public_id),
        "person": str(membership.referral.person.public_id),
        "battery": None,
        "pre": _administration_data(pre),
        "post": _administration_data(post),
        "scales": [],
        "deviance": None,
        "treated_profile": None,
        "caution": {"flagged": False, "pre": False, "post": False, "reasons": [], "raised_by": []},
        "treatment_needs": [],
        "classification_counts": {},
        "chart_svg": "",
    }
    if version is None:
        return data
    battery = parse_battery(version.definition)
    results = profile_results(battery, _scores(pre), _scores(post))
    notes = {"pre": _score_notes(pre), "post": _score_notes(post)}
    scales = []
    for row in results.scales:
        item = asdict(row)
        item["pre_prorated"] = notes["pre"].get(row.code, {}).get("prorated", False)
        item["post_prorated"] = notes["post"].get(row.code, {}).get("prorated", False)
        scales.append(item)
    overrides = list(pre.deviance_overrides.all()) if pre else []
    override = overrides[0] if overrides else None  # newest first (model ordering)
    computed = asdict(results.deviance) if results.deviance else None
    cautions = [c for c in (results.pre_caution, results.post_caution) if c is not None and c.flagged]
    names = {scale.code: scale.name for scale in battery.scales}
    data.update(
        battery={
            "code": version.battery.code,
            "name": version.battery.name,
            "version": version.version,
            "illustrative": version.illustrative,
            "illustrative_note": ILLUSTRATIVE_NOTE if version.illustrative else "",
        },
        scales=scales,
        deviance=None
        if computed is None
        else {
            "computed": computed,
            "override": None
            if override is None
            else {
                "level": override.level,
                "rationale": override.rationale,
                "recorded_by": override.recorded_by.full_name,
                "recorded_at": override.recorded_at,
            },
            "overrides": [
                {
                    "level": o.level,
                    "rationale": o.rationale,
                    "recorded_by": o.recorded_by.full_name,
                    "recorded_at": o.recorded_at,
                }
                for o in overrides
            ],
            "level": override.level if override else computed["level"],
        },
        treated_profile=asdict(results.treated_profile) if results.treated_profile else None,
        caution={
            "flagged": bool(cautions),
            "pre": bool(results.pre_caution and results.pre_caution.flagged),
            "post": bool(results.post_caution and results.post_caution.flagged),
            "reasons": sorted({c.reason for c in cautions}),
            # which administration raised it, in order: [{kind, label, administered_on, reason}]
            "raised_by": [
                {
                    "kind": administration.kind,
                    "label": Kind(administration.kind).label,
                    "administered_on": administration.administered_on,
                    "reason": found.reason,
                }
                for administration, found in ((pre, results.pre_caution), (post, results.post_caution))
                if administration is not None and found is not None and found.flagged
            ],
        },
        # Each need names its scales by code (`scales`, as before) and by name (`scale_names`, for the pages).
        treatment_needs=[
            {**asdict(need), "scale_names": [names.get(code, code) for code in need.scales]}
            for need in results.treatment_needs
        ],
        classification_counts=results.classification_counts,
    )
    data["chart_svg"] = results_chart(
        scales,
        title="Psychometric results: pre, post and the normal range per scale",
        illustrative=version.illustrative,
    )
    return data


def membership_results(*, user: User, membership: Membership, via: str = "page") -> dict[str, Any]:
    """Anyone who may read the membership (it came through `membership_for_user`): its full results as plain data
    (scales, norms, pre, post, RCI, classification, cut-off used, deviance, treated profile, caution, treatment
    needs and the chart's SVG). Logs the access to the person's record once, here."""
    administrations = list(_administrations_base().filter(membership=membership))
    record_access(actor=user, obj=membership.referral.person, via=via, object_label="psychometric results")
    return results_of(membership, administrations)


def results_for_report(membership: Membership) -> dict[str, Any] | None:
    """The Post-Programme Report (reports.facts), for a membership its caller has already scoped: the full results
    as plain data, or None when nothing has been recorded. No access log: the report's own pages log theirs."""
    administrations = list(_administrations_base().filter(membership=membership))
    return results_of(membership, administrations) if administrations else None


# --- the group's needs profile ---------------------------------------------------------------------------------


def group_needs_profile(group: ProgrammeGroup) -> dict[str, Any]:
    """The group's treatment needs at a glance (001): per active member, the targets their pre-programme problem
    scales indicate, and per target how many members need it. Three queries whatever the group's size."""
    members = list(
        Membership.objects.filter(
            group=group,
            status__in=[
                MembershipStatus.ACTIVE,
                MembershipStatus.SESSIONS_COMPLETE,
                MembershipStatus.COMPLETED,
            ],
        )
        .select_related("referral__person")
        .prefetch_related(
            Prefetch(
                "psychometric_administrations",
                queryset=Administration.objects.filter(kind=Kind.PRE)
                .select_related("battery_version")
                .prefetch_related(Prefetch("scores", queryset=ScaleScore.objects.order_by("id"))),
                to_attr="pre_administrations",
            )
        )
        .order_by("joined_on", "id")
    )
    parsed: dict[int, Any] = {}
    rows = []
    # one column a target, counting the members who need it
    columns: dict[int, dict[str, Any]] = {
        t: {"target": t, "short": TARGET_SHORT[t], "title": TREATMENT_TARGETS[t], "members": 0}
        for t in TREATMENT_TARGETS
    }
    for member in members:
        pre = member.pre_administrations[0] if member.pre_administrations else None
        needs: list[int] = []
        flagged = None
        if pre is not None:
            # once a battery version, not once a member (setdefault would parse its default every time)
            battery = parsed.get(pre.battery_version_id)
            if battery is None:
                battery = parsed[pre.battery_version_id] = parse_battery(pre.battery_version.definition)
            scores = _scores(pre) or {}
            needs = [need.target for need in treatment_needs(battery, scores)]
            found = caution(battery, scores)
            flagged = found.reason if found.flagged else None
            for target in needs:
                columns[target]["members"] += 1
        rows.append(
            {
                "membership": str(member.public_id),
                "name": member.referral.person.full_name,
                "assessed": pre is not None,
                "caution": flagged,  # §7: the pre-programme profile is to be interpreted with caution (why)
                "needs": needs,
                # the row's cells in the columns' order: (the target's column, whether the member needs it)
                "cells": [(column, target in needs) for target, column in columns.items()],
            }
        )
    return {
        "targets": list(columns.values()),
        "members": rows,
        "assessed": sum(1 for r in rows if r["assessed"]),
        "cautions": sum(1 for r in rows if r["caution"]),
    }
