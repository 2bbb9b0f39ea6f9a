"""Create a group: GOV.UK question pages ending in check your answers, with the generated schedule previewed.

Questions: programme and format, weekly slots, start date, venue, treatment manager, facilitators (only trained
ones offered), places and age band. The days and start date come before the venue and facilitators so that those
questions can show each choice as free or busy for the proposed schedule (issue 13). The check page previews the schedule the rules generate (dates skipped for
bank holidays and closures, with the reason) and "Create group" calls `services.create_group`, whose refusals
(an untrained facilitator, a clash naming the session) appear in the error summary.
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
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from isotp import clock
from isotp.dates import weekday_date
from isotp.errors import DomainConflict
from sessions import services as delivery
from sessions.forms.questions import (
    CapacityForm,
    FacilitatorsForm,
    ProgrammeForm,
    SlotsForm,
    StartDateForm,
    TreatmentManagerForm,
    VenueForm,
)
from sessions.rules import WEEKDAYS
from sessions.selectors.area import (
    facilitator_choices,
    staff_by_public_ids,
    treatment_manager,
    treatment_managers,
    venue_for_scheduling,
    venues_for_scheduling,
)
from sessions.selectors.availability import facilitator_availability, venue_availability
from sessions.selectors.catalogue import programme_in_force, programmes_for_groups
from sessions.selectors.previews import preview as schedule_preview
from sessions.views.requests import area_of, staff

from .wizard import Wizard

STANDARD_BAND, YOUNG_ADULT_BAND = "standard", "young_adult"


def schedule_span(schedule: Any) -> str:
    """'the 30 sessions from Monday 4 January 2027 to Monday 26 July 2027' (the availability hints' reference)."""
    sessions = schedule.sessions
    n = len(sessions)
    if n == 1:
        return f"the session on {weekday_date(sessions[0].date)}"
    return f"the {n} sessions from {weekday_date(sessions[0].date)} to {weekday_date(sessions[-1].date)}"


def slot_lines(slots: list[dict[str, str]]) -> list[str]:
    return [f"{s['weekday'].capitalize()} at {s['start_time']}" for s in slots]


class DeliveryWizard(Wizard):
    """What the group and the one-to-one question pages share: the programme version, venue, people and slots."""

    def __init__(self, request: HttpRequest):
        super().__init__(request)
        self.today = clock.today()
        self._programme: Any = None

    # --- lookups through the selectors --------------------------------------------------------------------------

    def programme(self) -> Any:
        """The catalogue version for the chosen code (None until the programme is answered): the one in force on
        the start date once that is answered, as the services schedule with (a version starting later must not
        be previewed and confirmed as the one in force today), else the one in force today."""
        code = self.state.get("programme")
        if code and self._programme is None:
            on = self.today
            if self.state.get("start_date"):
                on = max(on, dt.date.fromisoformat(self.state["start_date"]))
            self._programme = programme_in_force(self.request.user, code, today=on)
        return self._programme

    def preview_options(self) -> dict[str, Any]:
        """What else the schedule preview needs (a plan's sessions per module)."""
        return {}

    def proposed_schedule(self) -> Any:
        """The schedule the answers so far would generate (None before the days and start date are answered, or
        when it cannot be generated: the check page says why)."""
        if not (self.state.get("slots") and self.state.get("start_date")):
            return None
        schedule, _error = schedule_preview(
            self.request.user,
            programme=self.programme(),
            slots=self.state["slots"],
            start_date=dt.date.fromisoformat(self.state["start_date"]),
            **self.preview_options(),
        )
        return schedule

    def venue_form(self, data: Any) -> VenueForm:
        """The venue question, each venue marked free or busy for the proposed schedule."""
        venues = list(venues_for_scheduling(self.request.user))
        form = VenueForm(
            data, choices=[(str(v.pk), v.name) for v in venues], initial={"venue": self.state.get("venue")}
        )
        schedule = self.proposed_schedule()
        field = form.fields["venue"]
        field.availability = venue_availability(self.request.user, schedule, venues)  # type: ignore[attr-defined]
        if field.availability:  # type: ignore[attr-defined]
            field.help_text = f"Each venue is shown free or busy for {schedule_span(schedule)}"
        return form

    def facilitator_form(self, data: Any, *, single: bool) -> FacilitatorsForm:
        programme = self.programme()
        offered, valid = facilitator_choices(self.request.user, programme)

        def check(public_ids: list[str]) -> None:
            # The service's own rule and words (000: training; domain.md §5: how many per session).
            people = staff_by_public_ids(self.request.user, public_ids)
            delivery.check_facilitators(people, programme=programme, area_id=staff(self.request).area_id)

        form = FacilitatorsForm(
            data,
            offered=offered,
            valid=valid,
            check=check,
            needed=programme.facilitators_per_session,
            single=single,
            initial={"facilitators": self.state.get("facilitators", [])},
        )
        people = staff_by_public_ids(self.request.user, [value for value, _ in offered])
        schedule = self.proposed_schedule()
        field = form.fields["facilitators"]
        field.availability = facilitator_availability(self.request.user, schedule, people)  # type: ignore[attr-defined]
        if field.availability:  # type: ignore[attr-defined]
            field.help_text = f"{field.help_text}. Each is shown free or busy for {schedule_span(schedule)}"
        return form

    def slots_form(self, data: Any) -> SlotsForm:
        programme = self.programme()
        slots = self.state.get("slots") or []
        initial: dict[str, Any] = {}
        for prefix, slot in zip(("first", "second"), slots, strict=False):
            initial[f"{prefix}_weekday"] = slot["weekday"]
            initial[f"{prefix}_start"] = slot["start_time"]
        return SlotsForm(
            data,
            max_slots=programme.max_slots_per_week,
            default_start=programme.default_start_time.strftime("%H:%M"),
            initial=initial,
        )

    @staticmethod
    def slots_state(form: SlotsForm) -> list[dict[str, str]]:
        return [
            {"weekday": WEEKDAYS[s.weekday], "start_time": s.start_time.strftime("%H:%M")}
            for s in form.slots()
        ]

    def start_form(self, data: Any) -> StartDateForm:
        initial = {"start_date": self.state["start_date"]} if "start_date" in self.state else {}
        return StartDateForm(data, today=self.today, initial=initial)

    def resolved(self) -> dict[str, Any]:
        """The answers as objects for the services (None where an answer no longer resolves, e.g. a venue
        closed since): the check page sends the person back to that question."""
        user = self.request.user
        return {
            "programme": self.programme(),
            "venue": venue_for_scheduling(user, self.state.get("venue")),
            "facilitators": staff_by_public_ids(user, self.state.get("facilitators", [])),
        }

    def slot_context(self) -> dict[str, Any]:
        programme = self.programme()
        return {"noun": self.noun, "monthly": programme.cadence == "monthly"}

    noun = "group"


class GroupWizard(DeliveryWizard):
    session_key = "sessions.group_wizard"
    caption = "Create a group"
    step_url = "programme_sessions:group_create_step"
    check_url = "programme_sessions:group_create_check"
    start_url = "programme_sessions:group_create"
    cancel_url = "programme_sessions:group_list"
    steps = ("programme", "slots", "start-date", "venue", "treatment-manager", "facilitators", "places")
    answers = {
        "programme": ("programme",),
        "venue": ("venue",),
        "treatment-manager": ("treatment_manager",),
        "facilitators": ("facilitators",),
        "slots": ("slots",),
        "start-date": ("start_date",),
        "places": ("capacity", "age_band", "name"),
    }
    titles = {
        "programme": "Which programme and format will the group run?",
        "venue": "Where will the group meet?",
        "treatment-manager": "Who is the treatment manager?",
        "facilitators": "Who will facilitate?",
        "slots": "When does the group meet each week?",
        "start-date": "When does the first session start?",
        "places": "Places and age band",
    }
    templates = {
        "facilitators": "sessions/wizard/facilitators.html",
        "slots": "sessions/wizard/slots.html",
        "places": "sessions/wizard/capacity.html",
    }

    def bands(self) -> list[tuple[str, str]]:
        p = self.programme()
        top = f" to {p.max_age}" if p.max_age else " and over"
        bands = [(STANDARD_BAND, f"Aged {p.min_age}{top}")]
        if p.young_adult_band:
            band = p.young_adult_band
            bands.append((YOUNG_ADULT_BAND, f"Young adults aged {band['min_age']} to {band['max_age']}"))
        return bands

    def age_band(self) -> tuple[int | None, int | None]:
        p = self.programme()
        if self.state.get("age_band") == YOUNG_ADULT_BAND and p.young_adult_band:
            return p.young_adult_band["min_age"], p.young_adult_band["max_age"]
        return None, None  # the service uses the programme's own ages

    def form(self, step: str, data: Any) -> forms.Form:
        state, user = self.state, self.request.user
        if step == "programme":
            choices = [(p.code, p.name) for p in programmes_for_groups(user, today=self.today)]
            return ProgrammeForm(data, choices=choices, initial={"programme": state.get("programme")})
        if step == "venue":
            return self.venue_form(data)
        if step == "treatment-manager":
            tms = treatment_managers(user)
            return TreatmentManagerForm(
                data,
                choices=[(str(tm.public_id), tm.full_name) for tm in tms],
                initial={"treatment_manager": state.get("treatment_manager", str(user.public_id))},  # type: ignore[union-attr]
            )
        if step == "facilitators":
            return self.facilitator_form(data, single=False)
        if step == "slots":
            return self.slots_form(data)
        if step == "start-date":
            return self.start_form(data)
        p = self.programme()
        return CapacityForm(
            data,
            group_min=p.group_min,
            group_max=p.group_max,
            bands=self.bands(),
            initial={
                "capacity": state.get("capacity", p.group_optimum),
                "age_band": state.get("age_band"),
                "name": state.get("name", ""),
            },
        )

    def store(self, step: str, form: forms.Form) -> None:
        data = form.cleaned_data
        if step == "programme":
            if self.state.get("programme") != data["programme"]:
                # Facilitators' training, the slots allowed and the group size depend on the programme.
                for key in ("facilitators", "slots", "capacity", "age_band", "name"):
                    self.state.pop(key, None)
            self.state["programme"] = data["programme"]
            self._programme = None
        elif step == "venue":
            self.state["venue"] = data["venue"]
        elif step == "treatment-manager":
            self.state["treatment_manager"] = data["treatment_manager"]
        elif step == "facilitators":
            self.state["facilitators"] = list(data["facilitators"])
        elif step == "slots":
            self.state["slots"] = self.slots_state(form)  # type: ignore[arg-type]
        elif step == "start-date":
            self.state["start_date"] = data["start_date"].isoformat()
        else:
            self.state.update(capacity=data["capacity"], age_band=data["age_band"], name=data["name"])

    def context(self, step: str, form: forms.Form) -> dict[str, Any]:
        if step in ("facilitators", "facilitator"):
            return {"selected": [str(v) for v in (form["facilitators"].value() or [])]}
        if step == "slots":
            return self.slot_context()
        if step == "places":
            p = self.programme()
            return {"programme_name": p.name, "group_optimum": p.group_optimum, "group_max": p.group_max}
        return {}


# Where to send the person to fix what the service refused: its argument names -> the question page.
GROUP_FIELD_STEPS = {
    "programme": "programme",
    "venue": "venue",
    "treatment_manager": "treatment-manager",
    "facilitators": "facilitators",
    "slots": "slots",
    "start_date": "start-date",
    "capacity": "places",
    "age_min": "places",
    "age_max": "places",
    "name": "places",
}


def refusal_links(
    wizard: Wizard, exc: DomainConflict | ValidationError, steps: dict[str, str]
) -> list[tuple[str, str]]:
    """The service's refusals for the error summary, each linking to the question that can put it right (a clash
    links to the weekly sessions, whose day, time or start date can avoid it)."""
    if isinstance(exc, DomainConflict):
        return [(wizard.change_url("slots") if "CLASH" in exc.code else "", exc.detail)]
    if not hasattr(exc, "error_dict"):
        return [("", message) for message in exc.messages]
    out: list[tuple[str, str]] = []
    for key, errors in exc.error_dict.items():
        url = wizard.change_url(steps[key]) if key in steps else ""
        out.extend((url, message) for error in errors for message in error.messages)
    return out


def _group_wizard_allowed(request: HttpRequest) -> None:
    require(permissions.can_manage_delivery(request.user))


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    """Start again: forget any half-finished answers and ask the first question."""
    _group_wizard_allowed(request)
    wizard = GroupWizard(request)
    wizard.clear()
    return redirect(wizard.url(wizard.steps[0]))


@login_required
@require_http_methods(["GET", "POST"])
def group_create_step(request: HttpRequest, step: str) -> HttpResponse:
    """Treatment managers: one question of the group's set-up."""
    _group_wizard_allowed(request)
    return GroupWizard(request).step_view(step)


@login_required
@require_http_methods(["GET", "POST"])
def group_create_check(request: HttpRequest) -> HttpResponse:
    """Treatment managers: check the answers and the previewed schedule, then create the group."""
    _group_wizard_allowed(request)
    wizard = GroupWizard(request)
    missing = wizard.first_unanswered()
    if missing is not None:
        return redirect(wizard.url(missing))
    state = wizard.state
    objects = wizard.resolved()
    programme, venue, facilitators = objects["programme"], objects["venue"], objects["facilitators"]
    if programme is None:
        return redirect(wizard.url("programme"))
    if venue is None:
        return redirect(wizard.url("venue"))
    tm = treatment_manager(request.user, state["treatment_manager"])
    if tm is None:
        return redirect(wizard.url("treatment-manager"))
    start_date = dt.date.fromisoformat(state["start_date"])
    age_min, age_max = wizard.age_band()
    refusals: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            group = delivery.create_group(
                actor=staff(request),
                programme_code=programme.code,
                venue=venue,
                treatment_manager=tm,
                facilitators=facilitators,
                slots=state["slots"],
                start_date=start_date,
                capacity=state["capacity"],
                age_min=age_min,
                age_max=age_max,
                name=state.get("name", ""),
            )
        except (DomainConflict, ValidationError) as exc:
            refusals = refusal_links(wizard, exc, GROUP_FIELD_STEPS)
        else:
            wizard.clear()
            messages.success(request, f"Group {group.reference} created and its sessions scheduled")
            return redirect("programme_sessions:group_detail", public_id=group.public_id)
    preview, preview_error = schedule_preview(
        request.user,
        programme=programme,
        slots=state["slots"],
        start_date=start_date,
    )
    band = dict(wizard.bands()).get(state["age_band"], "")
    rows: list[dict[str, Any]] = [
        {"key": "Programme", "value": f"{programme.name} (version {programme.version})", "step": "programme"},
        {"key": "Venue", "value": venue.name, "step": "venue"},
        {"key": "Treatment manager", "value": tm.full_name, "step": "treatment-manager"},
        {"key": "Facilitators", "lines": [f.full_name for f in facilitators], "step": "facilitators"},
        {"key": "Weekly sessions", "lines": slot_lines(state["slots"]), "step": "slots"},
        {
            "key": "Start date",
            "value": weekday_date(start_date),
            "step": "start-date",
        },
        {"key": "Places", "value": str(state["capacity"]), "step": "places"},
        {"key": "Age band", "value": band, "step": "places"},
        {
            "key": "Group name",
            "value": state.get("name") or "Named by programme, venue and start date",
            "step": "places",
        },
    ]
    for row in rows:
        row["change_url"] = wizard.change_url(row["step"])
    return render(
        request,
        "sessions/wizard/check.html",
        {
            "refusals": refusals,
            "rows": rows,
            "preview": preview,
            "preview_error": preview_error,
            "preview_end": preview.sessions[-1].date if preview and preview.sessions else None,
            "title": "Check the group and its schedule",
            "caption": wizard.caption,
            "summary_heading": "Group details",
            "back_url": wizard.url(wizard.steps[-1]),
            "noun": "group",
            "area": area_of(request),
            "jurisdiction": area_of(request).get_jurisdiction_display(),  # one name: "England and Wales"
            "confirm_intro": "create the group",
            "confirm_text": "The sessions above are put in the calendars of the venue and the facilitators. You can "
            "reschedule a session from the group's page afterwards.",
            "confirm_label": "Create group",
        },
    )
