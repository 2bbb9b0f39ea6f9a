"""One-to-one plans: the list, the question pages that create one (preview then confirm) and the plan's page.

domain.md §2.2: the TM sets sessions per module by treatment need; the total (20-30) is a hard rule and a module
outside its guidance range needs a recorded rationale. One trained facilitator, slots, start date and venue; the
sessions are generated the same way as a group's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from audit.services import record_search
from isotp import clock
from isotp.dates import long_date, weekday_date
from isotp.errors import DomainConflict
from referrals import selectors as referral_selectors
from sessions import services as delivery
from sessions.forms.plans import ModulePlanForm, ParticipantForm
from sessions.models import PlanStatus
from sessions.rules.completion import Completion
from sessions.selectors.completion import completion_preview
from sessions.selectors.plans import (
    one_to_one_code,
    plan_record_for,
    plans_for_list,
    waiting_referral,
)
from sessions.selectors.previews import preview as schedule_preview
from sessions.selectors.schedule import schedule_for_plan
from sessions.views.requests import area_of, paginate, staff

from .group_wizard import DeliveryWizard, refusal_links, slot_lines

PLAN_FIELD_STEPS = {
    "referral": "person",
    "sessions_per_module": "modules",
    "rationale": "modules",
    "facilitator": "facilitator",
    "facilitators": "facilitator",
    "venue": "venue",
    "slots": "slots",
    "start_date": "start-date",
}


class PlanWizard(DeliveryWizard):
    session_key = "sessions.plan_wizard"
    caption = "Create a one-to-one plan"
    step_url = "programme_sessions:plan_create_step"
    check_url = "programme_sessions:plan_create_check"
    start_url = "programme_sessions:plan_create"
    cancel_url = "programme_sessions:plan_list"
    steps = ("person", "modules", "slots", "start-date", "facilitator", "venue")
    answers = {
        "person": ("referral", "programme"),
        "modules": ("sessions_per_module", "rationale"),
        "facilitator": ("facilitators",),
        "venue": ("venue",),
        "slots": ("slots",),
        "start-date": ("start_date",),
    }
    titles = {
        "person": "Who is the plan for?",
        "modules": "How many sessions for each module?",
        "facilitator": "Who will facilitate the sessions?",
        "venue": "Where will the sessions take place?",
        "slots": "When are the sessions each week?",
        "start-date": "When does the first session start?",
    }
    templates = {
        "person": "sessions/plans/person.html",
        "modules": "sessions/plans/modules.html",
        "facilitator": "sessions/wizard/facilitators.html",
        "slots": "sessions/wizard/slots.html",
    }
    noun = "plan"

    def waiting(self) -> list[Any]:
        return referral_selectors.waiting_list(
            self.request.user, programme="isotp", format="one_to_one", today=self.today
        )

    def form(self, step: str, data: Any) -> forms.Form:
        state = self.state
        if step == "person":
            choices = [
                (
                    str(row.referral.public_id),
                    f"{row.person.full_name} ({row.person.crn}), aged {row.age_at_start}, waiting since "
                    + long_date(timezone.localtime(row.awaiting_since).date()),
                )
                for row in self.waiting()
            ]
            return ParticipantForm(data, choices=choices, initial={"referral": state.get("referral")})
        if step == "modules":
            programme = self.programme()
            planned = state.get("sessions_per_module") or {
                str(m["number"]): m.get("sessions", m.get("sessions_min")) for m in programme.modules
            }
            initial = {f"module_{n}": count for n, count in planned.items()}
            initial["rationale"] = state.get("rationale", "")
            return ModulePlanForm(data, entry=programme.as_entry(), initial=initial)
        if step == "facilitator":
            return self.facilitator_form(data, single=True)
        if step == "venue":
            return self.venue_form(data)
        if step == "slots":
            return self.slots_form(data)
        return self.start_form(data)

    def store(self, step: str, form: forms.Form) -> None:
        data = form.cleaned_data
        if step == "person":
            self.state["referral"] = data["referral"]
            code = one_to_one_code(self.request.user, today=self.today)
            if self.state.get("programme") != code:
                self.state.pop("sessions_per_module", None)
            self.state["programme"] = code
            self._programme = None
        elif step == "modules":
            plan = form.plan()  # type: ignore[attr-defined]
            self.state["sessions_per_module"] = {str(n): c for n, c in plan.items()}
            self.state["rationale"] = data.get("rationale", "").strip()
        elif step == "facilitator":
            self.state["facilitators"] = list(data["facilitators"])
        elif step == "venue":
            self.state["venue"] = data["venue"]
        elif step == "slots":
            self.state["slots"] = self.slots_state(form)  # type: ignore[arg-type]
        else:
            self.state["start_date"] = data["start_date"].isoformat()

    def context(self, step: str, form: forms.Form) -> dict[str, Any]:
        if step in ("facilitators", "facilitator"):
            return {"selected": [str(v) for v in (form["facilitators"].value() or [])]}
        if step == "modules":
            p = self.programme()
            return {
                "sessions_min": p.sessions_min,
                "sessions_max": p.sessions_max,
                "session_minutes": p.session_minutes,
            }
        if step == "slots":
            return self.slot_context()
        return {}

    def preview_options(self) -> dict[str, Any]:
        return {"sessions_per_module": self.sessions_per_module()}

    def sessions_per_module(self) -> dict[int, int]:
        return {int(n): c for n, c in (self.state.get("sessions_per_module") or {}).items()}


def _allowed(request: HttpRequest) -> None:
    require(permissions.can_manage_delivery(request.user))


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """TMs and administrators: the area's one-to-one plans; facilitators: the ones they deliver. Paginated."""
    require(permissions.can_view_groups(request.user))
    page = paginate(request, plans_for_list(request.user))
    record_search(actor=request.user, list_name="one_to_one_plans", query=request.GET)  # type: ignore[arg-type]
    return render(
        request,
        "sessions/plans/list.html",
        {
            "page": page,
            "can_create": permissions.can_manage_delivery(request.user),
            "is_facilitator": permissions.is_facilitator(request.user),
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    """Start a new plan: forget half-finished answers."""
    _allowed(request)
    wizard = PlanWizard(request)
    wizard.clear()
    return redirect(wizard.url(wizard.steps[0]))


@login_required
@require_http_methods(["GET", "POST"])
def plan_create_step(request: HttpRequest, step: str) -> HttpResponse:
    """Treatment managers: one question of a one-to-one plan."""
    _allowed(request)
    return PlanWizard(request).step_view(step)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create_check(request: HttpRequest) -> HttpResponse:
    """Treatment managers: check the plan and its previewed schedule, then create it."""
    _allowed(request)
    wizard = PlanWizard(request)
    missing = wizard.first_unanswered()
    if missing is not None:
        return redirect(wizard.url(missing))
    state = wizard.state
    objects = wizard.resolved()
    programme, venue, facilitators = objects["programme"], objects["venue"], objects["facilitators"]
    referral = waiting_referral(request.user, state["referral"])
    if programme is None or referral is None:
        return redirect(wizard.url("person"))
    if venue is None:
        return redirect(wizard.url("venue"))
    if len(facilitators) != 1:
        return redirect(wizard.url("facilitator"))
    start_date = dt.date.fromisoformat(state["start_date"])
    plan_counts = wizard.sessions_per_module()
    refusals: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            plan = delivery.create_one_to_one_plan(
                actor=staff(request),
                referral=referral,
                sessions_per_module=plan_counts,
                rationale=state.get("rationale", ""),
                facilitator=facilitators[0],
                venue=venue,
                slots=state["slots"],
                start_date=start_date,
            )
        except (DomainConflict, ValidationError) as exc:
            refusals = refusal_links(wizard, exc, PLAN_FIELD_STEPS)
        else:
            wizard.clear()
            messages.success(request, f"One-to-one plan {plan.reference} created and its sessions scheduled")
            return redirect("programme_sessions:plan_detail", public_id=plan.public_id)
    preview, preview_error = schedule_preview(
        request.user,
        programme=programme,
        slots=state["slots"],
        start_date=start_date,
        sessions_per_module=plan_counts,
    )
    titles = {m["number"]: m["title"] for m in programme.modules}
    module_lines = [
        f"Module {n} ({titles.get(n, '')}): {c} session{'s' if c != 1 else ''}"
        for n, c in sorted(plan_counts.items())
    ]
    module_lines.append(f"Total: {sum(plan_counts.values())} sessions")
    person = referral.person
    rows: list[dict[str, Any]] = [
        {"key": "Person", "value": f"{person.full_name} ({person.crn})", "step": "person"},
        {"key": "Programme", "value": f"{programme.name} (version {programme.version})", "step": "person"},
        {"key": "Sessions per module", "lines": module_lines, "step": "modules"},
        {
            "key": "Rationale",
            "value": state.get("rationale") or "None needed: every module is within its guidance",
            "step": "modules",
        },
        {"key": "Facilitator", "value": facilitators[0].full_name, "step": "facilitator"},
        {"key": "Venue", "value": venue.name, "step": "venue"},
        {"key": "Weekly sessions", "lines": slot_lines(state["slots"]), "step": "slots"},
        {
            "key": "Start date",
            "value": weekday_date(start_date),
            "step": "start-date",
        },
    ]
    for row in rows:
        row["change_url"] = wizard.change_url(row["step"])
    area = area_of(request)
    return render(
        request,
        "sessions/wizard/check.html",
        {
            "refusals": refusals,
            "rows": rows,
            "preview": preview,
            "preview_error": preview_error,
            "preview_end": preview.sessions[-1].date if preview and preview.sessions else None,
            "title": "Check the plan and its schedule",
            "caption": wizard.caption,
            "summary_heading": "Plan details",
            "back_url": wizard.url(wizard.steps[-1]),
            "noun": "plan",
            "area": area,
            "jurisdiction": area.get_jurisdiction_display(),  # one name: "England and Wales"
            "confirm_intro": "create the plan",
            "confirm_text": "The sessions above are put in the calendars of the venue and the facilitator, and the "
            "referral is allocated to the plan.",
            "confirm_label": "Create plan",
        },
    )


@login_required
def plan_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A one-to-one plan: who, sessions per module (with any rationale) and the schedule. 404 outside scope."""
    require(permissions.can_view_groups(request.user))
    plan = plan_record_for(request.user, public_id)
    sessions = list(schedule_for_plan(plan))
    titles = {m["number"]: m["title"] for m in plan.programme.modules}
    modules = [
        {"number": int(n), "title": titles.get(int(n), ""), "sessions": c}
        for n, c in sorted(plan.sessions_per_module.items(), key=lambda item: int(item[0]))
    ]
    guidance = {m["number"]: m for m in plan.programme.modules}
    for module in modules:
        g = guidance.get(module["number"], {})
        low, high = g.get("sessions_min", g.get("sessions")), g.get("sessions_max", g.get("sessions"))
        module["guidance"] = f"{low}" if low == high else f"{low} to {high}"
        module["outside"] = low is not None and not low <= module["sessions"] <= high
    return render(
        request,
        "sessions/plans/detail.html",
        {
            "plan": plan,
            "sessions": sessions,
            "modules": modules,
            "slots": list(plan.slots.all()),
            "active_count": sum(1 for s in sessions if s.status != "cancelled_by_provider"),
            "today": clock.today(),
            "can_register": permissions.can_take_register(request.user),
            # A cancelled or completed plan's sessions no longer move (the services refuse): offer no actions.
            "can_manage": permissions.can_manage_delivery(request.user)
            and plan.status not in (PlanStatus.CANCELLED, PlanStatus.COMPLETED),
            "can_close": permissions.can_manage_delivery(request.user)
            and plan.status in (PlanStatus.PLANNED, PlanStatus.RUNNING)
            and isinstance(completion_preview(plan), Completion),
        },
    )
