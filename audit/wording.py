"""The audit trail in words (issue 13): "Signed in", "Attendance recorded: Unacceptable absence → Attended", with
the values that changed, rather than action codes and field names.

Pure: no Django imports. The labels of each app's coded values (an attendance outcome, a referral status) come in
as `values` (field name -> code -> label), gathered from the apps by `audit.selectors`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from isotp.dates import long_date

# Every action the services write, in words. An action not listed reads as its code made plain ("qa.x_y" -> "X y").
ACTION_WORDS: dict[str, str] = {
    "signed_in": "Signed in",
    "sign_in.refused": "Sign-in refused",
    "password.changed": "Password changed",
    "second_factor.enrolled": "Authenticator set up",
    "second_factor.reset": "Authenticator reset and account unlocked",
    "invitation.accepted": "Invitation accepted",
    "account.deactivated_dormant": "Account deactivated after months unused",
    "api_token.issued": "API token issued",
    "api_token.revoked": "API token revoked",
    "feed_token.issued": "Calendar link created",
    "feed_token.rotated": "Calendar link replaced",
    "feed_token.revoked": "Calendar link turned off",
    "staff.invited": "Staff member invited",
    "staff.role_changed": "Role changed",
    "staff.deactivated": "Staff member deactivated",
    "staff.reactivated": "Staff member reactivated",
    "training.recorded": "Training recorded",
    "training.removed": "Training record removed",
    "supervision.started": "Supervision started",
    "supervision.ended": "Supervision ended",
    "venue.added": "Venue added",
    "venue.changed": "Venue changed",
    "venue.retired": "Venue retired",
    "venue.reinstated": "Venue back in use",
    "closure.added": "Closure date added",
    "closure.removed": "Closure date removed",
    "eligibility_configuration.saved": "Eligibility settings saved",
    "person.created": "Person added",
    "person.updated": "Personal details changed",
    "person.crn_held_by_another_area": "CRN already held by another area",
    "person.transfer_requested": "Transfer from another area requested",
    "person.transferred": "Transferred to another area",
    "person.transfer_refused": "Transfer refused",
    "person.personal_data_erased": "Personal data erased",
    "person.subject_access_exported": "Subject access copy produced",
    "person.reoffence_recorded": "Proven reoffence recorded",
    "person.reoffence_changed": "Proven reoffence changed",
    "person.reoffence_deleted": "Proven reoffence removed",
    "conviction.added": "Conviction added",
    "conviction.removed": "Conviction removed",
    "sentence.recorded": "Sentence and supervision recorded",
    "rm2000.calculated": "RM2000 worked out",
    "rm2000.recorded": "RM2000 recorded",
    "rm2000_table.saved": "RM2000 table saved",
    "ogrs3.calculated": "OGRS3 worked out",
    "ogrs3.recorded": "OGRS3 recorded",
    "rosh.recorded": "Risk of serious harm recorded",
    "deviance.recorded": "Deviance recorded",
    "referral.created": "Referral started",
    "referral.updated": "Referral changed",
    "referral.other_information_answered": "Referral's other information answered",
    "referral.assessed": "Referral assessed",
    "referral.status_changed": "Referral status changed",
    "programme.version_created": "Programme version created",
    "group.created": "Group created",
    "plan.created": "One-to-one plan created",
    "session.rescheduled": "Session rescheduled",
    "session.cancelled_by_provider": "Session cancelled by the provider",
    "membership.allocated": "Allocated",
    "waiting_list.exported": "Waiting list downloaded (CSV)",
    "group.schedule_exported": "Group schedule downloaded (CSV)",
    "session.register_exported": "Register downloaded (CSV)",
    "membership.ended": "Left the group or plan",
    "membership.restart_required": "Restart needed",
    "membership.block_restart": "Restarted at the next block",
    "membership.sessions_complete": "All sessions attended",
    "register.taken": "Register taken",
    "attendance.recorded": "Attendance recorded",
    "catch_up.booked": "Catch-up booked",
    "catch_up.recorded": "Catch-up outcome recorded",
    "catch_up.cancelled": "Catch-up cancelled",
    "catch_up.exception_granted": "Exception granted: may attend before catching up",
    "enforcement.warning": "Warning recorded",
    "enforcement.breach": "Breach action recorded",
    "psychometrics.pre_recorded": "Pre-programme psychometrics recorded",
    "psychometrics.post_recorded": "Post-programme psychometrics recorded",
    "psychometrics.deviance_overridden": "Deviance level set by the treatment manager",
    "battery.version_saved": "Psychometric battery saved",
    "report.opened": "Report started",
    "report.draft_saved": "Report draft saved",
    "report.submitted": "Report sent for approval",
    "report.returned": "Report returned for changes",
    "report.approved": "Report approved",
    "report.issued": "Report issued",
    "report.amendment_started": "Report amendment started",
    "report.completion_counted": "Completion counted",
    "report.downloaded": "Report downloaded",
    "report.render_failed": "Report PDF could not be produced",
    "report.render_retried": "Report PDF tried again",
    "qa.session_recorded": "Session recording marked",
    "qa.monitoring_recorded": "Monitoring form recorded",
    "qa.supervision_recorded": "Supervision session recorded",
    "qa.settings_changed": "Quality targets changed",
    "statistics.audit_pack_requested": "Audit pack requested",
    "statistics.audit_pack_downloaded": "Audit pack downloaded",
}

# The change that says what happened, shown after the action ("Attendance recorded: Unacceptable absence →
# Attended"); the other changes are listed under it.
HEADLINE_FIELDS: dict[str, str] = {
    "signed_in": "outcome",
    "attendance.recorded": "outcome",
    "catch_up.recorded": "outcome",
    "referral.status_changed": "status",
    "staff.role_changed": "role",
    "sign_in.refused": "outcome",
    "membership.ended": "status",
}

# Field names in words; a field not listed reads as its name made plain ("sent_home_acceptable" -> "Sent home
# acceptable").
FIELD_WORDS: dict[str, str] = {
    "crn": "CRN",
    "dob": "Date of birth",
    "ogrs3": "OGRS3",
    "rm2000": "RM2000",
    "rosh": "Risk of serious harm",
    "reason_code": "Reason",
    "homework_done": "Homework done",
    "sent_home_acceptable": "Sent home: acceptable",
    "new_date": "New date",
    "new_start": "New start time",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ARROW = " → "


@dataclass(frozen=True)
class EventWords:
    """An audit event in words: what happened (with the headline change) and the other values changed."""

    headline: str
    details: tuple[str, ...]


def plain(code: str) -> str:
    """'sent_home_acceptable' -> 'Sent home acceptable'; 'qa.session_recorded' -> 'Session recorded'."""
    words = code.rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def action_words(action: str) -> str:
    return ACTION_WORDS.get(action) or plain(action)


def field_words(field: str) -> str:
    return FIELD_WORDS.get(field) or plain(field)


def value_words(field: str, value: Any, values: Mapping[str, Mapping[str, str]]) -> str:
    """A stored value in words: a coded value by its label, yes/no, a date as 4 January 2027; "" for nothing to
    show (empty, or an internal identifier)."""
    if value is None or value in ("", [], {}):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(w for w in (value_words(field, v, values) for v in value) if w)
    if isinstance(value, dict) and {"number", "from", "to"} <= set(value):  # a moved session
        return (
            f"session {value['number']} {value_words('', value['from'], values)}{_ARROW}"
            + value_words("", value["to"], values)
            + (f" at {value['start']}" if value.get("start") else "")
        )
    if isinstance(value, dict):
        return "; ".join(
            f"{field_words(k)}: {w}" for k, v in value.items() if (w := value_words(k, v, values))
        )
    text = str(value)
    if _UUID.match(text):
        return ""
    label = values.get(field, {}).get(text)
    if label:
        return label
    if _ISO_DATE.match(text):
        day = dt.date.fromisoformat(text)
        return long_date(day)
    if _ISO_MOMENT.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        return f"{long_date(moment)} {moment:%H:%M}"
    return text


def _change(field: str, value: Any, values: Mapping[str, Mapping[str, str]]) -> str:
    """'Unacceptable absence → Attended', or just 'Attended' for a first value."""
    if isinstance(value, dict) and set(value) <= {"from", "to"} and "to" in value:
        before, after = value_words(field, value.get("from"), values), value_words(field, value["to"], values)
        if before and before != after:
            return f"{before}{_ARROW}{after or 'None'}"
        return after
    return value_words(field, value, values)


def describe(
    action: str, changes: Mapping[str, Any] | None, values: Mapping[str, Mapping[str, str]]
) -> EventWords:
    """An event in words: the action, its headline change after a colon, then each other change as
    'Field: before → after' or 'Field: value' (identifiers left out)."""
    changes = changes or {}
    headline = action_words(action)
    key = HEADLINE_FIELDS.get(action)
    if key is not None and key in changes:
        said = _change(key, changes[key], values)
        if said and said != headline:
            headline = f"{headline}: {said}"
    details = []
    for field, value in changes.items():
        if field == key:
            continue
        said = _change(field, value, values)
        if said:
            details.append(f"{field_words(field)}: {said}")
    return EventWords(headline, tuple(details))
