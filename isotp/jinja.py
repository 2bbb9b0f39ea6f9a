"""The Jinja2 environment for the rows of the longest lists (issue 11).

A list page stays a Django template; only the `<tbody>` rows of its longest tables are a Jinja2 template
(`templates/**/_*.jinja`), rendered by `{% jinja_rows %}` (isotp/templatetags/govuk.py). The load test found each
Django-rendered row costing 0.4-0.8 ms, so a 50-row page cost far more than a 1-row one; Jinja2 compiles a template
to Python and renders the same row in a fraction of that.

So that a filter means the same thing in both engines, the environment offers every filter of the Django engine
(its built-ins and the project's tag libraries, by the same names, replacing Jinja2's own where the names clash:
`default`, `date`, `length`...), and `url(name, *args)` for `{% url %}`. A missing attribute renders as nothing,
as in Django (`row.person.offender_manager.full_name` with no offender manager). Autoescaping is on, as in Django: Django's
safe strings carry `__html__`, which Jinja2 honours (an apostrophe comes out as `&#39;`, where Django writes
`&#x27;`: the same character). Values are not localised as Django's `{{ value }}` would be:
a row's dates always go through `govuk_date` or `date`.
"""

from __future__ import annotations

from typing import Any

from django.template import engines
from django.urls import reverse
from jinja2 import Environment


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _django_filters() -> dict[str, Any]:
    engine = engines["django"].engine  # type: ignore[attr-defined]
    filters: dict[str, Any] = {}
    for library in [*engine.template_builtins, *engine.template_libraries.values()]:
        filters.update(library.filters)
    return filters


def environment(**options: Any) -> Environment:
    """Django's Jinja2 backend calls this (settings.TEMPLATES, OPTIONS["environment"])."""
    options["autoescape"] = True
    env = Environment(**options)  # noqa: S701 (autoescape is set just above)
    env.filters.update(_django_filters())
    env.globals["url"] = url
    return env
