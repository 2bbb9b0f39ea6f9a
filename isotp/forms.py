"""GOV.UK form building blocks: a day/month/year date field, a mixin that labels errors for the summary, and the
one helper that puts a service's refusal on a form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from isotp import bounds
from isotp.errors import DomainConflict


class GovukDateWidget(forms.MultiWidget):
    """Three inputs (day, month, year) as the GOV.UK date input pattern asks."""

    template_name = "govuk/widgets/date.html"

    def __init__(self, attrs: dict[str, Any] | None = None):
        widgets = [
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-4",
                }
            ),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, with error messages in the GOV.UK style."""

    widget = GovukDateWidget

    def __init__(self, *, label_text: str = "date", **kwargs: Any):
        self.label_text = label_text
        fields = (forms.IntegerField(), forms.IntegerField(), forms.IntegerField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)

    def clean(self, value: Any) -> dt.date | None:
        parts = [str(v).strip() if v is not None else "" for v in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise forms.ValidationError(f"Enter the {self.label_text}", code="required")
            return None
        names = ("day", "month", "year")
        missing = [n for n, p in zip(names, parts, strict=True) if not p]
        if missing:
            raise forms.ValidationError(f"The {self.label_text} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(p) for p in parts)
            value = dt.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"The {self.label_text} must be a real date") from None
        problem = bounds.date_out_of_range(value)  # the same 1900-2100 range as the models and the API
        if problem:
            raise forms.ValidationError(problem, code="date_out_of_range")
        return value

    def compress(self, data_list: list[Any]) -> None:  # clean() does the work
        return None


class GovukFormMixin:
    """Gives every form the error-summary helpers the templates use, and a length limit on all free text.

    Numbers are typed in text inputs with a numeric keyboard: GOV.UK advises against `type=number` (it changes
    value on scroll, accepts "e", and screen readers announce it badly), so no form here renders one.
    """

    def __getitem__(self, name: str) -> Any:
        """The bound field, its number input (also one a form adds after __init__) turned into a text input."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        field = form.fields.get(name)
        if field is not None and isinstance(field.widget, forms.NumberInput):
            attrs = {k: v for k, v in field.widget.attrs.items() if k not in ("min", "max", "step")}
            attrs["inputmode"] = "numeric" if isinstance(field, forms.IntegerField) else "decimal"
            attrs.setdefault("spellcheck", "false")
            field.widget = forms.TextInput(attrs=attrs)
            form._bound_fields_cache.pop(name, None)  # type: ignore[attr-defined]
        return super().__getitem__(name)  # type: ignore[misc]

    def full_clean(self) -> None:
        """Django's validation, then: no text field holds more than MAX_TEXT_LENGTH characters, whether or not it
        declares a max_length (a 1 MB rationale must not reach the database or the person's page)."""
        from django.conf import settings

        super().full_clean()  # type: ignore[misc]
        form: forms.BaseForm = self  # type: ignore[assignment]
        cleaned = getattr(form, "cleaned_data", None)
        if cleaned is None:
            return
        limit = min(settings.MAX_TEXT_LENGTH, bounds.TEXT_MAX_LENGTH)
        for name, field in form.fields.items():
            value = cleaned.get(name)
            if isinstance(field, forms.CharField) and isinstance(value, str) and len(value) > limit:
                form.add_error(name, f"Enter no more than {limit:,} characters")
            elif isinstance(field, forms.CharField) and isinstance(value, str):
                problem = bounds.text_character_problem(
                    value, multiline=isinstance(field.widget, forms.Textarea)
                )
                if problem:
                    form.add_error(name, problem)

    def summary_errors(self) -> list[tuple[str, Any]]:
        """(anchor id, message) pairs for the GOV.UK error summary, in field order."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        out = [("", e) for e in form.non_field_errors()]
        for name, field in form.fields.items():
            for error in form.errors.get(name, []):
                anchor = form[name].auto_id
                if isinstance(field, GovukDateField) or isinstance(
                    field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
                ):
                    anchor = f"{anchor}_0"
                out.append((anchor, error))
        return out


def add_refusal(
    form: forms.Form, exc: DomainConflict | ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """The one helper that shows a service's refusal on a form, on the field it is about when there is one, so the
    error summary links to it and the field is marked, as a form's own errors are (issue 13).

    ``fields`` maps what the service names to the form's fields: a ValidationError's keys (the service's argument
    names), a DomainConflict's ``code`` (e.g. ``{"NON_WORKING_DAY": "new_date"}``) or the ``field`` it carries in
    its extras, with ``"*"`` for any other refusal of that call. A key the form has a field of the same name for
    needs no entry. Anything else (a refusal about the record as a whole) goes at the top of the error summary."""
    fields = fields or {}

    def target(key: str) -> str | None:
        name = fields.get(key, key)
        return name if name in form.fields else None

    if isinstance(exc, DomainConflict):
        name = target(exc.code) or target(str(exc.extra.get("field") or "")) or target("*")
        form.add_error(name, exc.detail)
        return
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            name = target(key)  # NON_FIELD_ERRORS only when mapped (a whole-document check about one field)
            for error in errors:
                form.add_error(name, " ".join(error.messages))
    else:
        for message in exc.messages:
            form.add_error(None, message)
