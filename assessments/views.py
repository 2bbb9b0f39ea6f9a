"""The psychometric pages: a member's results (scales against the norms, deviance, change, the chart), entering the
pre- and post-programme scores, the TM's deviance override, and the battery configuration."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts import permissions
from accounts.permissions import require
from assessments import selectors, services
from assessments.forms import AdministrationForm, BatteryImportForm, DevianceOverrideForm
from assessments.models import BatteryVersion, Kind
from assessments.rules import DOMAIN_LABELS, ILLUSTRATIVE_NOTE, TREATMENT_TARGETS, parse_battery
from isotp.errors import DomainConflict
from isotp.forms import add_refusal

READER_ROLES = ("treatment_manager", "facilitator", "offender_manager", "area_admin")


def _results_url(membership_id: object) -> str:
    return reverse("assessments:results", args=[membership_id])


@login_required
def results(request: HttpRequest, public_id: str) -> HttpResponse:
    """Readers (TMs and administrators of the area, the member's facilitators, the person's OM): the results."""
    require(permissions.has_role(request.user, *READER_ROLES))
    membership = selectors.membership_for_user(request.user, public_id)
    data = selectors.membership_results(user=request.user, membership=membership)  # type: ignore[arg-type]
    can_enter = permissions.can_enter_psychometrics(request.user, membership)
    return render(
        request,
        "assessments/results.html",
        {
            "membership": membership,
            "person": membership.referral.person,
            "owner": membership.group or membership.plan,
            "results": data,
            # built by assessments.charts from numbers and escaped text only
            "chart": mark_safe(data["chart_svg"]),  # noqa: S308
            "can_enter_pre": can_enter and data["pre"] is None,
            "can_enter_post": can_enter and data["pre"] is not None and data["post"] is None,
            "can_override": data["pre"] is not None
            and permissions.can_override_deviance(request.user, membership),
            "is_offender_manager": permissions.is_offender_manager(request.user),
        },
    )


@login_required
def record(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    """The member's facilitators and TMs of the area: enter the pre- or post-programme scores."""
    require(permissions.has_role(request.user, "treatment_manager", "facilitator"))
    membership = selectors.membership_for_user(request.user, public_id)
    require(permissions.can_enter_psychometrics(request.user, membership))
    if kind not in Kind.values:
        raise Http404("No such administration")
    pre = (
        selectors.administrations_for_user(request.user).filter(membership=membership, kind=Kind.PRE).first()
    )
    version: BatteryVersion | None
    if kind == Kind.POST and pre is not None:
        version = pre.battery_version
    else:
        owner = membership.group or membership.plan
        version = services.current_battery_version(owner.area_id)  # type: ignore[union-attr]
    if version is None:
        messages.error(request, "The area has no psychometric battery yet: an administrator must set one up.")
        return redirect(_results_url(membership.public_id))
    battery = parse_battery(version.definition)
    form = AdministrationForm(request.POST if request.method == "POST" else None, battery=battery)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_administration(
                actor=request.user,  # type: ignore[arg-type]
                membership=membership,
                kind=kind,
                administered_on=form.cleaned_data["administered_on"],
                scores=form.cleaned_data["scores"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainConflict as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, f"{Kind(kind).label} scores recorded")
            return redirect(_results_url(membership.public_id))
    return render(
        request,
        "assessments/record.html",
        {
            "form": form,
            "kind": Kind(kind),
            "membership": membership,
            "person": membership.referral.person,
            "version": version,
            "illustrative_note": ILLUSTRATIVE_NOTE if version.illustrative else "",
            "back": _results_url(membership.public_id),
        },
    )


@login_required
def deviance_override(request: HttpRequest, public_id: str) -> HttpResponse:
    """TMs of the area: record the assessed deviance over the computed one, with rationale."""
    require(permissions.is_treatment_manager(request.user))
    membership = selectors.membership_for_user(request.user, public_id)
    pre = (
        selectors.administrations_for_user(request.user).filter(membership=membership, kind=Kind.PRE).first()
    )
    if pre is None:
        messages.error(request, "Record the pre-programme scores first: deviance is assessed from them.")
        return redirect(_results_url(membership.public_id))
    form = DevianceOverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.override_deviance(actor=request.user, administration=pre, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_refusal(form, exc)
        except DomainConflict as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Deviance recorded")
            return redirect(_results_url(membership.public_id))
    return render(
        request,
        "assessments/deviance_override.html",
        {
            "form": form,
            "person": membership.referral.person,
            "back": _results_url(membership.public_id),
        },
    )


# --- battery configuration ---------------------------------------------------------------------------------------


@login_required
def battery_list(request: HttpRequest) -> HttpResponse:
    """Managers and facilitators: the area's batteries; administrators import and edit."""
    require(permissions.can_view_batteries(request.user))
    return render(
        request,
        "assessments/battery_list.html",
        {
            "batteries": list(selectors.batteries_for_user(request.user)),
            "can_edit": permissions.can_edit_battery(request.user),
        },
    )


@login_required
def battery_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Managers and facilitators: a battery version's scales, norms and rules (the newest, or `?version=`)."""
    require(permissions.can_view_batteries(request.user))
    battery = selectors.battery_for_user(request.user, code)
    versions = list(battery.versions.all())
    wanted = request.GET.get("version", "")
    version = next((v for v in versions if str(v.version) == wanted), versions[0] if versions else None)
    parsed = parse_battery(version.definition) if version else None
    return render(
        request,
        "assessments/battery_detail.html",
        {
            "battery": battery,
            "versions": versions,
            "version": version,
            "parsed": parsed,
            "scales": [(scale, DOMAIN_LABELS[scale.domain]) for scale in parsed.scales] if parsed else [],
            "targets": TREATMENT_TARGETS,
            "illustrative_note": ILLUSTRATIVE_NOTE,
            "can_edit": permissions.can_edit_battery(request.user),
        },
    )


@login_required
def battery_export(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """Managers and facilitators: download a version's definition as JSON (what import reads)."""
    require(permissions.can_view_batteries(request.user))
    found = selectors.battery_version_for_user(request.user, code, version)
    response = HttpResponse(
        json.dumps(found.definition, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{found.battery.code}-v{found.version}.json"'
    return response


@login_required
def battery_import(request: HttpRequest) -> HttpResponse:
    """Area administrators: edit or import a battery definition; saving makes a new version."""
    require(permissions.can_edit_battery(request.user))
    initial = {}
    start_from = request.GET.get("from", "")
    if start_from:
        battery = selectors.battery_for_user(request.user, start_from)
        latest = battery.versions.all()[0] if battery.versions.all() else None
        if latest is not None:
            initial["definition"] = json.dumps(latest.definition, indent=2, ensure_ascii=False)
    form = BatteryImportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.save_battery_version(
                actor=request.user,  # type: ignore[arg-type]
                definition=form.cleaned_data["definition"],
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationError as exc:
            for problem in exc.message_dict.get("definition", exc.messages):
                form.add_error("definition", problem)
        else:
            messages.success(request, f"Version {version.version} of {version.battery.name} saved")
            return redirect(reverse("assessments:battery_detail", args=[version.battery.code]))
    return render(
        request,
        "assessments/battery_import.html",
        {"form": form, "back": reverse("assessments:battery_list")},
    )
