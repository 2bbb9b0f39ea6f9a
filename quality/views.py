"""The QA, statistics and outcome pages. Thin: a selector scopes the read (another area's record is 404), a
service makes every write and permission check, refusals go to the GOV.UK error summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import User
from accounts.permissions import require
from audit.services import record_event
from isotp import clock
from isotp.csv_export import csv_response
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from quality import selectors, services
from quality.forms import (
    MonitoringFormForm,
    QaSettingsForm,
    ReoffenceChangeForm,
    ReoffenceDeleteForm,
    ReoffenceForm,
    StatisticsFilterForm,
    SupervisionForm,
)
from quality.rules.monitoring import AREAS_OF_PRACTICE, RATINGS
from quality.rules.programme import Period, default_period
from quality.tables import statistics_figures, table_csv
from referrals import selectors as referral_selectors
from referrals.models import Programme

RECORDINGS_PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- statistics -----------------------------------------------------------------------------------------------


def _filters(request: HttpRequest, data: Any = None) -> tuple[StatisticsFilterForm, str, Period, bool]:
    """The filters asked for (the query string, or `data`; defaults: every programme, the last year, the user's
    usual scope). The form is always bound: an unknown programme or scope, or a malformed date, makes it invalid
    (the page says so)."""
    user = _user(request)
    form = StatisticsFilterForm(request.GET if data is None else data)
    today = clock.today()
    default = default_period(today)
    programme, start, end = "", default.start, default.end
    national = permissions.default_statistics_national(user)
    if form.is_valid():
        programme = form.cleaned_data["programme"] or ""
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        if form.cleaned_data["scope"]:
            national = form.cleaned_data["scope"] == "national"
    if end < start:
        start, end = end, start
    return form, programme, Period(start, end), national


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """Managers: their area's programme statistics and outcomes; national with the grant. Every table has its
    chart and a CSV export; the audit pack is requested here."""
    return _statistics_page(request, *_filters(request))


def _statistics_page(
    request: HttpRequest,
    form: StatisticsFilterForm,
    programme: str,
    period: Period,
    national: bool,
    *,
    status: int = 200,
) -> HttpResponse:
    """The statistics page for these filters; invalid filters show the error summary linked to their fields."""
    user = _user(request)
    scope = selectors.statistics_scope(user, national=national)
    today = clock.today()
    valid = form.is_valid()
    tables: list[Any] = []
    outcome_tables: list[Any] = []
    as_at = ""
    if valid:
        figures = statistics_figures(scope, programme=programme, period=period, today=today)
        tables, outcome_tables, as_at = figures.statistics, figures.outcomes, figures.as_at
    return render(
        request,
        "quality/statistics.html",
        {
            "form": form,
            "errors": form.summary_errors(),
            "valid": valid,
            "scope": scope,
            "period": period,
            "programme_label": dict(Programme.choices).get(programme, "Every programme"),
            "tables": tables,
            "outcome_tables": outcome_tables,
            "as_at": as_at,
            "query": request.GET.urlencode(),
            "can_national": permissions.can_view_national_statistics(user),
            "can_area": permissions.can_view_area_statistics(user),
            "packs": selectors.audit_packs_for_user(user)[:5],
            "programme": programme,
            "national": national,
        },
        status=status,
    )


@login_required
def statistics_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One table of the statistics page as CSV (formula injection neutralised); same scope and filters."""
    user = _user(request)
    form, programme, period, national = _filters(request)
    scope = selectors.statistics_scope(user, national=national)
    if not form.is_valid():
        messages_text = " ".join(str(message) for _, message in form.summary_errors())
        return HttpResponse(messages_text, status=400, content_type="text/plain; charset=utf-8")
    today = clock.today()
    figures = statistics_figures(scope, programme=programme, period=period, today=today)
    tables = figures.outcomes if slug == "outcomes" else figures.statistics
    table = next((t for t in tables if t.slug == slug), None)
    if table is None:
        raise Http404
    return csv_response(
        table_csv(table, as_at=figures.as_at), f"statistics-{slug}-{period.start}-{period.end}.csv"
    )


@login_required
@require_POST
def audit_pack_request(request: HttpRequest) -> HttpResponse:
    """Queue the audit-pack PDF for the filters shown (rendered by Celery)."""
    user = _user(request)
    require(permissions.can_view_statistics(user))
    form, programme, period, national = _filters(request, request.POST)
    if not form.is_valid():
        # The statistics page with the filters posted, each error linked to its field (nothing requested).
        return _statistics_page(request, form, programme, period, national, status=400)
    today = clock.today()
    start = form.cleaned_data["start"] or today - dt.timedelta(days=365)
    end = form.cleaned_data["end"] or today
    national = (
        form.cleaned_data["scope"] == "national"
        if form.cleaned_data["scope"]
        else permissions.default_statistics_national(user)
    )
    programme = form.cleaned_data["programme"] or ""
    try:
        services.request_audit_pack(
            actor=user,
            national=national,
            programme=programme,
            period_start=min(start, end),
            period_end=max(start, end),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The audit pack is being produced. Refresh this page to download it.")
    # Back to the same filters the pack was produced with (not the defaults).
    kept = urlencode(
        {
            "programme": programme,
            "start": min(start, end).isoformat(),
            "end": max(start, end).isoformat(),
            "scope": "national" if national else "",
        }
    )
    return redirect(f"{reverse('quality:statistics')}?{kept}#audit-pack")


@login_required
def audit_pack_download(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    """A ready audit pack: an area's for its managers, a national one for its requester; every download audited."""
    user = _user(request)
    require(permissions.can_view_statistics(user))
    pack = selectors.audit_pack_for_user(user, public_id)
    record_event(
        actor=user,
        action="statistics.audit_pack_downloaded",
        obj=pack,
        area_id=user.area_id,
        changes={"sha256": pack.sha256},
    )
    return FileResponse(
        pack.file.open("rb"), as_attachment=True, filename="audit-pack.pdf", content_type="application/pdf"
    )


# --- quality assurance ----------------------------------------------------------------------------------------


@login_required
def recordings(request: HttpRequest) -> HttpResponse:
    """TMs: recordings to sample, and each facilitator's monitored share against the target. Facilitators:
    their delivered sessions of the last 8 weeks to mark as recorded."""
    user = _user(request)
    require(permissions.can_use_recordings_page(user))
    today = clock.today()
    context: dict[str, Any] = {"today": today}
    if permissions.can_monitor_sessions(user):
        # A page at a time (every recording reachable, none built beyond the page shown: issue 11).
        page = Paginator(selectors.recordings_for_user(user), RECORDINGS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context["page"] = page
        context["recordings"] = selectors.with_facilitators(page.object_list)
        context["shares"] = selectors.monitoring_shares(
            user, since=today - dt.timedelta(days=365), today=today
        )
    else:
        context["sessions"] = list(selectors.recordable_sessions(user, today)[:50])
    return render(request, "quality/recordings.html", context)


@login_required
@require_POST
def mark_recorded(request: HttpRequest, public_id: Any) -> HttpResponse:
    user = _user(request)
    session = selectors.session_for_recording(user, public_id)
    try:
        services.mark_recorded(actor=user, session=session)
    except DomainConflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Session marked as recorded.")
    return redirect("quality:recordings")


@login_required
def monitoring_form(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The TM's monitoring form for one recording."""
    user = _user(request)
    require(permissions.can_monitor_sessions(user))
    recording = selectors.recording_for_user(user, public_id)
    facilitators = list(recording.session.facilitators.all())
    form = MonitoringFormForm(request.POST if request.method == "POST" else None, facilitators=facilitators)
    if request.method == "POST" and form.is_valid():
        chosen = next(f for f in facilitators if str(f.public_id) == form.cleaned_data["facilitator"])
        try:
            services.record_monitoring(
                actor=user,
                recording=recording,
                facilitator=chosen,
                viewed_on=form.cleaned_data["viewed_on"],
                ratings={code: form.cleaned_data[code] for code in AREAS_OF_PRACTICE},
                comments=form.cleaned_data["comments"],
            )
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, f"Monitoring form saved for {chosen.full_name}.")
            return redirect("quality:recordings")
    return render(
        request, "quality/monitoring_form.html", {"form": form, "recording": recording, "ratings": RATINGS}
    )


@login_required
def facilitator_record(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A facilitator's training, supervision, delivery and monitoring on one page."""
    user = _user(request)
    facilitator = selectors.facilitator_for_user(user, public_id)
    record = selectors.facilitator_record(user, facilitator, today=clock.today())
    return render(
        request,
        "quality/facilitator_record.html",
        {
            "record": record,
            "areas": AREAS_OF_PRACTICE,
            "ratings": RATINGS,
            "can_supervise": permissions.can_record_supervision(user, facilitator),
        },
    )


@login_required
def supervision_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    user = _user(request)
    require(permissions.can_record_supervision(user))
    facilitator = selectors.facilitator_for_user(user, public_id)
    form = SupervisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_supervision(actor=user, facilitator=facilitator, **form.cleaned_data)
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Supervision session recorded.")
            return redirect("quality:facilitator_record", public_id=facilitator.public_id)
    return render(request, "quality/supervision_form.html", {"form": form, "facilitator": facilitator})


@login_required
def qa_settings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(permissions.can_configure_qa(user))
    current = selectors.targets_for_area(user.area_id)
    initial = {
        "monitoring_target": round(current.monitoring_target * 100),
        "report_days": current.report_days,
    }
    form = QaSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_qa_settings(
                actor=user,
                monitoring_target=Decimal(form.cleaned_data["monitoring_target"]) / 100,
                report_days=form.cleaned_data["report_days"],
            )
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Targets saved.")
            return redirect("quality:recordings" if permissions.can_monitor_sessions(user) else "home")
    return render(request, "quality/settings.html", {"form": form})


# --- outcomes -------------------------------------------------------------------------------------------------


@login_required
def reoffence_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The OM records a proven reoffence for someone on their caseload."""
    user = _user(request)
    require(
        permissions.can_view_people(user)
    )  # deny by default: who reads no one's record is refused, not 404
    if request.method == "GET":  # shows his record: logged, after the selector's permission check
        person = referral_selectors.person_record_for(user, public_id, may=permissions.can_record_reoffence)
    else:
        person = referral_selectors.person_for_user(user, public_id)
        require(permissions.can_record_reoffence(user, person))
    form = ReoffenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_reoffence(actor=user, person=person, **form.cleaned_data)
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Proven reoffence recorded.")
            return redirect("referrals:person_detail", public_id=person.public_id)
    return render(
        request,
        "quality/reoffence_form.html",
        {"form": form, "person": person, "reoffences": selectors.reoffences_for_person(user, person)},
    )


@login_required
def reoffence_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The OM corrects a recorded reoffence, with a reason (audited)."""
    user = _user(request)
    row = selectors.reoffence_for_user(user, public_id)
    require(permissions.can_record_reoffence(user, row.person))
    form = ReoffenceChangeForm(
        request.POST if request.method == "POST" else None,
        initial={
            "offence_on": row.offence_on,
            "proven_on": row.proven_on,
            "offence_type": row.offence_type,
            "sexual": row.sexual,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_reoffence(actor=user, reoffence=row, **form.cleaned_data)
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Proven reoffence changed.")
            return redirect("referrals:person_detail", public_id=row.person.public_id)
    return render(
        request, "quality/reoffence_edit.html", {"form": form, "person": row.person, "reoffence": row}
    )


@login_required
def reoffence_delete(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The OM removes a reoffence recorded in error, with a reason (audited)."""
    user = _user(request)
    row = selectors.reoffence_for_user(user, public_id)
    require(permissions.can_record_reoffence(user, row.person))
    form = ReoffenceDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_reoffence(actor=user, reoffence=row, reason=form.cleaned_data["reason"])
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(request, "Proven reoffence removed.")
            return redirect("referrals:person_detail", public_id=row.person.public_id)
    return render(
        request, "quality/reoffence_delete.html", {"form": form, "person": row.person, "reoffence": row}
    )
