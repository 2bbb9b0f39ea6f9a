"""Every write of quality assurance and outcomes (issue 14): recordings, monitoring forms, supervision records,
QA settings, proven reoffences and audit packs.

The acting user is passed in (keyword-only); each service checks the role through `accounts.permissions`,
validates, writes inside one transaction with its audit event, and queues background work on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from audit.services import record_event
from isotp import clock
from isotp.dates import long_date
from isotp.errors import DomainConflict
from quality.models import (
    SEXUAL_TYPES,
    AuditPack,
    MonitoringForm,
    OffenceType,
    QaSettings,
    Reoffence,
    SessionRecording,
    SupervisionRecord,
)
from quality.rules.dates import reoffence_date_problems, supervision_date_problem
from quality.rules.monitoring import AREAS_OF_PRACTICE, RATINGS, session_has_ended, viewed_on_problem
from sessions.models import ScheduledSession, SessionStatus

MAX_TEXT = 10_000


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _text(field: str, value: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "Enter the " + field.replace("_", " ")})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: f"Keep the {field.replace('_', ' ')} under {MAX_TEXT:,} characters"})
    return value


def _session_area_id(session: ScheduledSession) -> int | None:
    owner = session.group or session.plan
    return owner.area_id if owner is not None else None


# --- settings -----------------------------------------------------------------------------------------------


def update_qa_settings(*, actor: User, monitoring_target: Decimal, report_days: int) -> QaSettings:
    """Managers: set their area's monitoring target (0–100% as a share) and reports-on-time days. Audited."""
    _require(permissions.can_configure_qa(actor))
    if not Decimal(0) <= monitoring_target <= Decimal(1):
        raise ValidationError({"monitoring_target": "Enter a target between 0% and 100%"})
    if not 1 <= report_days <= 365:
        raise ValidationError({"report_days": "Enter a number of days between 1 and 365"})
    with transaction.atomic():
        row, _ = QaSettings.objects.select_for_update().get_or_create(area_id=actor.area_id)
        before = {"monitoring_target": str(row.monitoring_target), "report_days": row.report_days}
        row.monitoring_target = monitoring_target
        row.report_days = report_days
        row.updated_by = actor
        row.save()
        record_event(
            actor=actor,
            action="qa.settings_changed",
            obj=row,
            changes={
                "from": before,
                "to": {"monitoring_target": str(monitoring_target), "report_days": report_days},
            },
        )
    return row


# --- recordings and monitoring --------------------------------------------------------------------------------


def mark_recorded(*, actor: User, session: ScheduledSession) -> SessionRecording:
    """A facilitator of the session (or a TM of its area): mark a delivered session as recorded. A session still
    to come, or cancelled, is refused (409 SESSION_NOT_DELIVERED); marking twice is 409 ALREADY_RECORDED."""
    permissions.require_in_area(actor, session)
    _require(permissions.can_mark_recording(actor, session))
    now = timezone.localtime().replace(tzinfo=None)
    if session.status == SessionStatus.CANCELLED_BY_PROVIDER:
        raise DomainConflict(
            "Only a session that has taken place can be marked as recorded.", code="SESSION_NOT_DELIVERED"
        )
    if not session_has_ended(date=session.date, end=session.end, now=now):
        # Before its end time the session has not been delivered yet: the same refusal (and code) as a cancelled one.
        raise DomainConflict(
            f"This session can be marked as recorded once it has ended ({long_date(session.date)} at "
            f"{session.end:%H:%M}).",
            code="SESSION_NOT_DELIVERED",
        )
    try:
        with transaction.atomic():
            recording = SessionRecording.objects.create(
                area_id=_session_area_id(session),  # type: ignore[misc]
                session=session,
                recorded_by=actor,
            )
            record_event(
                actor=actor,
                action="qa.session_recorded",
                obj=recording,
                changes={"session": str(session.public_id)},
            )
    except IntegrityError:
        raise DomainConflict("This session is already marked as recorded.", code="ALREADY_RECORDED") from None
    return recording


def clean_ratings(ratings: Mapping[str, Any]) -> dict[str, str]:
    """Every area of practice rated 1–4 (field errors name the area)."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for code, label in AREAS_OF_PRACTICE.items():
        value = str(ratings.get(code) or "")
        if value not in RATINGS:
            errors[code] = f"Rate {label.split(':')[0].lower()}"
        else:
            cleaned[code] = value
    unknown = set(ratings) - set(AREAS_OF_PRACTICE)
    if unknown:
        errors["ratings"] = "Unknown areas of practice: " + ", ".join(sorted(unknown))
    if errors:
        raise ValidationError(errors)
    return cleaned


def record_monitoring(
    *,
    actor: User,
    recording: SessionRecording,
    facilitator: User,
    viewed_on: dt.date,
    ratings: Mapping[str, Any],
    comments: str = "",
) -> MonitoringForm:
    """TMs of the area: rate one facilitator's delivery on a recorded session (quality of delivery per area of
    practice, comments, the date viewed). The facilitator must have delivered it; one form per facilitator per
    recording (409 ALREADY_MONITORED). Audited."""
    permissions.require_in_area(actor, recording)
    _require(permissions.can_monitor_sessions(actor))
    cleaned = clean_ratings(ratings)
    problem = viewed_on_problem(viewed_on=viewed_on, session_date=recording.session.date, today=clock.today())
    if problem:
        raise ValidationError({"viewed_on": problem})
    if not recording.session.facilitators.filter(pk=facilitator.pk).exists():
        raise ValidationError({"facilitator": "Choose a facilitator who delivered this session"})
    try:
        with transaction.atomic():
            form = MonitoringForm.objects.create(
                area_id=recording.area_id,
                recording=recording,
                facilitator=facilitator,
                rated_by=actor,
                viewed_on=viewed_on,
                ratings=cleaned,
                comments=_text("comments", comments, required=False),
            )
            record_event(
                actor=actor,
                action="qa.monitoring_recorded",
                obj=form,
                changes={"facilitator": str(facilitator.public_id), "ratings": cleaned},
            )
    except IntegrityError:
        raise DomainConflict(
            "This facilitator's delivery of this session has already been monitored.",
            code="ALREADY_MONITORED",
        ) from None
    return form


# --- supervision ----------------------------------------------------------------------------------------------


def record_supervision(
    *, actor: User, facilitator: User, held_on: dt.date, notes: str, actions: str = ""
) -> SupervisionRecord:
    """TMs: record a supervision session with one of their area's facilitators (date, notes, actions). Audited."""
    permissions.require_in_area(actor, facilitator)
    _require(permissions.can_record_supervision(actor, facilitator))
    if not permissions.delivers_programmes(facilitator):
        raise ValidationError({"facilitator": "Choose a facilitator"})
    created = timezone.localdate(facilitator.date_joined) if facilitator.date_joined else None
    problem = supervision_date_problem(held_on=held_on, account_created_on=created, today=clock.today())
    if problem:
        raise ValidationError({"held_on": problem})
    with transaction.atomic():
        record = SupervisionRecord.objects.create(
            area_id=actor.area_id,  # type: ignore[misc]
            treatment_manager=actor,
            facilitator=facilitator,
            held_on=held_on,
            notes=_text("notes", notes, required=True),
            actions=_text("actions", actions, required=False),
        )
        record_event(
            actor=actor,
            action="qa.supervision_recorded",
            obj=record,
            changes={"facilitator": str(facilitator.public_id), "held_on": held_on},
        )
    return record


# --- outcomes -------------------------------------------------------------------------------------------------


def _check_reoffence(
    *,
    person: Any,
    offence_on: dt.date,
    proven_on: dt.date,
    offence_type: str,
    reason: str | None = None,
) -> None:
    errors: dict[str, str] = {}
    if offence_type not in OffenceType.values:
        errors["offence_type"] = "Choose the type of offence"
    errors.update(
        reoffence_date_problems(
            offence_on=offence_on,
            proven_on=proven_on,
            date_of_birth=getattr(person, "date_of_birth", None),
            today=clock.today(),
        )
    )
    if reason is not None and not reason.strip():
        errors["reason"] = "Enter the reason for the change"
    if errors:
        raise ValidationError(errors)


def record_reoffence(
    *,
    actor: User,
    person: Any,
    offence_on: dt.date,
    proven_on: dt.date,
    offence_type: str,
    sexual: bool,
) -> Reoffence:
    """The person's offender manager: record a proven reoffence (offence date, proof date, type, sexual or
    not). A sexual offence type is always sexual. Audited as a write to the person's data."""
    permissions.require_in_area(actor, person)
    _require(permissions.can_record_reoffence(actor, person))
    _check_reoffence(person=person, offence_on=offence_on, proven_on=proven_on, offence_type=offence_type)
    sexual = sexual or offence_type in SEXUAL_TYPES
    with transaction.atomic():
        row = Reoffence.objects.create(
            area_id=person.area_id,
            person=person,
            offence_on=offence_on,
            proven_on=proven_on,
            offence_type=offence_type,
            sexual=sexual,
            recorded_by=actor,
        )
        record_event(
            actor=actor,
            action="person.reoffence_recorded",
            obj=row,
            object_label=person.crn,
            changes={
                "offence_on": offence_on,
                "proven_on": proven_on,
                "offence_type": offence_type,
                "sexual": sexual,
            },
        )
    return row


def _lock_reoffence(actor: User, reoffence: Reoffence) -> Reoffence:
    permissions.require_in_area(actor, reoffence)
    locked = Reoffence.objects.select_for_update().select_related("person").get(pk=reoffence.pk)
    _require(permissions.can_record_reoffence(actor, locked.person))
    return locked


def change_reoffence(
    *,
    actor: User,
    reoffence: Reoffence,
    offence_on: dt.date,
    proven_on: dt.date,
    offence_type: str,
    sexual: bool,
    reason: str,
) -> Reoffence:
    """The person's offender manager corrects a recorded reoffence, with a reason. Audited with the old and new
    values (review of issue 14: a wrong record must be correctable)."""
    permissions.require_in_area(actor, reoffence)
    _check_reoffence(
        person=reoffence.person,
        offence_on=offence_on,
        proven_on=proven_on,
        offence_type=offence_type,
        reason=reason,
    )
    sexual = sexual or offence_type in SEXUAL_TYPES
    with transaction.atomic():
        row = _lock_reoffence(actor, reoffence)
        new = {
            "offence_on": offence_on,
            "proven_on": proven_on,
            "offence_type": offence_type,
            "sexual": sexual,
        }
        changes = {k: [getattr(row, k), v] for k, v in new.items() if getattr(row, k) != v}
        for k, v in new.items():
            setattr(row, k, v)
        row.save(update_fields=list(new))
        record_event(
            actor=actor,
            action="person.reoffence_changed",
            obj=row,
            object_label=row.person.crn,
            changes={**changes, "reason": reason.strip()},
        )
    return row


def delete_reoffence(*, actor: User, reoffence: Reoffence, reason: str) -> None:
    """The person's offender manager removes a reoffence recorded in error, with a reason. Audited with what
    was removed."""
    permissions.require_in_area(actor, reoffence)
    if not (reason or "").strip():
        # the permission first, so a wrong role is refused (403) before any field message
        with transaction.atomic():
            _lock_reoffence(actor, reoffence)
        raise ValidationError({"reason": "Enter the reason for removing it"})
    with transaction.atomic():
        row = _lock_reoffence(actor, reoffence)
        record_event(
            actor=actor,
            action="person.reoffence_deleted",
            obj=row,
            object_label=row.person.crn,
            changes={
                "offence_on": row.offence_on,
                "proven_on": row.proven_on,
                "offence_type": row.offence_type,
                "sexual": row.sexual,
                "reason": reason.strip(),
            },
        )
        row.delete()


# --- the audit pack -------------------------------------------------------------------------------------------


def request_audit_pack(
    *, actor: User, national: bool, programme: str, period_start: dt.date, period_end: dt.date
) -> AuditPack:
    """Anyone who reads the statistics (national: only with the national grant): queue the audit-pack PDF,
    rendered by Celery after commit. Audited."""
    _require(permissions.can_view_statistics(actor))
    # The same scope check as quality.selectors.statistics_scope (review of issue 14: a blank hidden scope field
    # must not give a non-manager an area pack).
    _require(
        permissions.can_view_national_statistics(actor)
        if national
        else permissions.can_view_area_statistics(actor)
    )
    if period_end < period_start:
        raise ValidationError({"period_end": "The end of the period must be on or after its start"})
    from isotp.outbox import enqueue

    with transaction.atomic():
        pack = AuditPack.objects.create(
            area_id=None if national else actor.area_id,
            programme=programme,
            period_start=period_start,
            period_end=period_end,
            requested_by=actor,
        )
        record_event(
            actor=actor,
            action="statistics.audit_pack_requested",
            obj=pack,
            area_id=actor.area_id,
            changes={"national": national, "programme": programme, "from": period_start, "to": period_end},
        )
        # Recorded in this transaction, published after the commit (the outbox sweep sends it if that fails).
        enqueue("quality.tasks.render_audit_pack", pack.pk)
    return pack
