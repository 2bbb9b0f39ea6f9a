"""The OM's referral journey: "Refer for a programme" as a GOV.UK task list, its question pages, "Check your
answers" with change links, and the confirmation page.

The journey starts on the person page with the programme question (a draft referral needs a programme), then the
task list shows every part of the referral with its status. The person's own record (details, offences, sentence,
risk) is edited with the person pages, which come back here through `?next=`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from isotp.clock import today
from isotp.errors import DomainConflict
from referrals import selectors
from referrals.candidates import current_sentence, latest_deviance, latest_rm2000, latest_rosh
from referrals.forms.journey import OtherInformationForm, ProgrammeForm
from referrals.rules.transitions import ReferralStatus
from referrals.services.referrals import answer_other_information, create_referral, update_referral
from referrals.services.status import submit_referral
from referrals.views.access import require_reader, safe_next

COMPLETED, INCOMPLETE, CANNOT_START = "completed", "incomplete", "cannot_start"
# What `selectors.missing_for_submission` reports, as the task that fixes it.
MISSING_TASKS = {"convictions": "offences", "sentence": "sentence"}


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    status: str
    href: str = ""
    hint: str = ""


def _referral_for_journey(request: HttpRequest, public_id: str, *, record: bool = False) -> tuple[Any, Any]:
    """A draft referral the user may edit (403 for a role that may not; 404 outside their caseload or area);
    `record` for the pages that show the person's record (the selector logs the view)."""
    user = require_reader(request)
    if record:
        # The selector checks the permission before it logs the view: a refused user is not logged.
        try:
            return user, selectors.referral_record_for(user, public_id, may=permissions.can_edit_referral)
        except PermissionDenied:
            pass
    referral = selectors.referral_for_user(user, public_id)
    if (
        not permissions.can_edit_referral(user, referral)
        and referral.status != ReferralStatus.DRAFT
        and permissions.can_refer(user, referral.person)
    ):
        raise _NoLongerDraft(referral)
    require(permissions.can_edit_referral(user, referral))
    return user, referral


class _NoLongerDraft(Exception):
    """The person's OM came back to a journey page of a referral that has been submitted (issue 13)."""

    def __init__(self, referral: Any) -> None:
        super().__init__()
        self.referral = referral


def _no_longer_draft(referral: Any) -> str:
    """What the OM is told, with what happens next for where the referral has got to."""
    if referral.status in (ReferralStatus.SUBMITTED, ReferralStatus.ASSESSMENT):
        then = "A treatment manager will assess it and record a decision; its status and history are below."
    else:
        then = "Its status and history below show where it has got to."
    return (
        f"This referral has been submitted, so it can no longer be changed. {then} "
        "To correct something, contact the treatment manager."
    )


def _journey_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A journey page: the person's OM coming back to a submitted referral is shown the referral with a plain
    explanation (it cannot be changed, what happens next) instead of a bare 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _NoLongerDraft as gone:
            messages.info(request, _no_longer_draft(gone.referral))
            return redirect("referrals:referral_detail", public_id=gone.referral.public_id)

    return wrapped


def _answered_other(request: HttpRequest, referral: Any) -> bool:
    # The answers default to No in the database; the timestamp says whether the OM has actually answered them.
    return referral.other_information_answered_at is not None


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


def tasks_for(request: HttpRequest, referral: Any) -> list[tuple[str, list[Task]]]:
    """The task list's sections and tasks, each with its status (Completed / Incomplete / Cannot start yet)."""
    person = referral.person
    here = reverse("referrals:referral_tasks", args=[referral.public_id])
    pid, rid = person.public_id, referral.public_id
    has_offences = bool(person.convictions.all())
    has_sentence = current_sentence(person) is not None
    has_risk = latest_rm2000(person) is not None and latest_rosh(person) is not None
    has_programme = referral.planned_start is not None
    other = _answered_other(request, referral)
    about = [
        Task(
            "person",
            "Person details",
            COMPLETED,
            _with_next(reverse("referrals:person_edit", args=[pid]), here),
        ),
        Task(
            "offences",
            "Offences",
            COMPLETED if has_offences else INCOMPLETE,
            reverse("referrals:referral_offences", args=[rid]),
        ),
        Task(
            "sentence",
            "Sentence and supervision",
            COMPLETED if has_sentence else INCOMPLETE,
            _with_next(reverse("referrals:sentence_record", args=[pid]), here),
        ),
        Task(
            "risk",
            "Risk assessments",
            CANNOT_START if not has_offences else COMPLETED if has_risk else INCOMPLETE,
            "" if not has_offences else reverse("referrals:referral_risk", args=[rid]),
            "Add the offences first"
            if not has_offences
            else ""
            if has_risk
            else "RM2000 and risk of serious harm: without them the decision is provisional",
        ),
    ]
    referral_tasks = [
        Task(
            "programme",
            "Programme, format and planned start",
            COMPLETED if has_programme else INCOMPLETE,
            reverse("referrals:referral_programme", args=[rid]),
        ),
        Task(
            "other",
            "Other information",
            COMPLETED if other else INCOMPLETE,
            reverse("referrals:referral_other", args=[rid]),
            "Appeal, maintaining innocence, prison programmes",
        ),
    ]
    ready = has_offences and has_sentence and has_programme and other
    check = [
        Task(
            "check",
            "Check your answers and submit",
            INCOMPLETE if ready else CANNOT_START,
            reverse("referrals:referral_check", args=[rid]) if ready else "",
            "" if ready else "Complete the tasks above first",
        ),
    ]
    return [("About the person", about), ("The referral", referral_tasks), ("Submit", check)]


@login_required
@require_http_methods(["GET", "POST"])
def referral_start(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: the first question of a new referral (programme, format, planned start), which creates the draft."""
    user = require_reader(request)
    person = selectors.person_for_user(user, public_id)
    require(permissions.can_refer(user, person))
    refused = selectors.new_referral_refusal(person)
    if refused is not None:  # issue 13: say so before the form is filled, not after
        messages.info(request, f"{refused}: a new referral cannot be made while that one is open.")
        return redirect("referrals:person_detail", public_id=person.public_id)
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None, lihi_enabled=person.area.lihi_enabled
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = create_referral(actor=user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("referrals:referral_tasks", public_id=referral.public_id)
    back = reverse("referrals:person_detail", args=[person.public_id])
    return render(
        request, "referrals/referral_programme.html", {"form": form, "person": person, "back": back}
    )


@login_required
@_journey_page
def referral_tasks(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: the task list of a draft referral."""
    _user, referral = _referral_for_journey(request, public_id)
    sections = tasks_for(request, referral)
    tasks = [t for _, section in sections for t in section if t.key != "check"]
    done = sum(t.status == COMPLETED for t in tasks)
    return render(
        request,
        "referrals/referral_tasks.html",
        {
            "referral": referral,
            "person": referral.person,
            "sections": sections,
            "done": done,
            "total": len(tasks),
        },
    )


def _back_to(request: HttpRequest, referral: Any) -> str:
    """Question pages go back where they came from (`?next=`, e.g. "Check your answers"), else to the task list."""
    return safe_next(request) or reverse("referrals:referral_tasks", args=[referral.public_id])


@login_required
@_journey_page
@require_http_methods(["GET", "POST"])
def referral_programme(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: change the programme, format and planned start of a draft."""
    user, referral = _referral_for_journey(request, public_id)
    initial = {
        "programme": referral.programme,
        "format": referral.format,
        "planned_start": referral.planned_start,
    }
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        lihi_enabled=referral.area.lihi_enabled,
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_referral(actor=user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect(_back_to(request, referral))
    return render(
        request,
        "referrals/referral_programme.html",
        {"form": form, "person": referral.person, "referral": referral, "back": _back_to(request, referral)},
    )


@login_required
@_journey_page
@require_http_methods(["GET", "POST"])
def referral_other(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: appeal, maintaining innocence, prison programme and notes."""
    user, referral = _referral_for_journey(request, public_id)
    initial = OtherInformationForm.initial_for(referral, _answered_other(request, referral))
    form = OtherInformationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            answer_other_information(actor=user, referral=referral, **form.values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect(_back_to(request, referral))
    return render(
        request,
        "referrals/referral_other.html",
        {"form": form, "person": referral.person, "referral": referral, "back": _back_to(request, referral)},
    )


@login_required
@_journey_page
def referral_offences(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: the offences task: the person's convictions, with add and remove."""
    _user, referral = _referral_for_journey(request, public_id, record=True)
    return render(
        request,
        "referrals/referral_offences.html",
        {
            "referral": referral,
            "person": referral.person,
            "back": _back_to(request, referral),
            "here": request.get_full_path(),
        },
    )


@login_required
@_journey_page
def referral_risk(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: the risk task: RM2000 and RoSH as recorded, with links to record them."""
    _user, referral = _referral_for_journey(request, public_id, record=True)
    person = referral.person
    return render(
        request,
        "referrals/referral_risk.html",
        {
            "referral": referral,
            "person": person,
            "back": _back_to(request, referral),
            "here": request.get_full_path(),
            "rm2000": latest_rm2000(person),
            "rosh": latest_rosh(person),
            "deviance": latest_deviance(person),
        },
    )


def summary_context(referral: Any) -> dict[str, Any]:
    """What the referral summary (check your answers, the referral page) shows."""
    person = referral.person
    return {
        "referral": referral,
        "person": person,
        "sentence": current_sentence(person),
        "rm2000": latest_rm2000(person),
        "rosh": latest_rosh(person),
        "deviance": latest_deviance(person),
    }


@login_required
@_journey_page
@require_http_methods(["GET", "POST"])
def referral_check(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: "Check your answers" with change links; POST submits the referral for assessment."""
    user, referral = _referral_for_journey(request, public_id, record=True)
    errors: list[tuple[str, str]] = []  # (link, message): a missing answer links to its task
    tasks = reverse("referrals:referral_tasks", args=[referral.public_id])
    status = 200
    if request.method == "POST":
        try:
            submit_referral(actor=user, referral=referral)
        except DomainConflict as exc:
            status = 409
            errors.append(("", exc.detail))
            for missing in exc.extra.get("missing", []):
                task = MISSING_TASKS.get(missing, missing)
                errors.append((f"{tasks}#task-{task}", f"Add the {missing.replace('_', ' ')}"))
        else:  # the confirmation page's panel says so: no banner as well
            return redirect("referrals:referral_submitted", public_id=referral.public_id)
    context = summary_context(referral)
    here = reverse("referrals:referral_check", args=[referral.public_id])
    context.update(
        errors=errors,
        change=True,
        here=here,
        tasks=tasks,
    )
    return render(request, "referrals/referral_check.html", context, status=status)


@login_required
def referral_submitted(request: HttpRequest, public_id: str) -> HttpResponse:
    """OM: the confirmation panel after submitting."""
    user = require_reader(request)
    referral = selectors.referral_for_user(user, public_id)
    if referral.status == ReferralStatus.DRAFT:
        return redirect("referrals:referral_tasks", public_id=referral.public_id)
    submitted = next(
        (
            c
            for c in reversed(selectors.referral_history(referral))
            if c.to_status == ReferralStatus.SUBMITTED
        ),
        None,
    )
    return render(
        request,
        "referrals/referral_submitted.html",
        {
            "referral": referral,
            "person": referral.person,
            "submitted": submitted,
            "own_caseload": permissions.sees_own_caseload_only(user),
            "today": today(),
        },
    )
