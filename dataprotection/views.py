"""Data protection pages for area administrators: the subject access export, and the people past the retention
period with the confirmation that erases their personal data."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User
from dataprotection.selectors import person_for_export, retention_candidate_for, retention_candidates_for
from dataprotection.services import export_subject_access
from dataprotection.services.retention import erase_personal_data
from isotp.dates import long_date
from isotp.errors import DomainConflict


@login_required
@require_http_methods(["GET", "POST"])
def subject_access(request: HttpRequest, public_id: str) -> HttpResponse:
    """Area administrators: explain the export (GET), then download the ZIP (POST); the download is audited."""
    user = cast(User, request.user)
    person = person_for_export(user, public_id)
    if request.method == "POST":
        body = export_subject_access(actor=user, person=person)
        response = HttpResponse(body, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="subject-access-{person.crn}.zip"'
        return response
    return render(request, "dataprotection/subject_access.html", {"person": person})


@login_required
def retention_list(request: HttpRequest) -> HttpResponse:
    """Area administrators: the people the nightly job found past the retention period, each with a way to confirm
    the erasure of their personal data."""
    user = cast(User, request.user)
    page = Paginator(retention_candidates_for(user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dataprotection/retention_list.html",
        {"page": page, "years": settings.RETENTION_YEARS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def retention_erase(request: HttpRequest, public_id: str) -> HttpResponse:
    """Area administrators: confirm (GET), then erase one listed person's personal data (POST); audited."""
    user = cast(User, request.user)
    candidate = retention_candidate_for(user, public_id)
    person = candidate.person
    back = reverse("dataprotection:retention_list")
    if request.method == "POST":
        try:
            erase_personal_data(actor=user, person=person)
        except DomainConflict as exc:
            messages.error(request, f"{person.crn} was not erased: {exc.detail}")
            return redirect(back)
        messages.success(request, "The personal data has been erased; the anonymised statistics are kept")
        return redirect(back)
    return render(
        request,
        "accounts/confirm.html",
        {
            "heading": f"Erase the personal data of {person.full_name} ({person.crn})?",
            "lines": [
                f"Their supervision ended on {long_date(candidate.supervision_ended_on)}, more than "
                f"{settings.RETENTION_YEARS} years ago, and they have no open referral.",
                "Their name, date of birth (the year is kept), CRN, every note and rationale, the report writing "
                "and the issued report PDFs are deleted. This cannot be undone: export a subject access copy "
                "first if one is needed.",
                "The referrals, attendance and scores stay without anything that identifies them, so the "
                "programme statistics do not change. The erasure is recorded in the audit trail.",
            ],
            "button": "Erase personal data",
            "back": back,
            "warning": True,
        },
    )
