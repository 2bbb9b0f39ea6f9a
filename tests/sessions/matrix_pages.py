"""Every delivery PAGE for the permission matrix (tests/matrix.py explains the rules).

Groups and plans are built through the services in the home area, delivered by `personas["facilitator"]` so that
facilitator gets through (facilitators see only what they deliver), and another area's users get 404.
"""

from __future__ import annotations

import datetime as dt

from tests.matrix import MANAGERS, Route

TM, FAC, OM, ADMIN = "treatment_manager", "facilitator", "offender_manager", "area_admin"
ONLY_TM = frozenset({TM})
DELIVERY_READERS = frozenset({TM, FAC, ADMIN})


def _start() -> dt.date:
    return dt.date.today() + dt.timedelta(days=14)


def _group(area, personas):
    from tests.sessions.factories import make_group, trained_facilitator

    return make_group(
        area,
        actor=personas[TM],
        start_date=_start(),
        facilitators=[personas[FAC], trained_facilitator(area)],
    )


def _group_id(area, personas):
    return {"public_id": _group(area, personas).public_id}


def _group_session(area, personas):
    return {"public_id": _group(area, personas).public_id, "number": 3}


def _membership(area, personas):
    from sessions import services
    from tests.sessions.factories import waiting_referral

    group = _group(area, personas)
    membership = services.allocate(
        actor=personas[TM], group=group, referral=waiting_referral(area, personas[OM])
    )
    return {"public_id": group.public_id, "membership_id": membership.public_id}


def _plan(area, personas):
    from tests.sessions.factories import make_plan

    return make_plan(area, actor=personas[TM], facilitator=personas[FAC], start_date=_start())


def _plan_id(area, personas):
    return {"public_id": _plan(area, personas).public_id}


def _plan_session(area, personas):
    return {"public_id": _plan(area, personas).public_id, "number": 2}


def _code(area, personas):
    return {"code": "isotp_group"}


def _session_id(area, personas):
    return {"public_id": _group(area, personas).sessions.order_by("number").first().public_id}


def _membership_id(area, personas):
    return {"public_id": _membership(area, personas)["membership_id"]}


def _catch_up_id(area, personas):
    from sessions.models import Attendance, CatchUp, Membership

    membership = Membership.objects.get(public_id=_membership(area, personas)["membership_id"])
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

    return {"public_id": referral_for(area, personas[OM], status="on_programme").public_id}


ATTENDANCE_STAFF = frozenset({TM, FAC})

ROUTES = [
    # Registers, catch-ups and progress (issue 8): the group's facilitators and TMs take registers and book
    # catch-ups; TMs alone record exceptions; the progress page is open to the OM of the person too.
    Route("programme_sessions:session_register", roles=ATTENDANCE_STAFF, kwargs=_session_id, scoped=True),
    Route("programme_sessions:session_register_csv", roles=ATTENDANCE_STAFF, kwargs=_session_id, scoped=True),
    Route(
        "programme_sessions:session_register",
        roles=ATTENDANCE_STAFF,
        method="post",
        kwargs=_session_id,
        scoped=True,
    ),
    Route(
        "programme_sessions:member_progress",
        roles=frozenset({TM, FAC, OM, ADMIN}),
        kwargs=_membership_id,
        scoped=True,
    ),
    Route("programme_sessions:catch_up_new", roles=ATTENDANCE_STAFF, kwargs=_membership_id, scoped=True),
    Route(
        "programme_sessions:catch_up_new",
        roles=ATTENDANCE_STAFF,
        method="post",
        kwargs=_membership_id,
        scoped=True,
    ),
    Route("programme_sessions:catch_up_exception", roles=ONLY_TM, kwargs=_membership_id, scoped=True),
    Route("programme_sessions:catch_up_outcome", roles=ATTENDANCE_STAFF, kwargs=_catch_up_id, scoped=True),
    Route("programme_sessions:catch_up_cancel", roles=ATTENDANCE_STAFF, kwargs=_catch_up_id, scoped=True),
    Route("programme_sessions:referral_warning", roles=frozenset({TM, OM}), kwargs=_referral_id, scoped=True),
    Route("programme_sessions:referral_breach", roles=frozenset({TM, OM}), kwargs=_referral_id, scoped=True),
    # Catalogue: managers read, area administrators create new versions.
    Route("programme_sessions:programme_list", roles=MANAGERS),
    Route("programme_sessions:programme_detail", roles=MANAGERS, kwargs=_code),
    Route("programme_sessions:programme_edit", roles=frozenset({ADMIN}), kwargs=_code),
    Route("programme_sessions:programme_edit", roles=frozenset({ADMIN}), kwargs=_code, method="post"),
    # Groups.
    Route("programme_sessions:group_list", roles=DELIVERY_READERS),
    Route("programme_sessions:group_create", roles=ONLY_TM),
    Route("programme_sessions:group_create_step", roles=ONLY_TM, kwargs=lambda a, p: {"step": "programme"}),
    Route(
        "programme_sessions:group_create_step",
        roles=ONLY_TM,
        kwargs=lambda a, p: {"step": "programme"},
        method="post",
    ),
    Route("programme_sessions:group_create_check", roles=ONLY_TM),
    Route("programme_sessions:group_detail", roles=DELIVERY_READERS, kwargs=_group_id, scoped=True),
    Route("programme_sessions:group_schedule_csv", roles=DELIVERY_READERS, kwargs=_group_id, scoped=True),
    Route("programme_sessions:group_allocate", roles=ONLY_TM, kwargs=_group_id, scoped=True),
    Route("programme_sessions:group_allocate", roles=ONLY_TM, kwargs=_group_id, scoped=True, method="post"),
    Route("programme_sessions:member_remove", roles=ONLY_TM, kwargs=_membership, scoped=True),
    Route("programme_sessions:member_remove", roles=ONLY_TM, kwargs=_membership, scoped=True, method="post"),
    Route("programme_sessions:session_reschedule", roles=ONLY_TM, kwargs=_group_session, scoped=True),
    Route(
        "programme_sessions:session_reschedule",
        roles=ONLY_TM,
        kwargs=_group_session,
        scoped=True,
        method="post",
    ),
    Route("programme_sessions:session_cancel", roles=ONLY_TM, kwargs=_group_session, scoped=True),
    Route("programme_sessions:group_close", roles=ONLY_TM, kwargs=_group_id, scoped=True),
    Route("programme_sessions:group_close", roles=ONLY_TM, kwargs=_group_id, scoped=True, method="post"),
    # One-to-one plans.
    Route("programme_sessions:plan_list", roles=DELIVERY_READERS),
    Route("programme_sessions:plan_create", roles=ONLY_TM),
    Route("programme_sessions:plan_create_step", roles=ONLY_TM, kwargs=lambda a, p: {"step": "person"}),
    Route("programme_sessions:plan_create_check", roles=ONLY_TM),
    Route("programme_sessions:plan_detail", roles=DELIVERY_READERS, kwargs=_plan_id, scoped=True),
    Route("programme_sessions:plan_session_reschedule", roles=ONLY_TM, kwargs=_plan_session, scoped=True),
    Route("programme_sessions:plan_session_cancel", roles=ONLY_TM, kwargs=_plan_session, scoped=True),
    Route("programme_sessions:plan_close", roles=ONLY_TM, kwargs=_plan_id, scoped=True),
    Route("programme_sessions:plan_close", roles=ONLY_TM, kwargs=_plan_id, scoped=True, method="post"),
    # A facilitator's own calendar and feed link.
    Route("programme_sessions:my_calendar", roles=frozenset({FAC})),
    Route("programme_sessions:feed_rotate", roles=frozenset({FAC}), method="post"),
]
