"""Template tags that render Django form fields with GOV.UK Frontend markup.

Written by hand rather than with a form-layout library: a handful of small templates give us exact control of
the GOV.UK error summary links, the date input and the hints, and every helper can read them in a minute.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.template import engines
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from isotp.dates import long_date
from isotp.forms import GovukDateField

register = template.Library()


def _kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(field.field, GovukDateField):
        return "date"
    # CheckboxSelectMultiple subclasses RadioSelect in Django, so it must be tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.inclusion_tag("govuk/field.html")
def govuk_field(
    field: BoundField, heading: bool = False, width: str = "", inline: bool = False
) -> dict[str, Any]:
    """Render one field: label or legend, hint, error message and the control itself."""
    kind = _kind(field)
    classes = {
        "input": "govuk-input",
        "select": "govuk-select",
        "textarea": "govuk-textarea",
    }.get(kind, "")
    if field.errors and classes:
        classes += f" {classes}--error"
    if width and kind == "input":
        classes += f" govuk-input--width-{width}" if width.isdigit() else f" govuk-!-width-{width}"
    attrs: dict[str, Any] = {"class": classes} if classes else {}
    if kind == "date" and field.errors:
        attrs["data_error"] = "true"
    describedby = []
    if field.help_text:
        describedby.append(f"{field.auto_id}-hint")
    if field.errors:
        describedby.append(f"{field.auto_id}-error")
    if describedby and kind in {"input", "select", "textarea"}:
        attrs["aria-describedby"] = " ".join(describedby)
    return {
        "field": field,
        "kind": kind,
        "heading": heading,
        "inline": inline,
        "widget_html": field.as_widget(attrs=attrs)
        if kind in {"input", "select", "textarea", "date"}
        else "",
        "describedby": " ".join(describedby),
    }


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms_: forms.BaseForm) -> dict[str, Any]:
    """The GOV.UK error summary for one or more forms, each error linking to its field."""
    errors: list[tuple[str, Any]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        summary = getattr(form, "summary_errors", None)
        if summary:
            errors.extend(summary())
        else:
            errors.extend(
                (form[name].auto_id, e)
                for name, errs in form.errors.items()
                if name in form.fields
                for e in errs
            )
            errors.extend(("", e) for e in form.non_field_errors())
    return {"errors": errors}


@register.filter
def availability_of(field: BoundField, value: Any) -> Any:
    """A choice's availability for a proposed schedule (`field.field.availability`, set by the question that
    offers it), or None: the venue and facilitator questions mark each choice free or busy (issue 13)."""
    return (getattr(field.field, "availability", None) or {}).get(str(value))


@register.filter
def error_href(link: str) -> str:
    """An error summary link: a URL (another page's question) as it is, a field id as `#id` on this page."""
    return link if link.startswith(("/", "#", "http")) else f"#{link}"


@register.filter
def govuk_date(value: Any) -> str:
    """A date as the GOV.UK style writes it: 4 June 2027."""
    if not value:
        return ""
    if isinstance(value, datetime):  # a moment: the day it was where the service runs, not in UTC
        value = timezone.localdate(value)
    return long_date(value)


# The colour of each status tag in the lists and pages (GOV.UK tag colours). A simple tag rather than an included
# template per row: each `{% include %}` in a loop pushed a context and rendered a template of its own for every
# row (issue 11: a group page includes one for each member and each session delivered).
_DELIVERY_COLOURS = {  # groups, plans, memberships and sessions; anything else is grey
    "planned": "blue",
    "scheduled": "blue",
    "running": "green",
    "active": "green",
    "delivered": "green",
    "cancelled": "red",
    "cancelled_by_provider": "red",
    "removed": "red",
}
_REPORT_COLOURS = {  # Post-Programme Reports; a status not named has the default tag
    "draft": "grey",
    "awaiting_approval": "blue",
    "queued": "yellow",
    "rendering": "yellow",
    "issued": "green",
    "failed": "red",
}


def _tag(label: Any, colour: str | None) -> str:
    modifier = f" govuk-tag--{colour}" if colour else ""
    return format_html('<strong class="govuk-tag{}">{}</strong>', modifier, label)


@register.simple_tag
def status_tag(status: Any, label: Any) -> str:
    """A group's, plan's, member's or session's status as a GOV.UK tag."""
    return _tag(label, _DELIVERY_COLOURS.get(str(status), "grey"))


@register.simple_tag
def report_tag(status: Any, label: Any) -> str:
    """A report's status as a GOV.UK tag."""
    return _tag(label, _REPORT_COLOURS.get(str(status)))


@register.simple_tag
def jinja_rows(template_name: str, **context: Any) -> str:
    """The rows of a long list from a Jinja2 template (isotp/jinja.py, issue 11), given their context by name:
    `{% jinja_rows "referrals/_waiting_rows.jinja" rows=page ticked=ticked %}`. Jinja2 escapes as Django does."""
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))  # noqa: S308 (escaped by Jinja2)
