"""Retention (issue 12): find the people past the retention period, and erase one person's personal data once an
area administrator confirms, keeping the anonymised statistics and an audit record that it happened.

What the erasure keeps: every structural row the statistics count (referrals and their statuses and dates,
memberships, attendance, psychometric scores, outcomes), the person's sex, learning disability and IQ, and the year
of birth (1 January), so age bands still work. What it removes: the name, the date of birth (to the year, in the
risk calculators' inputs too), the CRN (replaced by an unused placeholder), every free-text field of every row that
hangs from the person, the report writing and snapshots, and the report PDFs (deleted from storage); in free text
about a group's delivery in the person's area (sessions, QA monitoring, supervision notes) the CRN and full name
are replaced by `[erased]`.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_erase_personal_data, require_in_area
from audit.services import record_event
from dataprotection.models import ErasurePermit, RetentionCandidate
from dataprotection.rules import retention_cutoff, retention_decision
from dataprotection.services import _related
from isotp import clock
from isotp.errors import DomainConflict

logger = logging.getLogger(__name__)

ERASED_TEXT = "Erased under the retention policy"
ERASED_FIRST_NAME = "Erased"
ERASED_LAST_NAME = "record"
# Report writing and snapshots quote the person: cleared whole.
ERASED_JSON = {
    ("reports", "postprogrammereport"): ("content", "approved_snapshot"),
    ("reports", "reportversion"): ("snapshot",),
}

# RM2000 and OGRS3 calculators' inputs (JSON) hold the date of birth.
DATED_INPUTS = frozenset({"inputs"})


def _open_referral(person_ref: Any) -> Exists:
    from referrals.models import Referral
    from referrals.rules import OPEN_STATUSES

    return Exists(Referral.objects.filter(person=person_ref, status__in=OPEN_STATUSES))


def refresh_candidates(*, today: dt.date | None = None) -> int:
    """The nightly job (no actor: the system): list every person past retention who is not yet listed, and drop
    listed ones no longer due (a new sentence or referral). Answers how many are listed and not yet erased."""
    from referrals.models import Person

    today = today or clock.today()
    cutoff = retention_cutoff(today, settings.RETENTION_YEARS)
    due = (
        Person.objects.annotate(
            ended=Max("sentences__supervision_end_date"), open=_open_referral(OuterRef("pk"))
        )
        .filter(ended__lt=cutoff, open=False)
        .exclude(retention__erased_at__isnull=False)
        .values_list("pk", "area_id", "ended")
    )
    now = timezone.now()
    with transaction.atomic():
        due_ids = set()
        for person_id, area_id, ended in due.iterator():
            due_ids.add(person_id)
            RetentionCandidate.objects.update_or_create(
                person_id=person_id,
                defaults={"area_id": area_id, "supervision_ended_on": ended},
                create_defaults={"area_id": area_id, "supervision_ended_on": ended, "found_at": now},
            )
        RetentionCandidate.objects.filter(erased_at__isnull=True).exclude(person_id__in=due_ids).delete()
    return RetentionCandidate.objects.filter(erased_at__isnull=True).count()


def _placeholder_crn() -> str:
    """An unused placeholder for an erased person's CRN (the column is unique): `ERASED-` and six digits, which no
    real CRN (one capital letter and six digits) can be, so it never blocks recording a real person."""
    from referrals.models import ERASED_CRN_PREFIX, Person

    while True:
        crn = f"{ERASED_CRN_PREFIX}{secrets.randbelow(10**6):06d}"
        if not Person.objects.filter(crn=crn).exists():
            return crn


def _erase_row(obj: models.Model) -> list[str]:
    """Clear the free text, report JSON and files of one row; answers the storage names to delete after commit."""
    values: dict[str, Any] = {}
    files: list[str] = []
    json_fields = ERASED_JSON.get((obj._meta.app_label, obj._meta.model_name or ""), ())
    for field in obj._meta.concrete_fields:
        current = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            if current:
                files.append(str(current))
                values[field.attname] = ""
        elif isinstance(field, models.TextField):
            if current and current != ERASED_TEXT:
                values[field.attname] = "" if field.blank else ERASED_TEXT
        elif field.name in json_fields:
            values[field.attname] = {}
        elif field.name in DATED_INPUTS and isinstance(current, dict) and current.get("date_of_birth"):
            # A calculator's inputs repeat the date of birth: kept to the year, as the person's own is.
            born = str(current["date_of_birth"])
            values[field.attname] = current | {"date_of_birth": f"{born[:4]}-01-01"}
    if obj._meta.model_name == "reportversion" and values.get("amendment_reason") == "":
        values["amendment_reason"] = (
            ERASED_TEXT  # a later version must keep a reason (report_version_amendment...)
        )
    if values:
        type(obj)._default_manager.filter(pk=obj.pk).update(**values)
    return files


def _erase_notifications(person: Any) -> int:
    """Notifications about the person carry their CRN (and sometimes a reason or a concern) in the subject and
    body: the ones linked to the person (`Notification.person`) are cleared, and, as a belt for rows written before
    that link existed and not backfilled, the ones in the person's area that name the CRN or the full name."""
    from django.db.models import Q

    from notifications.models import Notification

    full_name = f"{person.first_name} {person.last_name}".strip()
    mentions = Q(subject__contains=person.crn) | Q(body__contains=person.crn)
    if full_name:
        mentions |= Q(subject__contains=full_name) | Q(body__contains=full_name)
    return Notification.objects.filter(Q(person=person) | (mentions & Q(area_id=person.area_id))).update(
        subject="A notification about a person whose data has been erased", body=ERASED_TEXT, link=""
    )


# Free text about a session, a group or a facilitator's delivery, not about one person: it may still name a member.
# Only the mention is replaced (the rest is about other people and the delivery). (model, area lookup, fields)
AREA_TEXT = (
    ("programme_sessions.ScheduledSession", "group__area", ("content_delivered", "exercises")),
    ("programme_sessions.ProgrammeGroup", "area", ("completion_reason",)),
    ("quality.MonitoringForm", "area", ("comments",)),
    ("quality.SupervisionRecord", "area", ("notes", "actions")),
)
MENTION_REPLACEMENT = "[erased]"


def _redact_mentions(person: Any) -> int:
    """Replace the CRN and the full name where free text in the person's area names them; answers rows changed."""
    import re

    from django.apps import apps
    from django.db.models import Q

    names = [n for n in (person.crn, f"{person.first_name} {person.last_name}".strip()) if n]
    pattern = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)
    changed = 0
    for label, area_lookup, fields in AREA_TEXT:
        model = apps.get_model(label)
        mentions = Q()
        for field in fields:
            for name in names:
                mentions |= Q(**{f"{field}__icontains": name})
        for row in model._default_manager.filter(mentions, **{area_lookup: person.area_id}):
            values = {f: pattern.sub(MENTION_REPLACEMENT, getattr(row, f)) for f in fields}
            model._default_manager.filter(pk=row.pk).update(**values)
            changed += 1
    return changed


def erase_personal_data(*, actor: User, person: Any) -> RetentionCandidate:
    """Area administrators of the person's area, for a person the nightly job listed and still due: erase the
    personal data (see the module docstring), mark the candidate erased and audit it (no personal data in the
    event). 409 RETENTION_* when the person is not (or no longer) due."""
    from referrals.models import Person
    from referrals.rules import OPEN_STATUSES
    from reports.models import PostProgrammeReport

    require_in_area(actor, person)
    if not can_erase_personal_data(actor, person):
        raise PermissionDenied
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        candidate = RetentionCandidate.objects.select_for_update().filter(person=locked).first()
        if candidate is not None and candidate.erased_at is not None:
            raise DomainConflict(
                "This person's personal data has already been erased", code="RETENTION_ERASED"
            )
        ended = locked.sentences.aggregate(ended=Max("supervision_end_date"))["ended"]
        decision = retention_decision(
            supervision_ended=ended,
            has_open_referral=locked.referrals.filter(status__in=OPEN_STATUSES).exists(),
            today=clock.today(),
            years=settings.RETENTION_YEARS,
        )
        if not decision.due:
            raise DomainConflict(decision.reason, code=decision.code)
        if candidate is None:
            candidate = RetentionCandidate.objects.create(
                person=locked, area_id=locked.area_id, supervision_ended_on=ended, found_at=timezone.now()
            )
        rows = _related(locked)
        reports = [r.pk for r in rows if isinstance(r, PostProgrammeReport)]
        ErasurePermit.objects.bulk_create([ErasurePermit(report_id=pk) for pk in reports])
        files: list[str] = []
        for row in rows:
            if row.pk != locked.pk or not isinstance(row, Person):
                files += _erase_row(row)
        _erase_notifications(locked)
        _redact_mentions(locked)
        born = locked.date_of_birth
        Person.objects.filter(pk=locked.pk).update(
            first_name=ERASED_FIRST_NAME,
            last_name=ERASED_LAST_NAME,
            date_of_birth=dt.date(born.year, 1, 1),
            crn=_placeholder_crn(),
        )
        ErasurePermit.objects.filter(report_id__in=reports).delete()
        candidate.erased_at, candidate.erased_by = timezone.now(), actor
        candidate.save(update_fields=["erased_at", "erased_by"])
        record_event(
            actor=actor,
            action="person.personal_data_erased",
            obj=locked,
            changes={
                "rule": decision.code,
                "supervision_ended_on": ended,
                "retention_years": settings.RETENTION_YEARS,
                "records_cleared": len(rows),
                "files_deleted": len(files),
            },
        )
        transaction.on_commit(lambda: _delete_files(files))
    candidate.refresh_from_db()
    return candidate


def _delete_files(names: list[str]) -> None:
    from reports.models import report_storage

    storage = report_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError as exc:  # logged by type only: a storage path names a report
            logger.warning("retention: a report file could not be deleted (%s)", type(exc).__name__)
