"""The subject access export page: area administrators download everything held about one person."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from dataprotection.selectors import person_for_export
from dataprotection.services import export_subject_access


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
