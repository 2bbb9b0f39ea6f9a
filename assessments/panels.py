"""Panels other apps' pages show without importing this app by name (found through `isotp.hooks.app_hooks`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string

from assessments.selectors import group_needs_profile

if TYPE_CHECKING:
    from django.http import HttpRequest

    from sessions.models import ProgrammeGroup


def group_panels(request: HttpRequest, group: ProgrammeGroup) -> str:
    """The group page's treatment-needs profile (001: the exercises focus on each man's needs). The group came
    through the group page's scoped selector, so whoever sees the page may see the profile."""
    return render_to_string(
        "assessments/_group_needs.html", {"needs": group_needs_profile(group)}, request=request
    )
