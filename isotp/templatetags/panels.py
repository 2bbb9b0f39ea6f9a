"""`{% panels "name" obj %}`: HTML panels other apps add to a page (`<app>.panels.<name>(request, obj)`), so that
a page of one app shows another's information without importing it (sessions adds enforcement to the referrals
app's person page and caseload)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from isotp.hooks import app_hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: Any, name: str, obj: Any = None) -> SafeString:
    request = context.get("request")
    parts = [hook(request, obj) for hook in app_hooks("panels", name)]
    return mark_safe("".join(str(p) for p in parts if p))  # noqa: S308 - each hook renders an escaped template
