"""The psychometric pages: a member's results (scales against the norms, deviance, change, the chart), entering the
pre- and post-programme scores, the TM's deviance override, and the battery configuration."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts import permissions
from assessments import selectors, services
from assessments.forms import AdministrationForm, BatteryImportForm, DevianceOverrideForm
from assessments.models import Kind
from assessments.rules import DOMAIN_LABELS, ILLUSTRATIVE_NOTE, TREATMENT_TARGETS, parse_battery
from isotp.errors import DomainConflict
from isotp.forms import add_refusal


def _results_url(membership_id: object) -> str:
    return reverse("assessments:results", args=[membership_id])


@login_required
def results(request: HttpRequest, public_id: str) -> HttpResponse:
    """Readers (TMs and administrators of the area, the member's facilitators, the person's OM): the results."""
    membership = selectors.membership_for_user(request.user, public_id)
    data = selectors.membership_results(user=request.user, membership=membership)  # type: ignore[arg-type]
    recordable = services.recordable_kinds(actor=request.user, membership=membership)  # type: ignore[arg-type]
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
            "can_enter_pre": Kind.PRE in recordable,
            "can_enter_post": Kind.POST in recordable,
            "can_override": data["pre"] is not None
            and permissions.can_override_deviance(request.user, membership),
            "is_offender_manager": permissions.is_offender_manager(request.user),
        },
    )


@login_required
def record(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    """The member's facilitators and TMs of the area: enter the pre- or post-programme scores. The service says
    whether the administration may be recorded now (the post one only once the sessions are complete)."""
    membership = selectors.membership_for_user(request.user, public_id)
    if kind not in Kind.values:
        raise Http404("No such administration")
    actor = request.user
    try:
        version = services.start_administration(actor=actor, membership=membership, kind=kind)  # type: ignore[arg-type]
    except DomainConflict as refused:
        messages.error(request, refused.detail)
        return redirect(_results_url(membership.public_id))
    battery = parse_battery(version.definition)
    owner = membership.group or membership.plan
    form = AdministrationForm(
        request.POST if request.method == "POST" else None,
        battery=battery,
        administrators=selectors.administrators_for_area(owner.area_id),  # type: ignore[union-attr]
        initial={"administered_by": str(actor.public_id)},  # type: ignore[union-attr]
    )
    if request.method == "POST":
        try:
            if form.is_valid():
                services.record_administration(
                    actor=actor,  # type: ignore[arg-type]
                    membership=membership,
                    kind=kind,
                    **form.service_answers(),
                )
                messages.success(request, f"{Kind(kind).label} scores recorded")
                return redirect(_results_url(membership.public_id))
            # Some fields could not be read: judge the rest now, so every error shows in one round.
            services.check_administration(
                actor=actor,  # type: ignore[arg-type]
                membership=membership,
                kind=kind,
                **form.service_answers(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainConflict as exc:
            add_refusal(form, exc)
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
    membership = selectors.membership_for_user(request.user, public_id)
    try:
        pre = services.deviance_override_target(actor=request.user, membership=membership)  # type: ignore[arg-type]
    except DomainConflict as refused:
        messages.error(request, refused.detail)
        return redirect(_results_url(membership.public_id))
    form = DevianceOverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.override_deviance(actor=request.user, administration=pre, **form.cleaned_data)  # type: ignore[arg-type]
        except (ValidationError, DomainConflict) as exc:
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

BATTERY_PAGE_SIZE = 25


@login_required
def battery_list(request: HttpRequest) -> HttpResponse:
    """Managers and facilitators: the area's batteries, 25 a page; administrators import and edit."""
    page = Paginator(selectors.battery_list_for_user(request.user), BATTERY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessments/battery_list.html",
        {
            "page": page,
            "can_edit": permissions.can_edit_battery(request.user),
        },
    )


@login_required
def battery_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Managers and facilitators: a battery version's scales, norms and rules (the newest, or `?version=`)."""
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
    initial = {}
    definition = selectors.battery_draft_for_user(request.user, request.GET.get("from", ""))
    if definition is not None:
        initial["definition"] = json.dumps(definition, indent=2, ensure_ascii=False)
    form = BatteryImportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.save_battery_version(
                actor=request.user,  # type: ignore[arg-type]
                definition=form.cleaned_data["definition"],
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationError as exc:
            add_refusal(form, exc, {"__all__": "definition"})
        else:
            messages.success(request, f"Version {version.version} of {version.battery.name} saved")
            return redirect(reverse("assessments:battery_detail", args=[version.battery.code]))
    return render(
        request,
        "assessments/battery_import.html",
        {"form": form, "back": reverse("assessments:battery_list")},
    )
