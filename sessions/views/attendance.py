"""Registers, catch-ups and a member's progress (issue 8; domain.md §6): thin pages over the attendance services.

The register is one page and one submit for the whole group: each member has one set of outcome radios, the
sent-home mark, homework, a note and a concern flag; the services save it in one transaction or refuse it whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from audit.services import record_search
from isotp.clock import today
from isotp.csv_export import csv_response
from isotp.dates import long_date
from isotp.errors import DomainConflict
from isotp.forms import GovukDateField, add_refusal
from sessions import attendance_selectors, services
from sessions.forms.base import GovukForm, GovukTimeField, set_choices
from sessions.models import AttendanceOutcome, CatchUpOutcome, Membership, ScheduledSession
from sessions.progress import (
    enforcement_for,
    member_record,
    membership_ended,
    programme_of,
    register_for,
    register_members,
    restart_rule,
    session_label,
)
from sessions.rules import format_date
from sessions.rules.attendance import upper_first
from sessions.selectors.schedule import session_for_user
from sessions.services.exports import export_register
from sessions.views.requests import staff

SENT_HOME_CHOICES = [("yes", "Acceptable reason"), ("no", "Unacceptable reason")]


def _owner_url(session: ScheduledSession) -> str:
    if session.group_id:
        return reverse("programme_sessions:group_detail", kwargs={"public_id": session.group.public_id})  # type: ignore[union-attr]
    return reverse("programme_sessions:plan_detail", kwargs={"public_id": session.plan.public_id})  # type: ignore[union-attr]


def _entries_from_post(
    post: Any, members: list[Membership]
) -> tuple[list[services.RegisterEntry], list[tuple[str, str]]]:
    entries, errors = [], []
    for member in members:
        if membership_ended(member):  # read-only: an ended member's row is shown, never posted (domain.md §6)
            continue
        key = str(member.public_id)
        outcome = post.get(f"{key}-outcome", "")
        name = member.referral.person.full_name
        if outcome not in AttendanceOutcome.values:
            errors.append((f"m-{key}-outcome", f"Select what happened for {name}"))
            continue
        sent_home = post.get(f"{key}-sent_home", "")
        acceptable = {"yes": True, "no": False}.get(sent_home)
        if outcome == AttendanceOutcome.SENT_HOME and acceptable is None:
            errors.append(
                (f"m-{key}-sent_home", f"Select whether {name} was sent home for an acceptable reason")
            )
            continue
        notes = post.get(f"{key}-notes", "").strip()
        if len(notes) > 2000:
            errors.append((f"m-{key}-notes", f"The note for {name} must be 2,000 characters or fewer"))
            continue
        entries.append(
            services.RegisterEntry(
                membership=member,
                outcome=outcome,
                sent_home_acceptable=acceptable if outcome == AttendanceOutcome.SENT_HOME else None,
                homework_done=post.get(f"{key}-homework") == "yes",
                personal_work=post.get(f"{key}-personal_work") == "yes",
                notes=notes,
                concern=post.get(f"{key}-concern") == "yes",
            )
        )
    return entries, errors


# A catch-up refusal about the date, the venue or the facilitator goes on that field (issue 13).
CATCH_UP_FIELDS = {
    "NON_WORKING_DAY": "date",
    "CATCH_UP_IN_FUTURE": "outcome",
    "VENUE_CLASH": "venue",
    "FACILITATOR_CLASH": "facilitator",
    "NOT_MISSED": "missed_session",
    "ALREADY_CAUGHT_UP": "missed_session",
}


@login_required
def session_register_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    """A session's register as CSV (issue 13), for its facilitators and TMs; the export is audited."""
    require(permissions.can_take_register(request.user))
    session = session_for_user(request.user, public_id)
    text = export_register(actor=staff(request), session=session, lines=register_for(session))
    owner = session.group or session.plan
    reference = owner.reference if owner is not None else "session"
    return csv_response(text, f"register-{reference}-session-{session.number}-{session.date.isoformat()}.csv")


@login_required
@require_http_methods(["GET", "POST"])
def session_register(request: HttpRequest, public_id: str) -> HttpResponse:
    """The session's facilitators and TMs: take (or correct) the register and the session notes."""
    require(permissions.can_take_register(request.user))
    session = session_for_user(request.user, public_id)
    # A register posted needs only its members (the service reads their records under its locks); their records
    # are read to show the register (a GET, or a POST refused).
    members = register_members(session)
    if request.method == "GET":  # the register lists the session's members: in the access log
        record_search(actor=staff(request), list_name="register", query={"session": str(session.public_id)})
    errors: list[tuple[str, str]] = []
    posted: dict[str, Any] = {}
    if request.method == "POST":
        posted = request.POST.dict()
        entries, errors = _entries_from_post(request.POST, members)
        if not errors:
            try:
                services.take_register(
                    actor=staff(request),
                    session=session,
                    entries=entries,
                    content_delivered=request.POST.get("content_delivered", ""),
                    exercises=request.POST.get("exercises", ""),
                )
            except DomainConflict as exc:
                ref = exc.extra.get("membership", "")
                anchor = f"m-{ref}-outcome" if ref else ""
                name = next((m.referral.person.full_name for m in members if str(m.public_id) == ref), "")
                # Review of issue 8, no. 13: the summary and the field name the member.
                errors.append((anchor, f"{name}: {exc.detail}" if name else exc.detail))
            except ValidationError as exc:
                errors.extend(("", m) for m in exc.messages)
            else:
                messages.success(request, f"Register saved for {session_label(session)}")
                return redirect(_owner_url(session))
    owner = session.group or session.plan
    is_nsogp = owner.programme.programme == "nsogp"  # type: ignore[union-attr]
    rows = []
    for line in register_for(session, members=members):
        key = str(line.membership.public_id)
        record = line.record
        if posted:
            current = {
                "outcome": posted.get(f"{key}-outcome", ""),
                "sent_home": posted.get(f"{key}-sent_home", ""),
                "homework": posted.get(f"{key}-homework") == "yes",
                "personal_work": posted.get(f"{key}-personal_work") == "yes",
                "notes": posted.get(f"{key}-notes", ""),
                "concern": posted.get(f"{key}-concern") == "yes",
            }
        else:
            current = {
                "outcome": record.outcome if record else "",
                "sent_home": {True: "yes", False: "no"}.get(record.sent_home_acceptable, "")  # type: ignore[arg-type]
                if record
                else "",
                "homework": bool(record and record.homework_done),
                "personal_work": bool(record and record.personal_work),
                "notes": record.notes if record else "",
                "concern": bool(record and record.concern),
            }
        rows.append(
            {
                "key": key,
                "line": line,
                "current": current,
                "error": next((m for a, m in errors if a.startswith(f"m-{key}")), ""),
            }
        )
    return render(
        request,
        "sessions/attendance/register.html",
        {
            "session": session,
            "owner": owner,
            "back_url": _owner_url(session),
            "rows": rows,
            "outcomes": AttendanceOutcome.choices,
            "sent_home_choices": SENT_HOME_CHOICES,
            "errors": errors,
            "is_open": session.date <= today(),
            "is_nsogp": is_nsogp,
            "content_delivered": posted.get("content_delivered", session.content_delivered),
            "exercises": posted.get("exercises", session.exercises),
            "can_grant_exception": permissions.can_grant_catch_up_exception(request.user),
            "catch_up_word": "rearranged session" if session.plan_id else "catch-up",
            "facilitators": _facilitators(session),
        },
    )


def _facilitators(session: ScheduledSession) -> list[Any]:
    """Who delivers the session: its own facilitators, else its group's (or its plan's one facilitator)."""
    own = list(session.facilitators.all())
    if own:
        return own
    if session.group is not None:
        return list(session.group.facilitators.all())
    return [session.plan.facilitator] if session.plan is not None else []


# --- catch-ups ------------------------------------------------------------------------------------------------


class CatchUpForm(GovukForm):
    """Book (or record) a catch-up of one missed session."""

    missed_session = forms.ChoiceField(
        label="Session to catch up", error_messages={"required": "Select the session to catch up"}
    )
    date = GovukDateField(label="Date", label_text="date", help_text="For example, 27 3 2027")
    start = GovukTimeField(
        label="Start time (optional)",
        label_text="start time",
        required=False,
        help_text="On the 24-hour clock, for example 14:00. With a time, the facilitator and venue are checked "
        "for clashes.",
    )
    facilitator = forms.ChoiceField(
        label="Facilitator", error_messages={"required": "Select the facilitator"}
    )
    venue = forms.ChoiceField(label="Venue (optional)", required=False)
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Not yet: book it"), *CatchUpOutcome.choices],
        widget=forms.RadioSelect,
        initial="",
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
@require_http_methods(["GET", "POST"])
def catch_up_new(request: HttpRequest, public_id: str) -> HttpResponse:
    """TMs and the member's facilitators: book a catch-up of a missed session, or record one that took place."""
    require(permissions.can_take_register(request.user))
    membership = attendance_selectors.membership_with_progress(request.user, public_id)
    record = member_record(membership)
    result = record.progress()
    outstanding = list(result.outstanding)
    by_id = {str(s.public_id): s for s in record.sessions}
    user = staff(request)
    owner = membership.group or membership.plan
    suggested = attendance_selectors.suggested_catch_up_facilitator(user)
    facilitators = list(attendance_selectors.facilitators_for_catch_up(user, membership))
    venues = list(attendance_selectors.venues_for_catch_up(user))
    form = CatchUpForm(
        request.POST if request.method == "POST" else None,
        initial={
            "missed_session": request.GET.get("session")
            or (outstanding[0].session_id if outstanding else ""),
            "facilitator": str(suggested.public_id) if suggested else "",
            "venue": str(owner.venue_id),  # type: ignore[union-attr]
            "date": today(),
        },
    )
    set_choices(form.fields["missed_session"], [(s.session_id, upper_first(s.label)) for s in outstanding])
    set_choices(form.fields["facilitator"], [(str(f.public_id), f.full_name) for f in facilitators])
    set_choices(form.fields["venue"], [("", "No venue"), *[(str(v.pk), v.name) for v in venues]])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            catch_up = services.book_catch_up(
                actor=user,
                membership=membership,
                missed_session=by_id[data["missed_session"]],
                date=data["date"],
                start=data["start"],
                facilitator=next(f for f in facilitators if str(f.public_id) == data["facilitator"]),
                venue=next((v for v in venues if str(v.pk) == data["venue"]), None),
                outcome=data["outcome"],
                notes=data["notes"],
            )
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc, CATCH_UP_FIELDS)
        else:
            what = "recorded" if catch_up.outcome else "booked"
            messages.success(
                request,
                f"Catch-up of {session_label(catch_up.missed_session)} {what} for {long_date(catch_up.date)}",
            )
            return redirect("programme_sessions:member_progress", public_id=membership.public_id)
    return render(
        request,
        "sessions/attendance/catch_up_form.html",
        {"form": form, "membership": membership, "owner": owner, "outstanding": outstanding},
    )


class CatchUpOutcomeForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=CatchUpOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened at the catch-up"},
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
@require_http_methods(["GET", "POST"])
def catch_up_outcome(request: HttpRequest, public_id: str) -> HttpResponse:
    """TMs and the member's facilitators: record a booked catch-up's outcome, on or after its date."""
    require(permissions.can_take_register(request.user))
    catch_up = attendance_selectors.catch_up_for_user(request.user, public_id)
    form = CatchUpOutcomeForm(
        request.POST if request.method == "POST" else None, initial={"notes": catch_up.notes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_catch_up_outcome(actor=staff(request), catch_up=catch_up, **form.cleaned_data)
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Catch-up outcome recorded")
            return redirect("programme_sessions:member_progress", public_id=catch_up.membership.public_id)
    return render(request, "sessions/attendance/catch_up_outcome.html", {"form": form, "catch_up": catch_up})


class CatchUpCancelForm(GovukForm):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the catch-up is cancelled"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def catch_up_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    """TMs, the member's facilitators and the booked facilitator: cancel a booked catch-up, with the reason."""
    require(permissions.can_take_register(request.user))
    catch_up = attendance_selectors.catch_up_for_user(request.user, public_id)
    form = CatchUpCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_catch_up(
                actor=staff(request), catch_up=catch_up, reason=form.cleaned_data["reason"]
            )
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, f"Catch-up on {format_date(catch_up.date)} cancelled")
            return redirect("programme_sessions:member_progress", public_id=catch_up.membership.public_id)
    return render(request, "sessions/attendance/catch_up_cancel.html", {"form": form, "catch_up": catch_up})


class ExceptionForm(GovukForm):
    missed_session = forms.ChoiceField(
        label="Outstanding catch-up", error_messages={"required": "Select the outstanding catch-up"}
    )
    reason = forms.CharField(
        label="Why may he continue before the catch-up?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why he may continue before the catch-up"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def catch_up_exception(request: HttpRequest, public_id: str) -> HttpResponse:
    """Treatment managers: let a member continue while a catch-up is outstanding, with the reason (§6)."""
    require(permissions.can_grant_catch_up_exception(request.user))
    membership = attendance_selectors.membership_with_progress(request.user, public_id)
    record = member_record(membership)
    outstanding = [s for s in record.progress().outstanding if not s.exception]
    by_id = {str(s.public_id): s for s in record.sessions}
    form = ExceptionForm(request.POST if request.method == "POST" else None)
    set_choices(form.fields["missed_session"], [(s.session_id, upper_first(s.label)) for s in outstanding])
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_catch_up_exception(
                actor=staff(request),
                membership=membership,
                missed_session=by_id[form.cleaned_data["missed_session"]],
                reason=form.cleaned_data["reason"],
            )
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Exception recorded: he may attend while the catch-up is outstanding")
            return redirect("programme_sessions:member_progress", public_id=membership.public_id)
    return render(
        request, "sessions/attendance/exception_form.html", {"form": form, "membership": membership}
    )


# --- progress -------------------------------------------------------------------------------------------------


@login_required
def member_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every role within reach (area, own groups, own caseload): a member's progress and timeline."""
    require(permissions.can_view_progress(request.user))
    membership = attendance_selectors.membership_progress_record_for(request.user, public_id)
    record = member_record(membership)
    result = record.progress()
    enforcement = enforcement_for([membership.referral])[membership.referral.pk]
    timeline: list[dict[str, Any]] = []
    for session in record.sessions:
        att = record.attendance.get(session.pk)
        if att is None:
            continue
        timeline.append(
            {
                "date": session.date,
                "title": f"Session {session.number}: {att.get_outcome_display()}"
                + (
                    f" ({'acceptable' if att.sent_home_acceptable else 'unacceptable'} reason)"
                    if att.outcome == "sent_home"
                    else ""
                ),
                "detail": att.notes,
                "homework": att.homework_done,
                "concern": att.concern,
            }
        )
    word = "rearranged session" if membership.plan_id is not None else "catch-up"
    for c in record.catch_ups:
        timeline.append(
            {
                "date": c.date,
                "title": f"{word.capitalize()} of {session_label(c.missed_session)}: "
                + (c.get_outcome_display() if c.outcome else "cancelled" if c.cancelled else "booked"),
                "detail": c.cancel_reason if c.cancelled else c.notes,
                "homework": None,
                "concern": False,
                "catch_up": c,
            }
        )
    for e in record.exceptions.values():
        timeline.append(
            {
                "date": e.granted_at.date(),
                "title": f"Exception by {e.granted_by.full_name}: may continue before the catch-up of "
                f"{session_label(e.missed_session)}",
                "detail": e.reason,
                "homework": None,
                "concern": False,
            }
        )
    for a in enforcement.actions:
        timeline.append(
            {
                "date": a.on,
                "title": a.get_kind_display(),
                "detail": a.notes,
                "homework": None,
                "concern": False,
            }
        )
    timeline.sort(key=lambda t: t["date"], reverse=True)
    homework = [r for r in record.attendance.values() if r.homework_done is not None]
    rule = restart_rule(programme_of(membership))
    limit_text = ""  # review of issue 8, no. 12: say plainly how many more may be missed
    if rule.applies and rule.kind == "total_catch_ups" and membership.status == "active":
        left = result.catch_ups_left or 0
        limit_text = (
            f"He may miss {left} more session{'s' if left != 1 else ''} before he must start the programme "
            f"again (no more than {rule.limit} may be {'rearranged' if membership.plan_id else 'caught up'})."
            if left
            else "He may not miss another session: one more and he must start the programme again."
        )
    elif rule.applies and rule.kind == "missed_per_block":
        limit_text = f"Missing more than {rule.limit} sessions in one block means restarting that block."
    return render(
        request,
        "sessions/attendance/progress.html",
        {
            "membership": membership,
            "owner": membership.group or membership.plan,
            "person": membership.referral.person,
            "result": result,
            "enforcement": enforcement,
            "timeline": timeline,
            "homework_done": sum(1 for r in homework if r.homework_done),
            "homework_total": len(homework),
            "limit_text": limit_text,
            "catch_up_word": word,
            "pending_catch_ups": [c for c in record.catch_ups if c.pending],
            "can_book": permissions.can_take_register(request.user),
            "can_grant_exception": permissions.can_grant_catch_up_exception(request.user),
            "today": today(),
            "one_to_one": membership.plan_id is not None,
            "dt": dt,
        },
    )


# --- enforcement ----------------------------------------------------------------------------------------------


class WarningForm(GovukForm):
    issued_on = GovukDateField(
        label="Date the warning was issued",
        label_text="date the warning was issued",
        help_text="For example, 27 3 2027",
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BreachForm(GovukForm):
    actioned_on = GovukDateField(
        label="Date breach action was taken",
        label_text="date breach action was taken",
        help_text="For example, 27 3 2027",
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _enforcement_page(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    from referrals import selectors as referral_selectors

    require(permissions.can_record_enforcement(request.user))
    referral = referral_selectors.referral_for_user(request.user, public_id)
    view = enforcement_for([referral])[referral.pk]
    form_class = WarningForm if kind == "warning" else BreachForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if kind == "warning":
                services.record_warning(actor=staff(request), referral=referral, **form.cleaned_data)
            else:
                services.record_breach(actor=staff(request), referral=referral, **form.cleaned_data)
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Warning recorded" if kind == "warning" else "Breach action recorded")
            return redirect("referrals:person_detail", public_id=referral.person.public_id)
    return render(
        request,
        "sessions/attendance/enforcement_form.html",
        {"form": form, "referral": referral, "view": view, "kind": kind},
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_warning(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: record the warning issued for a failure to comply (domain.md §6)."""
    return _enforcement_page(request, public_id, "warning")


@login_required
@require_http_methods(["GET", "POST"])
def referral_breach(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: record breach action (due by the 10th working day after the absence)."""
    return _enforcement_page(request, public_id, "breach")
