"""Panels quality adds to other apps' pages (`{% panels %}`): the proven reoffences on the person page, for the
person's offender manager, with change and remove links (review of issue 14)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from quality import selectors


def person_detail(request: HttpRequest, person: Any) -> str:
    reoffences = list(selectors.reoffences_for_person(request.user, person))
    if not reoffences:
        return ""
    return render_to_string("quality/_reoffences_panel.html", {"reoffences": reoffences}, request=request)
