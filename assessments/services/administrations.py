"""Recording the pre- and post-programme administrations and the TM's deviance override (domain.md §7).

A pre-programme result records the person's deviance through the referrals service (assessments calls referrals,
never the reverse), so a provisional eligibility decision that waited for it becomes final.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import (
    administers_psychometrics,
    can_enter_psychometrics,
    can_override_deviance,
    require_in_area,
)
from assessments.models import Administration, BatteryVersion, DevianceOverride, Kind, ScaleScore
from assessments.rules import (
    Battery,
    ScoreRefused,
    TimingRefused,
    check_post_date,
    check_post_state,
    check_pre_date,
    check_pre_state,
    check_total,
    deviance,
    parse_battery,
    score_items,
)
from assessments.rules import (
    ScaleScore as RuleScore,
)
from assessments.selectors import administrators_for_area
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


def _number(value: Any) -> bool:
    """A JSON number: never a boolean (True is not a score of 1), never NaN or infinite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _item(value: Any) -> int | None:
    """One item response: a whole number, or None for a missing item. A fraction is refused, never truncated."""
    if value is None:
        return None
    if not _number(value) or value != int(value):
        raise ValueError(value)
    return int(value)


def _parse_scores(
    battery: Battery, scores: Mapping[str, Any]
) -> tuple[dict[str, RuleScore], dict[str, list[str]]]:
    """Each scale's score from a total or its item responses, and every problem at once keyed `scores.<CODE>`."""
    errors: dict[str, list[str]] = {}
    found: dict[str, RuleScore] = {}
    if not isinstance(scores, Mapping):
        return found, {"scores": ["Give the scores by scale code"]}
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
                try:
                    responses = [_item(v) for v in items]
                except ValueError:
                    raise ScoreRefused(
                        f"Enter the item responses for {scale.name} as whole numbers (null for a missing item)"
                    ) from None
                found[scale.code] = score_items(scale, responses)
            else:
                total = given.get("score") if isinstance(given, Mapping) else given
                if total is None or total == "":
                    raise ScoreRefused(f"Enter a score for {scale.name}")
                if not _number(total):
                    raise ScoreRefused(f"Enter the score for {scale.name} as a number")
                found[scale.code] = check_total(scale, float(total))
        except ScoreRefused as problem:
            errors[key] = [str(problem)]
    return found, errors


def _administrator(
    administered_by: User | uuid.UUID | str | None, actor: User, area_id: int | None
) -> User | None:
    """Who administered the battery: a facilitator or treatment manager of the area (default: the actor)."""
    if administered_by is None or administered_by == "":
        person: User | None = actor
    elif isinstance(administered_by, User):
        person = administered_by
    else:
        try:
            wanted = uuid.UUID(str(administered_by))
        except ValueError:
            return None
        person = administrators_for_area(area_id).filter(public_id=wanted).first()
    if (
        person is None
        or person.area_id != area_id
        or not administers_psychometrics(person)
        or not person.is_active
    ):
        return None
    return person


def _area_id(membership: Membership) -> int:
    owner = membership.group or membership.plan
    return owner.area_id  # type: ignore[union-attr]


def _earliest(membership: Membership) -> dt.date:
    """The referral's day: no one is assessed for a programme before being referred to it."""
    return timezone.localdate(membership.referral.created_at)


def _state_refusal(
    membership: Membership, kind: str, existing: Mapping[str, Administration]
) -> DomainConflict | None:
    """Why the membership cannot take this administration now (003), or None."""
    if membership.status in ENDED:
        return DomainConflict(
            "This member has left the programme: no psychometrics can be recorded", code="MEMBERSHIP_ENDED"
        )
    try:
        if kind == Kind.PRE:
            check_pre_state(has_pre=Kind.PRE in existing)
        else:
            check_post_state(
                has_pre=Kind.PRE in existing,
                has_post=Kind.POST in existing,
                sessions_complete=sessions_complete(membership),
            )
    except TimingRefused as refused:
        return DomainConflict(refused.message, code=refused.code)
    return None


def _gate(actor: User, membership: Membership, kind: str) -> None:
    require_in_area(actor, membership)  # another area's member is not found
    if not can_enter_psychometrics(actor, membership):
        raise PermissionDenied("Only the member's facilitators or a treatment manager record psychometrics")
    if kind not in Kind.values:
        raise ValidationError({"kind": ["Choose pre or post"]})


def _version_for(
    membership: Membership, kind: str, existing: Mapping[str, Administration], battery_code: str | None
) -> BatteryVersion:
    """The post-programme administration uses the pre-programme version, so the two compare."""
    version = (
        existing[Kind.PRE].battery_version
        if kind == Kind.POST
        else current_battery_version(_area_id(membership), battery_code)
    )
    if version is None:
        raise DomainConflict(
            "The area has no psychometric battery yet: an administrator must set one up", code="NO_BATTERY"
        )
    return version


def recordable_kinds(*, actor: User, membership: Membership) -> list[str]:
    """The member's facilitators and TMs of the area: which administrations they may record now (for the results
    page's buttons; the same checks `record_administration` makes). Anyone else: none."""
    require_in_area(actor, membership)
    if not can_enter_psychometrics(actor, membership):
        return []
    existing = {a.kind: a for a in Administration.objects.filter(membership=membership)}
    return [kind for kind in Kind.values if _state_refusal(membership, kind, existing) is None]


def start_administration(*, actor: User, membership: Membership, kind: str) -> BatteryVersion:
    """The member's facilitators and TMs of the area, before the scores form is shown: the battery version the
    administration will use. Refuses (409) what `record_administration` would refuse whatever the scores: the post
    one before the sessions are complete, one already recorded, an ended membership, no battery."""
    _gate(actor, membership, kind)
    existing = {a.kind: a for a in Administration.objects.filter(membership=membership)}
    refusal = _state_refusal(membership, kind, existing)
    if refusal is not None:
        raise refusal
    return _version_for(membership, kind, existing, None)


def _field_errors(
    *,
    actor: User,
    membership: Membership,
    kind: str,
    administered_on: dt.date | None,
    scores: Mapping[str, Any],
    administered_by: Any,
    version: BatteryVersion,
    existing: Mapping[str, Administration],
) -> tuple[dict[str, list[str]], dict[str, RuleScore], User | None]:
    """Every field's problem at once: the date, who administered it and each scale."""
    errors: dict[str, list[str]] = {}
    if administered_on is not None:
        try:
            if kind == Kind.PRE:
                check_pre_date(
                    administered_on=administered_on,
                    first_session=first_session_date(membership),
                    today=clock.today(),
                    earliest=_earliest(membership),
                )
            else:
                check_post_date(
                    administered_on=administered_on,
                    last_session=last_session_date(membership),
                    today=clock.today(),
                    earliest=_earliest(membership),
                    pre_on=existing[Kind.PRE].administered_on if Kind.PRE in existing else None,
                )
        except TimingRefused as refused:
            errors[refused.field or "administered_on"] = [refused.message]
    else:
        errors["administered_on"] = ["Enter the date the battery was completed"]
    by = _administrator(administered_by, actor, _area_id(membership))
    if by is None:
        errors["administered_by"] = ["Choose a facilitator or treatment manager of the area"]
    found, score_errors = _parse_scores(parse_battery(version.definition), scores)
    errors.update(score_errors)
    return errors, found, by


def check_administration(
    *,
    actor: User,
    membership: Membership,
    kind: str,
    administered_on: dt.date | None,
    scores: Mapping[str, Any],
    administered_by: Any = None,
) -> None:
    """The member's facilitators and TMs of the area: every problem `record_administration` would find with these
    answers, at once (ValidationError keyed by field, a scale's `scores.<CODE>`), without recording anything. The
    scores page asks it when some fields could not even be read, so the rest are judged in the same round."""
    version = start_administration(actor=actor, membership=membership, kind=kind)
    existing = {a.kind: a for a in Administration.objects.filter(membership=membership)}
    errors, _, _ = _field_errors(
        actor=actor,
        membership=membership,
        kind=kind,
        administered_on=administered_on,
        scores=scores,
        administered_by=administered_by,
        version=version,
        existing=existing,
    )
    if errors:
        raise ValidationError(errors)


def record_administration(
    *,
    actor: User,
    membership: Membership,
    kind: str,
    administered_on: dt.date,
    scores: Mapping[str, Any],
    administered_by: User | uuid.UUID | str | None = None,
    battery_code: str | None = None,
) -> Administration:
    """The member's facilitators or a TM of the area: record a pre- or post-programme administration.

    Scores are a total per scale, or the item responses where the scale has item keys (prorated within its limit,
    refused beyond it). The date is on or after the referral and not in the future; the pre-programme one on or
    before the first session, the post-programme one after the last session once the sessions are complete (003).
    Every field's problem is reported at once. The pre-programme one uses the battery's current version and records
    the computed deviance through the referrals service; the post-programme one uses the pre-programme version, so
    the two compare. Locks the membership row so two people cannot record the same administration at once.
    """
    _gate(actor, membership, kind)
    with transaction.atomic():
        # Lock the membership and judge its status as it is now, not as the caller last read it.
        membership.status = (
            type(membership)
            .objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=membership.pk)
        )
        existing = {a.kind: a for a in Administration.objects.filter(membership=membership)}
        refusal = _state_refusal(membership, kind, existing)
        if refusal is not None:
            raise refusal
        version = _version_for(membership, kind, existing, battery_code)
        errors, found, by = _field_errors(
            actor=actor,
            membership=membership,
            kind=kind,
            administered_on=administered_on,
            scores=scores,
            administered_by=administered_by,
            version=version,
            existing=existing,
        )
        if errors:
            raise ValidationError(errors)
        return _write(actor, membership, kind, administered_on, scores, version, found, by)  # type: ignore[arg-type]


def _write(
    actor: User,
    membership: Membership,
    kind: str,
    administered_on: dt.date,
    scores: Mapping[str, Any],
    version: BatteryVersion,
    found: Mapping[str, RuleScore],
    by: User,
) -> Administration:
    battery = parse_battery(version.definition)
    area_id = _area_id(membership)
    try:
        with transaction.atomic():
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
            submitted[scale.code] = [_item(v) for v in items]  # type: ignore[union-attr]
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
            "administered_by": by.public_id,
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


def deviance_override_target(*, actor: User, membership: Membership) -> Administration:
    """TMs of the area, before the override form is shown: the pre-programme administration whose computed
    deviance they assess over (409 PRE_PROGRAMME_REQUIRED before there is one)."""
    require_in_area(actor, membership)  # another area's member is not found
    if not can_override_deviance(actor, membership):
        raise PermissionDenied("Only a treatment manager overrides the deviance result")
    pre = Administration.objects.filter(membership=membership, kind=Kind.PRE).first()
    if pre is None:
        raise DomainConflict(
            "Record the pre-programme scores first: deviance is assessed from them.",
            code="PRE_PROGRAMME_REQUIRED",
        )
    return pre


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
