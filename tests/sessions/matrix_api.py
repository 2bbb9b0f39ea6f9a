"""Every delivery API route (and the calendar feed) for the permission matrix (tests/matrix.py explains the rules).

Per-record routes build a group or plan in the home area delivered by `personas["facilitator"]`, so that
facilitator gets through and another area's users get 404. POST routes send an empty body: an allowed role gets as
far as the field validation (400), a refused role gets 403 first.
"""

from __future__ import annotations

from tests.matrix import MANAGERS, Route

TM, FAC, ADMIN = "treatment_manager", "facilitator", "area_admin"
READERS = frozenset({TM, FAC, ADMIN})
ONLY_TM = frozenset({TM})
ONLY_FAC = frozenset({FAC})


def _group(area, personas):
    from tests.sessions.factories import make_group, trained_facilitator

    return make_group(area, actor=personas[TM], facilitators=[personas[FAC], trained_facilitator(area)])


def _group_id(area, personas):
    return {"public_id": _group(area, personas).public_id}


def _session_id(area, personas):
    return {"public_id": _group(area, personas).sessions.order_by("number").first().public_id}


def _membership_id(area, personas):
    from sessions import services
    from tests.sessions.factories import waiting_referral

    group = _group(area, personas)
    referral = waiting_referral(area, personas["offender_manager"])
    return {"public_id": services.allocate(actor=personas[TM], group=group, referral=referral).public_id}


def _catch_up_id(area, personas):
    """A catch-up booked directly (test data): the membership's first session taken as missed."""
    from sessions.models import Attendance, CatchUp, Membership

    membership = Membership.objects.get(public_id=_membership_id(area, personas)["public_id"])
    session = membership.group.sessions.order_by("number").first()
    Attendance.objects.create(
        membership=membership, session=session, outcome="acceptable_absence", recorded_by=personas[TM]
    )
    catch_up = CatchUp.objects.create(
        membership=membership,
        missed_session=session,
        date=session.date,
        facilitator=personas[FAC],
        booked_by=personas[TM],
    )
    return {"public_id": catch_up.public_id}


def _referral_id(area, personas):
    from tests.referrals.factories import referral_for

    return {"public_id": referral_for(area, personas["offender_manager"], status="on_programme").public_id}


def _plan_id(area, personas):
    from tests.sessions.factories import make_plan

    return {"public_id": make_plan(area, actor=personas[TM], facilitator=personas[FAC]).public_id}


def _feed_token(area, personas):
    from sessions import services

    user = personas[FAC]
    return {"token": services.issue_feed_token(actor=user, user=user).token}


ROUTES = [
    # Catalogue: managers.
    Route("api-programme-list", roles=MANAGERS, api=True),
    Route("api-programme-detail", roles=MANAGERS, api=True, kwargs=lambda a, p: {"code": "isotp_group"}),
    # Groups: TMs write; TMs, administrators and the group's facilitators read.
    Route("api-group-list", roles=READERS, api=True),
    Route("api-group-list", roles=ONLY_TM, method="post", api=True),
    Route("api-group-detail", roles=READERS, api=True, kwargs=_group_id, scoped=True),
    Route("api-group-session-list", roles=READERS, api=True, kwargs=_group_id, scoped=True),
    Route("api-group-membership-list", roles=READERS, api=True, kwargs=_group_id, scoped=True),
    Route("api-group-membership-list", roles=ONLY_TM, method="post", api=True, kwargs=_group_id, scoped=True),
    # An OM reads the membership of someone on their caseload (issue 7); another OM's: 404 (tests/sessions/test_api.py).
    Route(
        "api-membership-detail",
        roles=READERS | {"offender_manager"},
        api=True,
        kwargs=_membership_id,
        scoped=True,
    ),
    Route(
        "api-membership-detail",
        roles=ONLY_TM,
        method="delete",
        api=True,
        kwargs=_membership_id,
        scoped=True,
        data={"reason": "Moved away", "next_status": "awaiting_allocation"},
    ),
    Route(
        "api-membership-remove", roles=ONLY_TM, method="post", api=True, kwargs=_membership_id, scoped=True
    ),
    # Sessions.
    Route("api-session-detail", roles=READERS, api=True, kwargs=_session_id, scoped=True),
    Route("api-session-reschedule", roles=ONLY_TM, method="post", api=True, kwargs=_session_id, scoped=True),
    Route("api-session-cancel", roles=ONLY_TM, method="post", api=True, kwargs=_session_id, scoped=True),
    Route("api-group-close", roles=ONLY_TM, method="post", api=True, kwargs=_group_id, scoped=True),
    Route("api-plan-close", roles=ONLY_TM, method="post", api=True, kwargs=_plan_id, scoped=True),
    Route(
        "api-session-attendance",
        roles=frozenset({TM, FAC}),
        method="post",
        api=True,
        kwargs=_session_id,
        scoped=True,
    ),
    # Registers, catch-ups and enforcement (issue 8): the session's facilitators and TMs; exceptions: TMs;
    # warnings and breach action: the person's OM and TMs.
    Route("api-session-register", roles=frozenset({TM, FAC}), api=True, kwargs=_session_id, scoped=True),
    Route(
        "api-session-register",
        roles=frozenset({TM, FAC}),
        method="put",
        api=True,
        kwargs=_session_id,
        scoped=True,
    ),
    Route(
        "api-membership-catch-up-list",
        roles=frozenset({TM, FAC}),
        api=True,
        kwargs=_membership_id,
        scoped=True,
    ),
    Route(
        "api-membership-catch-up-list",
        roles=frozenset({TM, FAC}),
        method="post",
        api=True,
        kwargs=_membership_id,
        scoped=True,
    ),
    Route(
        "api-membership-catch-up-exception",
        roles=ONLY_TM,
        method="post",
        api=True,
        kwargs=_membership_id,
        scoped=True,
    ),
    Route(
        "api-catch-up-outcome",
        roles=frozenset({TM, FAC}),
        method="post",
        api=True,
        kwargs=_catch_up_id,
        scoped=True,
    ),
    Route(
        "api-catch-up-cancel",
        roles=frozenset({TM, FAC}),
        method="post",
        api=True,
        kwargs=_catch_up_id,
        scoped=True,
    ),
    Route(
        "api-referral-warning",
        roles=frozenset({TM, "offender_manager"}),
        method="post",
        api=True,
        kwargs=_referral_id,
        scoped=True,
    ),
    Route(
        "api-referral-breach",
        roles=frozenset({TM, "offender_manager"}),
        method="post",
        api=True,
        kwargs=_referral_id,
        scoped=True,
    ),
    Route("api-my-session-list", roles=ONLY_FAC, api=True),
    Route("api-my-calendar-feed", roles=ONLY_FAC, api=True),
    Route("api-my-calendar-feed", roles=ONLY_FAC, method="post", api=True),
    Route("api-my-calendar-feed", roles=ONLY_FAC, method="delete", api=True),
    # One-to-one plans.
    Route("api-plan-list", roles=READERS, api=True),
    Route("api-plan-list", roles=ONLY_TM, method="post", api=True),
    Route("api-plan-detail", roles=READERS, api=True, kwargs=_plan_id, scoped=True),
    Route("api-plan-session-list", roles=READERS, api=True, kwargs=_plan_id, scoped=True),
    # Stateless schedule preview: managers.
    Route("api-schedule-preview", roles=MANAGERS, method="post", api=True),
    # The private calendar feed: the token is the credential (tests/sessions/test_feeds.py covers it).
    Route("programme_sessions_feed:ical", public=True, kwargs=_feed_token),
]
