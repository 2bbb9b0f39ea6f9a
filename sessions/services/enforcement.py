"""Recording enforcement: a warning issued, breach action taken (domain.md §6; CJA 2003 Sch. 8).

The state itself is never stored: `sessions.progress.enforcement_for` works it out from the failures to comply
and these records, so a corrected register corrects the state.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from accounts.models import User
from accounts.permissions import is_offender_manager, is_treatment_manager
from audit.services import record_event
from isotp.clock import today as _today
from isotp.errors import DomainConflict
from notifications.services import notify
from referrals.models import Referral
from sessions.models import EnforcementAction, EnforcementKind
from sessions.progress import enforcement_for
from sessions.rules import format_date
from sessions.rules.enforcement import BREACH_DUE, WARNING_DUE


def check_can_enforce(actor: User, referral: Referral) -> None:
    """The person's OM or a TM of the area (domain.md §6); another area or another OM's caseload: 404."""
    if getattr(actor, "area_id", None) != referral.area_id:
        raise Http404
    if is_treatment_manager(actor):
        return
    if is_offender_manager(actor):
        if referral.person.offender_manager_id == actor.pk:
            return
        raise Http404
    raise PermissionDenied("Only the person's offender manager or a treatment manager records enforcement.")


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person", "person__offender_manager", "area")
        .get(pk=referral.pk)
    )


def _check_date(field: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        raise ValidationError({field: ["Enter a date that is today or in the past."]})


def _record(
    *, actor: User, referral: Referral, kind: str, on: dt.date, notes: str, wanted: str, field: str
) -> EnforcementAction:
    check_can_enforce(actor, referral)
    _check_date(field, on, _today())
    locked = _lock(referral)
    state = enforcement_for([locked])[locked.pk].state
    if state.status != wanted:
        what = "warning" if kind == EnforcementKind.WARNING else "breach action"
        raise DomainConflict(
            f"No {what} is due: the enforcement state is {state.label.lower()}. {state.reason}",
            code="ENFORCEMENT_NOT_DUE",
            status=state.status,
        )
    latest = state.answers or state.failures[-1]
    if on < latest:
        raise ValidationError(
            {field: [f"Enter a date on or after the unacceptable absence of {format_date(latest)}."]}
        )
    action = EnforcementAction.objects.create(
        referral=locked, kind=kind, on=on, notes=notes.strip(), recorded_by=actor
    )
    record_event(
        actor=actor,
        action=f"enforcement.{kind}",
        obj=locked,
        object_label=locked.person.crn,
        changes={field: on, "failure": latest, "status_before": state.status},
        reason=notes.strip(),
    )
    after = enforcement_for([locked])[locked.pk].state
    om = locked.person.offender_manager
    if om is not None and om.pk != actor.pk:
        notify(
            recipients=[om],
            kind="enforcement",
            subject="An enforcement step has been recorded",
            body=f"{actor.full_name} recorded {EnforcementKind(kind).label.lower()} on {format_date(on)} for "
            f"{locked.person.crn}.\n\n{after.reason}",
            link=f"/referrals/{locked.public_id}/",
            dedupe_key=f"enforcement:{action.pk}",
            person=locked.person,
        )
    return action


@transaction.atomic
def record_warning(
    *, actor: User, referral: Referral, issued_on: dt.date, notes: str = ""
) -> EnforcementAction:
    """The person's OM or a TM: record the warning issued for a failure to comply (409 ENFORCEMENT_NOT_DUE when
    none is due). Locks the referral; audited; the OM is told when someone else records it."""
    return _record(
        actor=actor,
        referral=referral,
        kind=EnforcementKind.WARNING,
        on=issued_on,
        notes=notes,
        wanted=WARNING_DUE,
        field="issued_on",
    )


@transaction.atomic
def record_breach(
    *, actor: User, referral: Referral, actioned_on: dt.date, notes: str = ""
) -> EnforcementAction:
    """The person's OM or a TM: record breach action taken (409 ENFORCEMENT_NOT_DUE when none is due). Locks the
    referral; audited; the OM is told when someone else records it."""
    return _record(
        actor=actor,
        referral=referral,
        kind=EnforcementKind.BREACH,
        on=actioned_on,
        notes=notes,
        wanted=BREACH_DUE,
        field="actioned_on",
    )
