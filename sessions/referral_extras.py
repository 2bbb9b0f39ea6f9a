"""Values the delivery app adds to a referral's API answer (found by `isotp.hooks.app_hooks`, so referrals does not
import sessions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from referrals.models import Referral
from sessions.models import Membership, MembershipStatus
from sessions.progress import EnforcementView, enforcement_for, failures_by_referral, session_label


def enforcement_dict(view: EnforcementView) -> dict[str, Any]:
    state = view.state
    return {
        "status": state.status,
        "status_label": state.label,
        "warning_issued_on": state.warning_issued_on,
        "breach_due_by": state.breach_due_by,
        "breach_actioned_on": state.breach_actioned_on,
        "failures": [{"date": f.date, "what": f.what, "session": f.session_id} for f in view.failures],
        "code": state.code,
        "reason": state.reason,
    }


def _places(referral_ids: list[int]) -> list[Membership]:
    """The referrals' places (memberships), each referral's in the order taken: its latest last (one query)."""
    return list(
        Membership.objects.filter(referral__in=referral_ids)
        .select_related("group", "plan", "restart_session")
        .order_by("referral_id", "joined_on", "id")
    )


def _restarts_of(places: list[Membership]) -> dict[int, dict[str, Any]]:
    latest: dict[int, Membership] = {}
    for membership in places:
        latest[membership.referral_id] = membership  # the last one wins: the referral's latest place
    return {
        referral_id: {
            "place": (m.group or m.plan).reference,  # type: ignore[union-attr]
            "ended_on": m.left_on,
            "missed_session": m.restart_session.public_id if m.restart_session else None,
            "missed_session_label": session_label(m.restart_session) if m.restart_session else "",
            "reason": m.removal_reason,
        }
        for referral_id, m in latest.items()
        if m.status == MembershipStatus.RESTART_REQUIRED
    }


def restarts(referrals: Sequence[Referral]) -> dict[int, dict[str, Any]]:
    """domain.md §6, §9: per referral whose latest place ended `restart_required` (the programme must be started
    again), why: the place, when it ended, the missed session that could no longer be caught up and the reason.
    One query, whatever the number of referrals (the waiting list asks for all of its rows at once)."""
    return _restarts_of(_places([r.pk for r in referrals]))


def detail(referral: Referral) -> dict[str, Any]:
    """`enforcement` and `restart` together, for GET referrals/{id}/: the referral's places are read once, and
    a referral that has never had a place has no attendance or catch-up to fail, so its failures are not looked
    for (two queries instead of four: the places and the enforcement actions)."""
    places = _places([referral.pk])
    failures = failures_by_referral([referral.pk]) if places else {}
    return {
        "enforcement": enforcement_dict(enforcement_for([referral], failures=failures)[referral.pk]),
        "restart": _restarts_of(places).get(referral.pk),
    }


# --- allocating straight from the waiting list (issue 13) ----------------------------------------------------


def allocation_groups(user: Any, *, programme: str, format: str) -> list[dict[str, Any]]:
    """The groups a TM may allocate this waiting list's people to: the area's planned and running groups of the
    programme with a place left, soonest first, each with its places left. Empty for anyone else, and for a
    one-to-one list (one-to-one places are plans, made one person at a time). Two queries, whatever the number."""
    from accounts.permissions import can_manage_delivery
    from sessions.models import GroupStatus
    from sessions.selectors.groups import groups_with_places

    if format != "group" or not can_manage_delivery(user):
        return []
    groups = (
        groups_with_places(user, lean=True)  # the programme only: no list counts, slots nor staff are shown
        .filter(
            programme__programme=programme,
            status__in=[GroupStatus.PLANNED, GroupStatus.RUNNING],
            places_free__gt=0,  # type: ignore[misc]  # annotated by groups_with_places
        )
        .order_by("start_date", "reference", "id")
    )
    return [
        {
            "public_id": str(group.public_id),
            "reference": group.reference,
            "name": group.name,
            "programme": group.programme.name,
            "start_date": group.start_date,
            "places_left": group.places_free,  # type: ignore[attr-defined]
            "capacity": group.capacity,
        }
        for group in groups
    ]


def allocate_from_waiting_list(*, actor: Any, group_id: str, referral_ids: Sequence[str]) -> list[Membership]:
    """Allocate the ticked people to the chosen group through `services.allocate_several` (all or nothing, each
    refusal named). A group or referral the actor cannot see is a field error, as if it had not been offered."""
    import uuid

    from django.core.exceptions import ValidationError
    from django.http import Http404

    from referrals.selectors import referral_for_user
    from sessions import services
    from sessions.selectors.groups import group_for_user

    try:
        group = group_for_user(actor, uuid.UUID(group_id))
    except (ValueError, Http404):
        raise ValidationError({"group": ["Select the group to allocate the people to"]}) from None
    referrals = []
    for referral_id in referral_ids:
        try:
            referrals.append(referral_for_user(actor, referral_id))
        except Http404:
            raise ValidationError({"referrals": ["Select people from this waiting list"]}) from None
    return services.allocate_several(actor=actor, group=group, referrals=referrals)
