"""The audit search page for treatment managers and area administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import can_view_audit
from audit import selectors
from audit.forms import AuditSearchForm


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Managers: search their area's audit events and the access log."""
    if not can_view_audit(request.user):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = {k: v for k, v in filters.items() if v}
    page = Paginator(selectors.events_for_search(request.user, **filters), 50).get_page(
        request.GET.get("page")
    )
    access = Paginator(
        selectors.access_for_search(
            request.user, object_id=filters.get("object_id", ""), person=filters.get("person", "")
        ),
        20,
    ).get_page(request.GET.get("access_page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("access_page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.in_words(page),
            "access": access,
            "access_rows": [(a, selectors.record_type(a.object_type)) for a in access],
            "query": query.urlencode(),
        },
    )
