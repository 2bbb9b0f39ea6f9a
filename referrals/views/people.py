"""People on probation: the searchable list, the person page (identity, offences, sentence, risk, referral
history) and the forms that add or change each part. OMs work on their own caseload, TMs on their area's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.permissions import require
from audit.services import record_search
from isotp.clock import today
from isotp.forms import add_refusal
from isotp.sorting import Column, Sortable, query_with_sort
from referrals import selectors
from referrals.candidates import (
    current_sentence,
    earlier_entries,
    earlier_sentences,
    latest_deviance,
    latest_ogrs3,
    latest_rm2000,
    latest_rosh,
)
from referrals.forms.people import (
    ConvictionForm,
    DevianceForm,
    PersonForm,
    PersonSearchForm,
    Rm2000RecordForm,
    RoshForm,
    SentenceForm,
)
from referrals.services.people import (
    add_conviction,
    create_person,
    record_sentence,
    remove_conviction,
    update_person,
)
from referrals.services.risk import record_deviance, record_rm2000, record_rosh
from referrals.views.access import require_reader, safe_next

PAGE_SIZE = 25

# Issue 13: sorted on the server across every page (isotp.sorting says why not in the browser).
PEOPLE_SORT = Sortable(
    (
        Column("name", "Name", ("last_name", "first_name")),
        Column("crn", "CRN", ("crn",)),
        Column("date_of_birth", "Date of birth", ("date_of_birth",)),
        Column("offender_manager", "Offender manager", ("offender_manager__full_name",)),
    ),
    default="name",
)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """OMs: their caseload; TMs: their area's people. Search by name or CRN, filter by open referral and OM."""
    user = require_reader(request)
    own_caseload = permissions.sees_own_caseload_only(user)
    oms = [] if own_caseload else list(selectors.offender_managers_for(user))
    form = PersonSearchForm(request.GET or None, offender_managers=oms)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters["search"] = form.cleaned_data["q"]
        if form.cleaned_data["open_referral"]:
            filters["has_open_referral"] = True
        if not own_caseload and form.cleaned_data["offender_manager"]:
            filters["offender_manager"] = form.cleaned_data["offender_manager"]
    sort = PEOPLE_SORT.parse(request.GET.get("sort"))
    people = PEOPLE_SORT.order_queryset(selectors.people_for_list(user, **filters), sort)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    record_search(actor=user, list_name="people", query=request.GET)
    filter_items = [(k, str(v)) for k, v in request.GET.items() if k not in ("page", "sort") and v]
    query = query_with_sort(filter_items, sort, PEOPLE_SORT.default)
    columns = [
        "name",
        "crn",
        "date_of_birth",
        *([] if own_caseload else ["offender_manager"]),
        "Latest referral",
    ]
    return render(
        request,
        "referrals/person_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "headers": PEOPLE_SORT.headers(sort, filter_items, columns),
            "own_caseload": own_caseload,
            "filtered": bool(filter_items),
            "can_add": permissions.can_add_person(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """OMs add a person to their own caseload; TMs add one for an OM of their area."""
    user = require_reader(request)
    require(permissions.can_add_person(user))
    oms = (
        list(selectors.offender_managers_for(user)) if permissions.can_choose_offender_manager(user) else None
    )
    form = PersonForm(request.POST if request.method == "POST" else None, offender_managers=oms)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if oms is not None:
            values["offender_manager"] = _offender_manager(oms, values["offender_manager"])
        try:
            person = create_person(actor=user, **values)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"{person.full_name} ({person.crn}) added")
            return redirect("referrals:person_detail", public_id=person.public_id)
    return render(
        request,
        "referrals/person_form.html",
        {"form": form, "person": None, "back": reverse("referrals:person_list")},
    )


def _offender_manager(oms: list[Any], public_id: str) -> Any:
    return next((u for u in oms if str(u.public_id) == public_id), None)


@login_required
def person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's record: identity, offences with legislation, sentence, risk and referral history. Every view
    is logged (audit access log)."""
    user = require_reader(request)
    person = selectors.person_record_for(user, public_id)
    sentence = current_sentence(person)
    referrals = getattr(person, "referral_list", [])  # preloaded by the selector, newest first
    history = [(referral, change) for referral in referrals for change in referral.status_changes.all()]
    history.sort(key=lambda pair: (pair[1].at, pair[1].pk), reverse=True)
    return render(
        request,
        "referrals/person_detail.html",
        {
            "person": person,
            "sentence": sentence,
            "rm2000": latest_rm2000(person),
            "rosh": latest_rosh(person),
            "ogrs3": latest_ogrs3(person),
            "earlier": earlier_entries(person),
            "earlier_sentences": earlier_sentences(person),
            "deviance": latest_deviance(person),
            "prison_sotp": selectors.has_completed_prison_sotp(person),
            "prison_sotp_referral": selectors.prison_sotp_referral(person),
            "history": history,
            "can_edit": permissions.can_edit_person(user, person),
            "can_refer": permissions.can_refer(user, person),
            "refer_refused": selectors.new_referral_refusal(person),
            "can_record_deviance": permissions.can_record_deviance(user, person),
            "can_calculate_rm2000": permissions.can_use_rm2000_calculator(user, person),
            "can_export": permissions.can_export_subject_access(user, person),
            "own_caseload": permissions.sees_own_caseload_only(user),
            "today": today(),
        },
    )


def _person_page(
    request: HttpRequest, public_id: str, may: Callable[[Any, Any], bool] = permissions.can_edit_person
) -> tuple[Any, Any]:
    """The person a question page is about, refused (403) unless `may`: its GET shows the record, so goes through
    the logging selector (one access-log row, none for a refused user); its POST is the write, audited itself."""
    user = require_reader(request)
    if request.method == "GET":
        return user, selectors.person_record_for(user, public_id, may=may)
    person = selectors.person_for_user(user, public_id)
    require(may(user, person))
    return user, person


def _done(request: HttpRequest, person: Any, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(safe_next(request) or reverse("referrals:person_detail", args=[person.public_id]))


def _back(request: HttpRequest, person: Any) -> str:
    return safe_next(request) or reverse("referrals:person_detail", args=[person.public_id])


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: change identity and learning needs (a TM may also change the OM)."""
    user, person = _person_page(request, public_id)
    oms = (
        list(selectors.offender_managers_for(user)) if permissions.can_choose_offender_manager(user) else None
    )
    form = PersonForm(
        request.POST if request.method == "POST" else None,
        initial=PersonForm.initial_for(person),
        offender_managers=oms,
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if oms is not None:
            values["offender_manager"] = _offender_manager(oms, values["offender_manager"])
        try:
            person = update_person(actor=user, person=person, **values)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, person, "Personal details saved")
    return render(
        request,
        "referrals/person_form.html",
        {"form": form, "person": person, "back": _back(request, person)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def conviction_add(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: add a conviction for an offence of the reference table."""
    user, person = _person_page(request, public_id)
    form = ConvictionForm(
        request.POST if request.method == "POST" else None, offences=selectors.offences_for_list()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            add_conviction(
                actor=user,
                person=person,
                offence_code=data["offence"],
                conviction_date=data["conviction_date"],
                offence_date=data["offence_date"],
                contact=data["contact"],
            )
        except ValidationError as exc:
            add_refusal(form, exc, {"offence_code": "offence"})
        else:
            return _done(request, person, "Offence added")
    return render(
        request,
        "referrals/conviction_form.html",
        {"form": form, "person": person, "back": _back(request, person)},
    )


@login_required
@require_POST
def conviction_remove(request: HttpRequest, public_id: str, conviction_id: str) -> HttpResponse:
    """The person's OM or a TM: remove a conviction recorded in error (the audit keeps what it was)."""
    user = require_reader(request)
    conviction = selectors.conviction_for_user(user, public_id, conviction_id)
    require(permissions.can_edit_person(user, conviction.person))
    remove_conviction(actor=user, conviction=conviction)
    return _done(request, conviction.person, "Offence removed")


@login_required
@require_http_methods(["GET", "POST"])
def sentence_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: record the order or licence and the end of supervision."""
    user, person = _person_page(request, public_id)
    form = SentenceForm(
        request.POST if request.method == "POST" else None,
        initial=SentenceForm.initial_for(current_sentence(person)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_sentence(actor=user, person=person, **form.values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, person, "Sentence and supervision saved")
    return render(
        request,
        "referrals/sentence_form.html",
        {"form": form, "person": person, "back": _back(request, person)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rm2000_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: record RM2000 categories as assessed (usually from OASys)."""
    user, person = _person_page(request, public_id)
    form = Rm2000RecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_rm2000(actor=user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, person, "RM2000 categories recorded")
    return render(
        request,
        "referrals/rm2000_form.html",
        {
            "form": form,
            "person": person,
            "back": _back(request, person),
            "can_calculate_rm2000": permissions.can_use_rm2000_calculator(user, person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rosh_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: record the OASys risk of serious harm."""
    user, person = _person_page(request, public_id)
    form = RoshForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_rosh(actor=user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, person, "Risk of serious harm recorded")
    return render(
        request, "referrals/rosh_form.html", {"form": form, "person": person, "back": _back(request, person)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviance_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """TMs: record psychometric deviance with the rationale (domain.md §7)."""
    user, person = _person_page(request, public_id, may=permissions.can_record_deviance)
    form = DevianceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_deviance(actor=user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, person, "Deviance recorded")
    return render(
        request,
        "referrals/deviance_form.html",
        {"form": form, "person": person, "back": _back(request, person)},
    )
