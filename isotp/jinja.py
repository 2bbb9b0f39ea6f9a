"""The Jinja2 environment for the rows of the longest lists (issue 11).

A list page stays a Django template; only the `<tbody>` rows of its longest tables are a Jinja2 template
(`templates/**/_*.jinja`), rendered by `{% jinja_rows %}` (isotp/templatetags/govuk.py). The load test found each
Django-rendered row costing 0.4-0.8 ms, so a 50-row page cost far more than a 1-row one; Jinja2 compiles a template
to Python and renders the same row in a fraction of that.

So that a filter means the same thing in both engines, the environment offers every filter of the Django engine (its
built-ins and the project's tag libraries, by the same names, replacing Jinja2's own where the names clash:
`default`, `date`, `length`...), as Django applies them: a filter that expects local time (`date`, `time`) gets the
value in the current time zone (Europe/London), one that needs autoescaping is told it is on, and one that keeps
safe strings safe does so. The simple tags of `SIMPLE_TAGS` are globals of the same names, and `url(name, *args)`
stands for `{% url %}`. A missing attribute renders as nothing, as in Django
(`row.person.offender_manager.full_name` with no offender manager). Autoescaping is on, as in Django: Django's safe
strings carry `__html__`, which Jinja2 honours (an apostrophe comes out as `&#39;`, where Django writes `&#x27;`:
the same character). Values are not localised as Django's `{{ value }}` would be: a row's dates always go through
`govuk_date` or `date`.
"""

from __future__ import annotations

import functools
from importlib import import_module
from typing import Any

from django.conf import settings
from django.template import engines
from django.template.backends.django import get_installed_libraries
from django.urls import reverse
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from jinja2 import ChainableUndefined, Environment


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _as_django_applies(function: Any) -> Any:
    """A Django filter as Django's template engine calls it (django.template.base.FilterExpression.resolve): the
    value in local time for `expects_localtime`, `autoescape=True` for `needs_autoescape`, and a safe value's
    result kept safe for `is_safe`. Without this a datetime's `date` would be its UTC date (review of issue 11)."""
    localtime = getattr(function, "expects_localtime", False)
    autoescape = getattr(function, "needs_autoescape", False)
    is_safe = getattr(function, "is_safe", False)
    if not (localtime or autoescape or is_safe):
        return function

    @functools.wraps(function)
    def applied(value: Any, *args: Any) -> Any:
        if localtime:
            value = template_localtime(value, settings.USE_TZ)
        result = function(value, *args, autoescape=True) if autoescape else function(value, *args)
        if is_safe and isinstance(value, SafeData) and isinstance(result, str):
            return mark_safe(result)  # noqa: S308 (Django's rule: a safe value stays safe through an is_safe filter)
        return result

    return applied


def _django_filters() -> dict[str, Any]:
    engine = engines["django"].engine  # type: ignore[attr-defined]
    filters: dict[str, Any] = {}
    for library in [*engine.template_builtins, *engine.template_libraries.values()]:
        filters.update({name: _as_django_applies(function) for name, function in library.filters.items()})
    return filters


# The simple tags the row templates call, by tag library: each a global of its Django name, called as a function
# (`{% programme_name r.programme r.format %}` is `{{ programme_name(r.programme, r.format) }}`). Named here
# rather than found: Django keeps no mark of which registered tags are simple, and a tag that takes the context,
# an inclusion tag or a block tag has no meaning outside Django's engine.
SIMPLE_TAGS = {"govuk": ("status_tag", "report_tag"), "referral_pages": ("programme_name",)}


def _django_simple_tags() -> dict[str, Any]:
    libraries = get_installed_libraries()
    return {
        name: getattr(import_module(libraries[library]), name)
        for library, names in SIMPLE_TAGS.items()
        for name in names
    }


def environment(**options: Any) -> Environment:
    """Django's Jinja2 backend calls this (settings.TEMPLATES, OPTIONS["environment"])."""
    options["autoescape"] = True
    # Django's backend picks DebugUndefined when DEBUG is on, which writes "{{ no such element: ... }}" into the
    # page for a missing attribute (the waiting list on a server run with DJANGO_DEBUG=true, for a person with no
    # offender manager). A missing attribute, or variable, renders as nothing in every mode, as in Django.
    options["undefined"] = ChainableUndefined
    env = Environment(**options)  # noqa: S701 (autoescape is set just above)
    env.filters.update(_django_filters())
    env.globals.update(_django_simple_tags())
    env.globals["url"] = url
    return env
