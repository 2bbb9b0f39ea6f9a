"""Allocating people from the waiting list to a group, and removing a member (asking why and what happens next)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from isotp.clock import today as clock_today
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from referrals import selectors as referral_selectors
from referrals.rules import REASON_CHOICES, REASON_REQUIRED, STATUSES, allowed_transitions
from referrals.rules.transitions import ReferralStatus
from sessions import services as delivery
from sessions.forms.actions import AllocateForm, RemoveMemberForm
from sessions.models import GroupStatus, JoinRule
from sessions.selectors.allocation import allocation_rows
from sessions.selectors.groups import group_for_user, members_for_group
from sessions.views.requests import paginate, staff


@login_required
@require_http_methods(["GET", "POST"])
def group_allocate(request: HttpRequest, public_id: str) -> HttpResponse:
    """Treatment managers: the waiting list for this group's programme (oldest first, with age at the group's
    start and urgency), and "Allocate" for each eligible person. The service enforces capacity, the age band and
    one active membership per referral under a row lock; its refusal is shown with the reason."""
    require(permissions.can_manage_delivery(request.user))
    group = group_for_user(request.user, public_id)
    today = clock_today()
    form = AllocateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_selectors.referral_for_user(request.user, form.cleaned_data["referral"])
        except Http404:
            form.add_error(None, "That referral was not found: choose someone from the waiting list")
        else:
            try:
                membership = delivery.allocate(actor=staff(request), group=group, referral=referral)
            except (DomainConflict, ValidationError) as exc:
                add_refusal(form, exc)
            else:
                person = membership.referral.person
                messages.success(request, f"{person.full_name} ({person.crn}) allocated to {group.reference}")
                return redirect("programme_sessions:group_allocate", public_id=group.public_id)
    members = members_for_group(group, include_ended=False).count()
    page = paginate(request, allocation_rows(request.user, group, today=today))
    join_note = ""
    if group.programme.join_rule == JoinRule.BLOCK_BOUNDARY:
        join_note = (
            f"{group.programme.name} is a rolling group: people allocated after it has started join at "
            "the next block boundary."
        )
    return render(
        request,
        "sessions/groups/allocate.html",
        {
            "group": group,
            "form": form,
            "page": page,
            "rows": page.object_list,
            "places_free": max(group.capacity - members, 0),
            "join_note": join_note,
            # The service refuses a completed or cancelled group (GROUP_NOT_OPEN): offer no Allocate buttons.
            "open_for_allocation": group.status in (GroupStatus.PLANNED, GroupStatus.RUNNING),
        },
    )


def next_status_choices(referral_status: str) -> list[tuple[str, str]]:
    """Where the referral may go when its member leaves the group (the referral transition rules decide)."""
    allowed = allowed_transitions(referral_status) if referral_status in STATUSES else frozenset()
    wanted = delivery.REMOVAL_NEXT_STATUSES
    labels = {
        ReferralStatus.AWAITING_ALLOCATION: "Back to the waiting list",
        ReferralStatus.RESTART_REQUIRED: "Restart required (back to the waiting list)",
        ReferralStatus.COMPLETED: "Completed the programme",
        ReferralStatus.DESELECTED: "Deselected",
        ReferralStatus.WITHDRAWN: "Withdrawn",
    }
    return [(status, labels[status]) for status in wanted if status in allowed]


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, public_id: str, membership_id: str) -> HttpResponse:
    """Treatment managers: remove a member, saying why and what status their referral moves to."""
    require(permissions.can_manage_delivery(request.user))
    group = group_for_user(request.user, public_id)
    membership = members_for_group(group, include_ended=False).filter(public_id=membership_id).first()
    if membership is None:
        raise Http404("No such member")
    statuses = next_status_choices(membership.referral.status)
    form = RemoveMemberForm(
        request.POST if request.method == "POST" else None,
        statuses=statuses,
        reason_choices={
            s: REASON_CHOICES[s] for s, _ in statuses if s in REASON_REQUIRED and s in REASON_CHOICES
        },
        accepted={s: REASON_CHOICES.get(s, []) for s in delivery.REMOVAL_NEXT_STATUSES},
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            delivery.remove_member(
                actor=staff(request),
                membership=membership,
                reason=form.cleaned_data["reason"],
                next_status=form.cleaned_data["next_status"],
                reason_code=form.cleaned_data["reason_code"],
            )
        except DomainConflict as exc:  # e.g. a form opened before the referral moved on (issue 12): 409
            conflict = True
            add_refusal(form, exc)
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            person = membership.referral.person
            messages.success(request, f"{person.full_name} ({person.crn}) removed from {group.reference}")
            return redirect("programme_sessions:group_detail", public_id=group.public_id)
    return render(
        request,
        "sessions/groups/remove_member.html",
        {
            "form": form,
            "membership": membership,
            "owner_label": group.name or group.reference,
            "back_url": reverse("programme_sessions:group_detail", kwargs={"public_id": group.public_id})
            + "#members",
        },
        status=409 if conflict else 200,
    )
