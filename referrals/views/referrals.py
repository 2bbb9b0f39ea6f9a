"""Referral list (OMs: their caseload's; TMs: their area's), the referral page with its history, and status
changes offered only where the transition table allows them (domain.md §9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import permissions
from audit.services import record_search
from isotp.errors import DomainConflict
from isotp.sorting import Column, Sortable, query_with_sort
from referrals import selectors
from referrals.forms.assessment import StatusChangeForm
from referrals.forms.base import PROGRAMME_CHOICES
from referrals.rules import STATUSES
from referrals.rules.transitions import ASSESSABLE, ReferralStatus
from referrals.services.status import change_status
from referrals.views.access import require_reader
from referrals.views.referral_journey import summary_context

PAGE_SIZE = 25

# Issue 13: sorted on the server across every page (isotp.sorting says why not in the browser).
REFERRAL_SORT = Sortable(
    (
        Column("person", "Person", ("person__last_name", "person__first_name")),
        Column("programme", "Programme", ("programme", "format")),
        Column("started", "Started", ("created_at",)),
        Column("offender_manager", "Offender manager", ("person__offender_manager__full_name",)),
        Column("status", "Status", ("status",)),
    ),
    default="-started",
)


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """OMs: referrals of their caseload; TMs: the area's. Filter by status and programme."""
    user = require_reader(request)
    # One status from the filter, or several from a home page card (?status=submitted&status=assessment).
    statuses = [s for s in request.GET.getlist("status") if s in STATUSES]
    programme = request.GET.get("programme", "")
    programme = programme if programme in dict(PROGRAMME_CHOICES) else ""
    search = request.GET.get("q", "").strip()[:100]
    sort = REFERRAL_SORT.parse(request.GET.get("sort"))
    qs = selectors.referrals_for_list(
        user, status=statuses or None, programme=programme or None, search=search
    )
    page = Paginator(REFERRAL_SORT.order_queryset(qs, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    record_search(actor=user, list_name="referrals", query=request.GET)
    filters = [("q", search), *(("status", s) for s in statuses), ("programme", programme)]
    query = query_with_sort(filters, sort, REFERRAL_SORT.default)
    status = statuses[0] if len(statuses) == 1 else ""
    own_caseload = permissions.sees_own_caseload_only(user)
    columns = ["person", "programme", "started", *([] if own_caseload else ["offender_manager"]), "status"]
    return render(
        request,
        "referrals/referral_list.html",
        {
            "page": page,
            "query": query,
            "filtered": any(v for _, v in filters),
            "search": search,
            "headers": REFERRAL_SORT.headers(sort, filters, columns),
            "status": status,
            "several": [STATUSES[s].lower() for s in statuses] if len(statuses) > 1 else [],
            "programme": programme,
            "statuses": list(STATUSES.items()),
            "programmes": PROGRAMME_CHOICES,
            "own_caseload": own_caseload,
        },
    )


@login_required
def referral_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A referral: its answers, status, history (who, when, why) and the TM's recorded decisions. A draft the
    user may still edit goes to its task list."""
    user = require_reader(request)
    referral = selectors.referral_record_for(user, public_id)
    if referral.status == ReferralStatus.DRAFT and permissions.can_edit_referral(user, referral):
        return redirect("referrals:referral_tasks", public_id=referral.public_id)
    context = summary_context(referral)
    context.update(
        history=list(reversed(selectors.referral_history(referral))),
        assessments=list(referral.assessments.all()),
        can_assess=permissions.can_assess(user, referral) and referral.status in ASSESSABLE,
        allowed=selectors.manual_moves_for(user, referral),
        change=False,
    )
    return render(request, "referrals/referral_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_status(request: HttpRequest, public_id: str) -> HttpResponse:
    """Move a referral to a status allowed from where it is now. A stale form (someone moved it meanwhile) gets
    the 409 message with what is allowed now, in the error summary."""
    user = require_reader(request)
    if request.method == "GET":  # shows the record: logged, after the permission check
        referral = selectors.referral_record_for(user, public_id, may=selectors.may_move_by_hand)
    else:
        referral = selectors.referral_for_user(user, public_id)
    allowed = selectors.manual_moves_for(user, referral)
    form = StatusChangeForm(request.POST if request.method == "POST" else None, allowed=allowed)
    conflict: DomainConflict | None = None
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to_status"]
        try:
            change_status(
                actor=user,
                referral=referral,
                to_status=target,
                reason_code=form.cleaned_data["reason_code"],
                reason=form.cleaned_data["reason"],
            )
        except DomainConflict as exc:
            conflict = exc
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Referral moved to {STATUSES[target].lower()}")
            return redirect("referrals:referral_detail", public_id=referral.public_id)
    if conflict is not None:  # show the form as it should be now
        referral = selectors.referral_for_user(user, public_id)
        allowed = selectors.manual_moves_for(user, referral)
        form = StatusChangeForm(allowed=allowed)
    return render(
        request,
        "referrals/referral_status.html",
        {
            "form": form,
            "referral": referral,
            "person": referral.person,
            "conflict": conflict,
            "conflict_allowed": [STATUSES[s] for s in (conflict.allowed or [])] if conflict else [],
            "conflict_status": STATUSES[referral.status].lower() if conflict else "",
            "allowed": allowed,
        },
        status=409 if conflict else 200,
    )
