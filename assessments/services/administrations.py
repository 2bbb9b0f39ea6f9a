"""Recording the pre- and post-programme administrations and the TM's deviance override (domain.md §7).

A pre-programme result records the person's deviance through the referrals service (assessments calls referrals,
never the reverse), so a provisional eligibility decision that waited for it becomes final.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.permissions import can_enter_psychometrics, can_override_deviance, require_in_area
from assessments.models import Administration, BatteryVersion, DevianceOverride, Kind, ScaleScore
from assessments.rules import (
    Battery,
    ScoreRefused,
    TimingRefused,
    check_post_timing,
    check_pre_timing,
    check_total,
    deviance,
    parse_battery,
    score_items,
)
from assessments.rules import (
    ScaleScore as RuleScore,
)
from audit.services import record_event
from isotp import clock
from isotp.dates import long_date
from isotp.errors import DomainConflict
from referrals.services import risk as referral_risk
from sessions.models import MembershipStatus, ScheduledSession, SessionStatus

if TYPE_CHECKING:
    from sessions.models import Membership

ENDED = (MembershipStatus.REMOVED, MembershipStatus.RESTART_REQUIRED)


def _live_sessions(membership: Membership) -> Any:
    owner = {"plan_id": membership.plan_id} if membership.plan_id else {"group_id": membership.group_id}
    return ScheduledSession.objects.filter(**owner).exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)


def first_session_date(membership: Membership) -> dt.date | None:
    """The member's first session: the first live one on or after the day they joined."""
    row = _live_sessions(membership).filter(date__gte=membership.joined_on).order_by("date").first()
    return row.date if row else None


def last_session_date(membership: Membership) -> dt.date | None:
    row = _live_sessions(membership).order_by("-date").first()
    return row.date if row else None


def sessions_complete(membership: Membership) -> bool:
    """003: the post-programme battery follows completion of the sessions: the membership's status says so
    (`sessions_complete` once every session is attended or caught up, or `completed`)."""
    return membership.status in (MembershipStatus.SESSIONS_COMPLETE, MembershipStatus.COMPLETED)


def current_battery_version(area_id: int, code: str | None = None) -> BatteryVersion | None:
    """The newest version of the area's battery (`code`, or the area's first battery)."""
    qs = BatteryVersion.objects.filter(battery__area_id=area_id).select_related("battery")
    if code:
        qs = qs.filter(battery__code=code)
    return qs.order_by("battery__name", "battery_id", "-version").first()


def _parse_scores(battery: Battery, scores: Mapping[str, Any]) -> dict[str, RuleScore]:
    """Each scale's score from a total or its item responses; ValidationError keyed `scores.<CODE>`."""
    errors: dict[str, list[str]] = {}
    found: dict[str, RuleScore] = {}
    unknown = sorted(set(scores) - {s.code for s in battery.scales})
    for code in unknown:
        errors[f"scores.{code}"] = [f"{code} is not a scale of this battery"]
    for scale in battery.scales:
        given = scores.get(scale.code)
        key = f"scores.{scale.code}"
        try:
            if scale.items is not None:
                items = given.get("items") if isinstance(given, Mapping) else given
                if not isinstance(items, list | tuple):
                    raise ScoreRefused(
                        f"Enter the {scale.item_count} item responses for {scale.name} (leave missing ones blank)"
                    )
                found[scale.code] = score_items(scale, [None if v is None else int(v) for v in items])
            else:
                total = given.get("score") if isinstance(given, Mapping) else given
                if total is None or total == "":
                    raise ScoreRefused(f"Enter a score for {scale.name}")
                found[scale.code] = check_total(scale, float(total))
        except ScoreRefused as problem:
            errors[key] = [str(problem)]
        except (TypeError, ValueError):
            errors[key] = [f"Enter numbers only for {scale.name}"]
    if errors:
        raise ValidationError(errors)
    return found


def _check_administered_by(actor: User, administered_by: User | None, area_id: int | None) -> User:
    person = administered_by or actor
    if person.area_id != area_id or person.role not in (Role.FACILITATOR, Role.TREATMENT_MANAGER):
        raise ValidationError({"administered_by": ["Choose a facilitator or treatment manager of the area"]})
    return person


def record_administration(  # noqa: C901 - written before the complexity limit; to split (issue 7)
    *,
    actor: User,
    membership: Membership,
    kind: str,
    administered_on: dt.date,
    scores: Mapping[str, Any],
    administered_by: User | None = None,
    battery_code: str | None = None,
) -> Administration:
    """The member's facilitators or a TM of the area: record a pre- or post-programme administration.

    Scores are a total per scale, or the item responses where the scale has item keys (prorated within its limit,
    refused beyond it). The pre-programme one uses the battery's current version and records the computed deviance
    through the referrals service; the post-programme one uses the pre-programme version, so the two compare.
    Locks the membership row so two people cannot record the same administration at once.
    """
    require_in_area(actor, membership)  # another area's member is not found
    if not can_enter_psychometrics(actor, membership):
        raise PermissionDenied("Only the member's facilitators or a treatment manager record psychometrics")
    if kind not in Kind.values:
        raise ValidationError({"kind": ["Choose pre or post"]})
    today = clock.today()
    area_id = membership.group.area_id if membership.group_id else membership.plan.area_id  # type: ignore[union-attr]
    with transaction.atomic():
        # Lock the membership and judge its status as it is now, not as the caller last read it.
        membership.status = (
            type(membership)
            .objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=membership.pk)
        )
        if membership.status in ENDED:
            raise DomainConflict(
                "This member has left the programme: no psychometrics can be recorded",
                code="MEMBERSHIP_ENDED",
            )
        existing = {a.kind: a for a in Administration.objects.filter(membership=membership)}
        if kind in existing:
            raise DomainConflict(
                f"The {Kind(kind).label.lower()} assessment is already recorded", code="ADMINISTRATION_EXISTS"
            )
        try:
            if kind == Kind.PRE:
                check_pre_timing(
                    administered_on=administered_on, first_session=first_session_date(membership), today=today
                )
            else:
                check_post_timing(
                    administered_on=administered_on,
                    has_pre=Kind.PRE in existing,
                    sessions_complete=sessions_complete(membership),
                    last_session=last_session_date(membership),
                    today=today,
                )
        except TimingRefused as refused:
            if refused.field:
                raise ValidationError({refused.field: [refused.message]}) from None
            raise DomainConflict(refused.message, code=refused.code) from None
        version = (
            existing[Kind.PRE].battery_version
            if kind == Kind.POST
            else current_battery_version(area_id, battery_code)
        )
        if version is None:
            raise DomainConflict(
                "The area has no psychometric battery yet: an administrator must set one up",
                code="NO_BATTERY",
            )
        battery = parse_battery(version.definition)
        found = _parse_scores(battery, scores)
        by = _check_administered_by(actor, administered_by, area_id)
        try:
            administration = Administration.objects.create(
                membership=membership,
                area_id=area_id,
                kind=kind,
                battery_version=version,
                administered_on=administered_on,
                administered_by=by,
                recorded_by=actor,
            )
        except IntegrityError:
            raise DomainConflict(
                f"The {Kind(kind).label.lower()} assessment is already recorded", code="ADMINISTRATION_EXISTS"
            ) from None
        submitted = {}
        for scale in battery.scales:
            given = scores.get(scale.code)
            if scale.items is not None:
                items = given.get("items") if isinstance(given, Mapping) else given
                submitted[scale.code] = [None if v is None else int(v) for v in items]  # type: ignore[union-attr]
        ScaleScore.objects.bulk_create(
            ScaleScore(
                administration=administration,
                scale_code=code,
                score=Decimal(str(round(result.score, 2))),
                items=submitted.get(code),
                prorated=result.prorated,
                missing_items=result.missing_items,
            )
            for code, result in found.items()
        )
        record_event(
            actor=actor,
            action=f"psychometrics.{kind}_recorded",
            obj=administration,
            object_label=f"{Kind(kind).label} psychometrics",
            area_id=area_id,
            changes={
                "membership": membership.public_id,
                "administered_on": administered_on,
                "battery": f"{version.battery.code}/v{version.version}",
                "scales": len(found),
                "prorated": sorted(code for code, r in found.items() if r.prorated),
            },
        )
        if kind == Kind.PRE:
            result = deviance(battery, {code: r.score for code, r in found.items()})
            referral_risk.record_psychometric_deviance(
                actor=actor,
                person=membership.referral.person,
                level=result.level,
                rationale=f"Pre-programme psychometrics of {long_date(administered_on)} "
                f"({version.battery.name} v{version.version}): {result.reason}",
            )
    return administration


def override_deviance(
    *, actor: User, administration: Administration, level: str, rationale: str
) -> DevianceOverride:
    """TMs of the area: record the assessed deviance over the computed one, with rationale (§7). The computed
    result is kept beside it, and the person's deviance is recorded through the referrals service."""
    membership = administration.membership
    require_in_area(actor, membership)  # another area's member is not found
    if not can_override_deviance(actor, membership):
        raise PermissionDenied("Only a treatment manager overrides the deviance result")
    errors: dict[str, list[str]] = {}
    if level not in ("low", "high"):
        errors["level"] = ["Choose low or high"]
    if not (rationale or "").strip():
        errors["rationale"] = ["Give the rationale for the deviance level"]
    if errors:
        raise ValidationError(errors)
    if administration.kind != Kind.PRE:
        raise DomainConflict(
            "Deviance is assessed from the pre-programme psychometrics", code="DEVIANCE_PRE_PROGRAMME_ONLY"
        )
    with transaction.atomic():
        override = DevianceOverride.objects.create(
            administration=administration, level=level, rationale=rationale.strip(), recorded_by=actor
        )
        record_event(
            actor=actor,
            action="psychometrics.deviance_overridden",
            obj=administration,
            object_label="Pre-programme psychometrics",
            area_id=administration.area_id,
            changes={"level": level},
            reason=override.rationale,
        )
        referral_risk.record_deviance(
            actor=actor,
            person=membership.referral.person,
            level=level,
            rationale=f"Treatment manager's assessment over the psychometric result: {override.rationale}",
        )
    return override
