"""The delivery services for the service matrix: TMs build and run groups and plans, administrators change the
catalogue, a facilitator manages their own calendar feed (a manager of their area may too)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sessions.models import CatchUp
from sessions.rules import WEEKDAYS
from sessions.selectors.catalogue import programme_for_area
from sessions.services import (
    attendance,
    bookings,
    catalogue,
    catch_ups,
    completion,
    enforcement,
    exports,
    feeds,
    groups,
    memberships,
    plans,
    scheduling,
    slots,
)
from tests.factories import VenueFactory
from tests.service_matrix import MANAGERS, NotAService, Service
from tests.sessions.factories import default_plan_modules, make_group, trained_facilitator, waiting_referral

TM = frozenset({"treatment_manager"})
DELIVERERS = frozenset({"treatment_manager", "facilitator"})
D = dt.date


# A fresh weekly slot for each group, so the personas' facilitator (who delivers them all) never clashes.
_SLOTS = itertools.cycle(
    [
        {"weekday": day, "start_time": time}
        for time in ("09:00", "12:00", "15:00", "18:00")
        for day in WEEKDAYS[:5]
    ]
)


def _group(area: Any, personas: dict[str, Any]) -> Any:
    return make_group(
        area,
        actor=personas["treatment_manager"],
        facilitators=[personas["facilitator"], trained_facilitator(area)],
        slots=[next(_SLOTS)],
    )


def _membership(area: Any, personas: dict[str, Any]) -> Any:
    group = _group(area, personas)
    referral = waiting_referral(area, personas["offender_manager"])
    return memberships.allocate(actor=personas["treatment_manager"], group=group, referral=referral)


def _attendance(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    membership = _membership(area, personas)
    return {
        "membership": membership,
        "session": membership.group.sessions.get(number=1),
        "outcome": "attended",
    }


def _missed(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    membership = _membership(area, personas)
    return {"membership": membership, "missed_session": membership.group.sessions.get(number=1)}


def _catch_up_booking(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {**_missed(area, personas), "date": D(2027, 1, 8), "facilitator": personas["facilitator"]}


def _catch_up(area: Any, personas: dict[str, Any]) -> Any:
    booking = _catch_up_booking(area, personas)
    return CatchUp.objects.create(**booking, booked_by=personas["treatment_manager"])


def _new_group(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {
        "programme_code": "isotp_group",
        "venue": VenueFactory(area=area),
        "treatment_manager": personas["treatment_manager"],
        "facilitators": [trained_facilitator(area), trained_facilitator(area)],
        "slots": [{"weekday": "monday", "start_time": "18:00"}],
        "start_date": D(2027, 1, 4),
        "capacity": 10,
    }


def _new_plan(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {
        "referral": waiting_referral(area, personas["offender_manager"], format="one_to_one"),
        "facilitator": trained_facilitator(area),
        "sessions_per_module": default_plan_modules(),
        "rationale": "",
        "slots": [{"weekday": "tuesday", "start_time": "10:00"}],
        "start_date": D(2027, 1, 5),
        "venue": VenueFactory(area=area),
    }


def _session(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {"session": _group(area, personas).sessions.get(number=2)}


SERVICES = [
    Service(
        catalogue.create_programme_version,
        roles=frozenset({"area_admin"}),
        kwargs=lambda a, p: {
            "programme": programme_for_area(a, "isotp_group"),
            "changes": {"session_minutes": 150, "work_minutes": 150},
            "reason": "Longer sessions",
        },
    ),
    # The facilitator's own feed; a manager of their area may issue or revoke it too.
    Service(
        feeds.issue_feed_token,
        roles=MANAGERS | {"facilitator"},
        kwargs=lambda a, p: {"user": p["facilitator"]},
        scoped=True,
    ),
    Service(
        feeds.revoke_feed_token,
        roles=MANAGERS | {"facilitator"},
        kwargs=lambda a, p: {"user": p["facilitator"]},
        scoped=True,
    ),
    Service(groups.create_group, roles=TM, kwargs=_new_group),
    Service(
        memberships.allocate,
        roles=TM,
        kwargs=lambda a, p: {"group": _group(a, p), "referral": waiting_referral(a, p["offender_manager"])},
        scoped=True,
    ),
    Service(
        memberships.allocate_several,
        roles=TM,
        kwargs=lambda a, p: {
            "group": _group(a, p),
            "referrals": [waiting_referral(a, p["offender_manager"])],
        },
        scoped=True,
    ),
    # Exports (issue 13): a group's schedule for whoever sees the group, a register for whoever takes it.
    Service(
        exports.export_group_schedule,
        roles=MANAGERS | {"facilitator"},
        kwargs=lambda a, p: {"group": _group(a, p), "sessions": []},
        scoped=True,
    ),
    Service(
        exports.export_register,
        roles=DELIVERERS,
        kwargs=lambda a, p: {"session": _attendance(a, p)["session"], "lines": []},
        scoped=True,
    ),
    Service(
        memberships.remove_member,
        roles=TM,
        kwargs=lambda a, p: {
            "membership": _membership(a, p),
            "reason": "Moved away",
            "next_status": "awaiting_allocation",
        },
        scoped=True,
    ),
    # Facilitators of the session (or of the member, for catch-ups) and the area's TMs; another facilitator does not
    # see the group (404).
    Service(attendance.record_attendance, roles=DELIVERERS, kwargs=_attendance, scoped=True),
    Service(
        attendance.take_register,
        roles=DELIVERERS,
        kwargs=lambda a, p: {
            "session": (s := _attendance(a, p))["session"],
            "entries": [attendance.RegisterEntry(membership=s["membership"], outcome="attended")],
        },
        scoped=True,
    ),
    Service(catch_ups.book_catch_up, roles=DELIVERERS, kwargs=_catch_up_booking, scoped=True),
    Service(
        catch_ups.record_catch_up_outcome,
        roles=DELIVERERS,
        kwargs=lambda a, p: {"catch_up": _catch_up(a, p), "outcome": "attended"},
        scoped=True,
    ),
    Service(
        catch_ups.cancel_catch_up,
        roles=DELIVERERS,
        kwargs=lambda a, p: {"catch_up": _catch_up(a, p), "reason": "The member is in hospital"},
        scoped=True,
    ),
    Service(
        catch_ups.grant_catch_up_exception,
        roles=TM,
        kwargs=lambda a, p: {**_missed(a, p), "reason": "Catch-up booked for next week"},
        scoped=True,
    ),
    # The person's OM or a TM of the area (another OM's caseload is not found).
    Service(
        enforcement.record_warning,
        roles=frozenset({"treatment_manager", "offender_manager"}),
        kwargs=lambda a, p: {"referral": _membership(a, p).referral, "issued_on": D(2026, 11, 20)},
        scoped=True,
    ),
    Service(
        enforcement.record_breach,
        roles=frozenset({"treatment_manager", "offender_manager"}),
        kwargs=lambda a, p: {"referral": _membership(a, p).referral, "actioned_on": D(2026, 11, 20)},
        scoped=True,
    ),
    Service(plans.create_one_to_one_plan, roles=TM, kwargs=_new_plan, scoped=True),
    Service(
        scheduling.reschedule_session,
        roles=TM,
        kwargs=lambda a, p: {**_session(a, p), "new_date": D(2027, 1, 19), "cascade": False},
        scoped=True,
    ),
    Service(scheduling.cancel_session_by_provider, roles=TM, kwargs=_session, scoped=True),
    # A TM closes a group or plan (its sessions still to come: refused 409 once past the gate).
    Service(completion.close_group, roles=TM, kwargs=lambda a, p: {"group": _group(a, p)}, scoped=True),
    Service(
        completion.close_plan,
        roles=TM,
        kwargs=lambda a, p: {
            "plan": plans.create_one_to_one_plan(actor=p["treatment_manager"], **_new_plan(a, p))
        },
        scoped=True,
    ),
]

NOT_SERVICES = [
    NotAService(attendance.owner_of, "names the group or plan of a session or membership; no write"),
    NotAService(
        attendance.delivers, "reads whether the actor delivers a session (the attendance gate's helper)"
    ),
    NotAService(attendance.check_can_take_register, "the attendance services' own gate (404 / 403)"),
    NotAService(catch_ups.lock_bookables_person, "locks a facilitator's row inside a gated catch-up booking"),
    NotAService(enforcement.check_can_enforce, "the enforcement services' own gate (404 / 403)"),
    NotAService(groups.schedule_for, "computes a schedule from the catalogue and calendar; no write"),
    NotAService(groups.preview_schedule, "the stateless schedule preview (pages and API); no write"),
    NotAService(groups.reference_prefix, "names a group's reference; no write"),
    NotAService(groups.next_reference, "reads the next free reference inside a gated service"),
    NotAService(groups.check_facilitators, "the training check the services (and question pages) share"),
    NotAService(plans.parse_plan, "parses a plan's sessions per module; no write"),
    NotAService(plans.check_plan, "the plan rules the service (and question pages) share"),
    NotAService(
        bookings.lock_in_order, "locks rows in one fixed order inside a gated service (no deadlocks)"
    ),
    NotAService(groups.check_supervised, "the supervision check the services (and question pages) share"),
    NotAService(
        groups.check_supervised_on_dates, "the supervision check of one-off session changes, on their dates"
    ),
    NotAService(bookings.lock_bookables, "locks venue and facilitator rows inside a gated service"),
    NotAService(bookings.session_label, "names a session in a refusal; no write"),
    NotAService(bookings.catch_up_label, "names a booked catch-up in a clash refusal; no write"),
    NotAService(bookings.candidates_from, "turns planned sessions into clash candidates; no write"),
    NotAService(bookings.check_clashes, "the clash check inside a gated service's lock"),
    NotAService(
        bookings.availability, "reads who and what is busy for a proposed schedule (question pages); no write"
    ),
    NotAService(bookings.write_schedule, "writes the sessions of a group or plan a gated service created"),
    NotAService(
        completion.complete_if_over,
        "completes a group or plan inside the gated register write that took its last register",
    ),
    NotAService(
        completion.complete_finished, "the nightly beat task's work (no user): completes what is over"
    ),
    NotAService(slots.parse_slots, "parses weekly slots; no write"),
    NotAService(slots.slot_label, "names a slot; no write"),
]
