"""The waiting list per programme and format (TMs and area administrators): oldest first, with the age at the
planned start, how long each has waited, the end of supervision and how soon each must start to finish within it
(rules.waiting). Tabs are plain links, so the page works without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.models import User
from accounts.permissions import require
from audit.services import record_search
from isotp.clock import today
from isotp.csv_export import csv_response
from isotp.sorting import Column, Sort, Sortable, query_with_sort
from referrals import selectors
from referrals.programme_terms import catalogue_for
from referrals.services.exports import export_waiting_list

if TYPE_CHECKING:
    from accounts.models import ProbationArea

PAGE_SIZE = 50
# The urgency levels (rules.waiting) of people who must start soon: within 8 weeks, or can no longer finish.
URGENT_LEVELS = ("overdue", "start_soon")


def waiting_list_url(programme: str, fmt: str, *, soon_only: bool = False) -> str:
    """The waiting list filtered to one programme and format (and, if asked, to who must start soon)."""
    from django.urls import reverse

    query = {"programme": programme, "format": fmt, **({"urgency": "soon"} if soon_only else {})}
    return f"{reverse('referrals:waiting_list')}?{urlencode(query)}"


# Issue 13: the whole list is computed (each row's latest start), then sorted, then cut into pages.
WAITING_SORT = Sortable(
    (
        Column("place", "Place", ("position",), numeric=True),
        Column("person", "Person", ("person.last_name", "person.first_name")),
        Column("offender_manager", "Offender manager", ("person.offender_manager.full_name",)),
        Column("age", "Age at planned start", ("age_at_start",), numeric=True),
        Column("waiting", "Waiting", ("awaiting_since",)),
        Column("supervision_end", "Supervision ends", ("supervision_end",)),
        Column("start_by", "Must start by", ("urgency.latest_start",)),
    ),
    default="place",
)


@dataclass(frozen=True)
class Tab:
    programme: str
    format: str
    label: str


TABS = (
    Tab("isotp", "group", "i-SOTP group"),
    Tab("isotp", "one_to_one", "i-SOTP one-to-one"),
    Tab("nsogp", "group", "N-SOGP"),
)
LIHI_TABS = (Tab("li", "group", "Low Intensity (LI)"), Tab("hi", "group", "High Intensity (HI)"))


@dataclass(frozen=True)
class WaitingQuery:
    """What the page and its CSV export both read from the request: the tab, the filters and the sort."""

    tabs: tuple[Tab, ...]
    tab: Tab
    restarts_only: bool
    soon_only: bool  # `?urgency=soon`: exactly who the home page's "must start soon" counts
    search: str
    sort: Sort

    @property
    def filters(self) -> list[tuple[str, str]]:
        return [
            ("programme", self.tab.programme),
            ("format", self.tab.format),
            ("restart", "yes" if self.restarts_only else ""),
            ("urgency", "soon" if self.soon_only else ""),
            ("q", self.search),
        ]

    @property
    def whole_list_in_place_order(self) -> bool:
        """The whole list (or, with `?urgency=soon`, its urgent rows), unsearched, in its own order (places): what
        `WaitingPages` pages without building every row."""
        return self.sort.param == WAITING_SORT.default and not (self.restarts_only or self.search)

    def rows(self, user: User) -> list[selectors.WaitingRow]:
        """Every row of the list (all pages), searched, filtered and in the chosen order."""
        rows = selectors.waiting_list(
            user,
            programme=self.tab.programme,
            format=self.tab.format,
            today=today(),
            restarts_only=self.restarts_only,
            search=self.search,
        )
        return WAITING_SORT.order_rows(rows, self.sort)

    def shown(self, rows: list[selectors.WaitingRow]) -> list[selectors.WaitingRow]:
        """The rows the page lists (and the export holds): with `?urgency=soon`, only who must start within 8
        weeks or can no longer finish in time."""
        return [row for row in rows if row.urgency.level in URGENT_LEVELS] if self.soon_only else rows


def _waiting_query(request: HttpRequest) -> tuple[User, WaitingQuery]:
    require(permissions.can_view_waiting_list(request.user))
    user = cast("User", request.user)
    area = cast("ProbationArea", user.area)
    tabs = TABS + (LIHI_TABS if area.lihi_enabled else ())
    programme, fmt = request.GET.get("programme", ""), request.GET.get("format", "")
    return user, WaitingQuery(
        tabs=tabs,
        tab=next((t for t in tabs if (t.programme, t.format) == (programme, fmt)), tabs[0]),
        restarts_only=request.GET.get("restart") == "yes",
        soon_only=request.GET.get("urgency") == "soon",
        search=request.GET.get("q", "").strip()[:100],
        sort=WAITING_SORT.parse(request.GET.get("sort")),
    )


def _allocate(request: HttpRequest, user: User) -> tuple[list[tuple[str, str]], str]:
    """POST: allocate the ticked people to the chosen group (the delivery app's hook calls its allocation
    service: all or nothing). Returns the errors for the summary (each refusal linked to the person's checkbox)
    and, when it worked, the success message."""
    from django.core.exceptions import ValidationError

    from isotp.errors import DomainConflict
    from isotp.hooks import app_hooks

    group_id = request.POST.get("group", "")
    referral_ids = request.POST.getlist("referral")
    errors: list[tuple[str, str]] = []
    if not group_id:
        errors.append(("allocate-group", "Select the group to allocate the people to"))
    if not referral_ids:
        errors.append(("", "Select the people to allocate: tick the box next to each name"))
    if errors:
        return errors, ""
    for hook in app_hooks("referral_extras", "allocate_from_waiting_list"):
        try:
            memberships = hook(actor=user, group_id=group_id, referral_ids=referral_ids)
        except DomainConflict as exc:
            refusals = exc.extra.get("refusals") or []
            if not refusals:
                return [("allocate-group", exc.detail)], ""
            return [("", exc.detail)] + [(f"ref-{r['referral']}", r["detail"]) for r in refusals], ""
        except ValidationError as exc:
            anchors = {"group": "allocate-group"}
            for key, messages_ in exc.message_dict.items():
                errors.extend((anchors.get(key, ""), m) for m in messages_)
            return errors, ""
        group = memberships[0].group
        names = ", ".join(m.referral.person.full_name for m in memberships)
        return (
            [],
            f"{len(memberships)} allocated to {group.name or group.reference} ({group.reference}): {names}",
        )
    return [("", "Allocation is not available")], ""


@login_required
@require_http_methods(["GET", "POST"])
def waiting_list(request: HttpRequest) -> HttpResponse:
    """TMs and admins: one programme and format's waiting list (`?programme=&format=`), oldest first. A TM
    ticks people and allocates them to a group from here (POST; issue 13)."""
    user, wq = _waiting_query(request)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        errors, done = _allocate(request, user)
        if done:
            messages.success(request, done)
            return redirect(request.get_full_path())
    counts = selectors.waiting_counts(user)
    if wq.whole_list_in_place_order:
        # The list as it stands (issue 11): counted and summed in SQL, and only the page's rows built.
        catalogue = catalogue_for(user.area) if user.area else None
        programme, fmt = wq.tab.programme, wq.tab.format
        overdue, soon = selectors.waiting_urgency_counts(
            user, programme=programme, format=fmt, today=today(), catalogue=catalogue
        )
        listing: Sequence[selectors.WaitingRow]
        if wq.soon_only:  # the rows the summary counts (overdue or start soon), only the page's built
            before = selectors.urgent_ends_before(catalogue, programme=programme, format=fmt, today=today())
            listing = (
                selectors.WaitingPages(
                    user,
                    programme=programme,
                    format=fmt,
                    today=today(),
                    catalogue=catalogue,
                    count=overdue + soon,
                    supervision_ends_before=before,
                )
                if before is not None
                else []
            )
        else:
            listing = selectors.WaitingPages(
                user,
                programme=programme,
                format=fmt,
                today=today(),
                catalogue=catalogue,
                count=counts.get((programme, fmt), 0),  # the tab's count is the whole list's: no second COUNT
            )
    else:
        rows = wq.rows(user)
        overdue = sum(row.urgency.level == "overdue" for row in rows)
        soon = sum(row.urgency.level == "start_soon" for row in rows)
        listing = wq.shown(rows)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    record_search(actor=user, list_name="waiting_list", query=request.GET)
    filters = wq.filters
    groups = selectors.allocation_groups(user, programme=wq.tab.programme, format=wq.tab.format)
    return render(
        request,
        "referrals/waiting_list.html",
        {
            "tabs": [
                (
                    t,
                    counts.get((t.programme, t.format), 0),
                    t == wq.tab,
                    urlencode({"programme": t.programme, "format": t.format}),
                )
                for t in wq.tabs
            ],
            "tab": wq.tab,
            "page": page,
            "query": query_with_sort(filters, wq.sort, WAITING_SORT.default),
            "export_query": urlencode([(k, v) for k, v in filters if v] + [("sort", wq.sort.param)]),
            "headers": WAITING_SORT.headers(
                wq.sort, filters, (["Select"] if groups else []) + [c.key for c in WAITING_SORT.columns]
            ),
            "search": wq.search,
            "errors": errors,
            "groups": groups,
            "can_allocate": permissions.can_manage_delivery(user),
            "chosen_group": request.POST.get("group", ""),
            "ticked": set(request.POST.getlist("referral")),
            "restarts_only": wq.restarts_only,
            "soon_only": wq.soon_only,
            "overdue": overdue,
            "soon": soon,
            "today": today(),
        },
    )


@login_required
def waiting_list_csv(request: HttpRequest) -> HttpResponse:
    """The waiting list as CSV: the same tab, search, filters and order as the page, every page of it; the
    export is audited (referrals.services.exports)."""
    user, wq = _waiting_query(request)
    text = export_waiting_list(
        actor=user, rows=wq.shown(wq.rows(user)), list_label=wq.tab.label, filters=dict(wq.filters)
    )
    return csv_response(text, f"waiting-list-{wq.tab.programme}-{wq.tab.format}-{today().isoformat()}.csv")
