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
from isotp.sorting import Column, Sortable, query_with_sort

# Issue 13: the changes sorted on the server across every page (isotp.sorting says why not in the browser).
EVENT_SORT = Sortable(
    (
        Column("when", "When", ("at",)),
        Column("who", "Who", ("actor__full_name",)),
        Column("what", "What happened", ("action",)),
        Column("record", "Record", ("object_type", "object_label")),
    ),
    default="-when",
)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Managers: search their area's audit events and the access log."""
    if not can_view_audit(request.user):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = {k: v for k, v in filters.items() if v}
    sort = EVENT_SORT.parse(request.GET.get("sort"))
    events = EVENT_SORT.order_queryset(selectors.events_for_search(request.user, **filters), sort, "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    access = Paginator(
        selectors.access_for_search(
            request.user, object_id=filters.get("object_id", ""), person=filters.get("person", "")
        ),
        20,
    ).get_page(request.GET.get("access_page"))
    # The search as typed (not the cleaned values), so the links keep what the user sees in the boxes.
    search = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in ("sort", "page", "access_page")
        for value in values
    ]
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.in_words(page),
            "access": access,
            "access_rows": [(a, selectors.record_type(a.object_type)) for a in access],
            "query": query_with_sort(search, sort, EVENT_SORT.default),
            "headers": EVENT_SORT.headers(sort, search, [*(c.key for c in EVENT_SORT.columns), "Values"]),
        },
    )
