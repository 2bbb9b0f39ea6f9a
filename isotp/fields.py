"""isotp/bounds.py as fields: the model fields put the bounds in the database (a CHECK constraint on the column), the
serializer fields refuse out-of-bounds input with a 400 on the field and show `maxLength` in the schema.

Forms: `isotp.forms.GovukDateField` keeps the same date range and `GovukFormMixin` the same text limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from rest_framework import serializers

from isotp import bounds


def validate_date_in_range(value: dt.date) -> None:
    """Django validator: a date between bounds.EARLIEST_DATE and bounds.LATEST_DATE."""
    problem = bounds.date_out_of_range(value)
    if problem:
        raise ValidationError(problem, code="date_out_of_range")


def validate_single_line_text(value: Any) -> None:
    """Django validator: no control or text-direction character (bounds.text_character_problem) in a name, a code."""
    problem = bounds.text_character_problem(value, multiline=False) if isinstance(value, str) else None
    if problem:
        raise ValidationError(problem, code="control_character")


def validate_multiline_text(value: Any) -> None:
    """Django validator: as validate_single_line_text, but tab and line breaks are allowed (free text)."""
    problem = bounds.text_character_problem(value, multiline=True) if isinstance(value, str) else None
    if problem:
        raise ValidationError(problem, code="control_character")


# The project's apps: their text fields refuse control characters (third-party apps' models are left alone).
PROJECT_APPS = frozenset(
    {
        "accounts",
        "assessments",
        "audit",
        "dataprotection",
        "notifications",
        "quality",
        "referrals",
        "reports",
        "programme_sessions",
        "sessions",
        "transfers",
    }
)


def _add_constraint(cls: type[models.Model], name: str, condition: models.Q) -> None:
    """Give the model a CHECK constraint for the field (so `makemigrations` writes it and the database keeps it).

    Not for abstract models (their concrete children get their own) nor for the historical models migrations build
    (their constraints come from the migration state)."""
    meta = cls._meta
    if meta.abstract or cls.__module__ == "__fake__":
        return
    model = meta.model_name or cls.__name__.lower()
    full = f"{model}_{name}_bounds"
    if len(full) > 60:
        full = f"{model[:30]}_{hashlib.sha256(full.encode()).hexdigest()[:12]}_bounds"
    if any(c.name == full for c in meta.constraints):
        return
    meta.constraints = [*meta.constraints, models.CheckConstraint(condition=condition, name=full)]
    # The migration state reads `constraints` only from a Meta that declared it.
    meta.original_attrs["constraints"] = meta.constraints


class BoundedDateField(models.DateField):
    """A DateField whose column refuses dates outside 1900-2100 (a CHECK constraint) and whose validation says so."""

    default_validators = [validate_date_in_range]

    def bounds_condition(self) -> models.Q:
        name = self.name
        condition = models.Q(**{f"{name}__gte": bounds.EARLIEST_DATE, f"{name}__lte": bounds.LATEST_DATE})
        if self.null:
            condition |= models.Q(**{f"{name}__isnull": True})
        return condition


class BoundedTextField(models.TextField):
    """A TextField with a maximum length (default bounds.TEXT_MAX_LENGTH), checked by validation, the form field
    (`maxlength`), the serializer (`maxLength`) and the database (a CHECK constraint on its length)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", bounds.TEXT_MAX_LENGTH)
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))
        self.validators.append(validate_multiline_text)

    def bounds_condition(self) -> models.Q:
        return models.Q(**{f"{self.name}__length__lte": self.max_length})


BoundedTextField.register_lookup(Length)


@receiver(class_prepared)
def _bounds_constraints(sender: type[models.Model], **kwargs: Any) -> None:
    """Every bounded field of a model gets its CHECK constraint once the model class is complete."""
    for field in sender._meta.local_fields:
        if isinstance(field, BoundedDateField | BoundedTextField):
            _add_constraint(sender, field.name, field.bounds_condition())
    if sender._meta.app_label in PROJECT_APPS and sender.__module__ != "__fake__":
        # Added to the validators after construction, so migrations do not see them (they are not schema).
        for field in sender._meta.local_fields:
            if isinstance(field, models.CharField | models.TextField) and not isinstance(
                field, BoundedTextField
            ):
                check = (
                    validate_single_line_text
                    if isinstance(field, models.CharField)
                    else validate_multiline_text
                )
                if check not in field.validators:
                    field.validators.append(check)


class DateField(serializers.DateField):
    """An API date between 1900 and 2100 (isotp.bounds): year 1 and 9999 are refused on their field."""

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        problem = bounds.date_out_of_range(day)
        if problem:
            raise serializers.ValidationError(problem)
        return day


class PastDateField(DateField):
    """The date something happened: within the bounds and not in the future."""

    def to_internal_value(self, value: Any) -> dt.date:
        from isotp.clock import today

        day = serializers.DateField.to_internal_value(self, value)  # the future is said before the range
        problem = bounds.past_date_problem(day, today())
        if problem:
            raise serializers.ValidationError(problem)
        return day


class DateOfBirthField(DateField):
    """A date of birth: on or after 1 January 1900 and at least MIN_AGE (10) years ago."""

    def to_internal_value(self, value: Any) -> dt.date:
        from isotp.clock import today

        day = serializers.DateField.to_internal_value(self, value)
        problem = bounds.date_of_birth_problem(day, today())
        if problem:
            raise serializers.ValidationError(problem)
        return day


# A string field this long or longer is free text (a rationale, notes), where tab and line breaks are allowed.
MULTILINE_FROM_LENGTH = 1000


class CharField(serializers.CharField):
    """An API string with a maximum length (bounds.TEXT_MAX_LENGTH unless the field names a smaller one), shown
    as `maxLength` in the schema, and no control or text-direction character (tab and line breaks are allowed in
    free text: `multiline`, by default a field of MULTILINE_FROM_LENGTH characters or more)."""

    def __init__(self, *, multiline: bool | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", bounds.TEXT_MAX_LENGTH)
        super().__init__(**kwargs)
        if multiline is None:
            multiline = (self.max_length or 0) >= MULTILINE_FROM_LENGTH
        self.validators.append(validate_multiline_text if multiline else validate_single_line_text)


# The key of a serializer field's `style` that isotp/schema.py adds to the field's schema.
SCHEMA_STYLE = "openapi"


def schema(**keywords: Any) -> dict[str, Any]:
    """A field's `style`: what its schema says beyond what drf-spectacular reads from the field, for a rule the
    service checks (an enum of catalogue codes, a list's size): `style=bounded.schema(minItems=1, maxItems=2)`.
    The service stays the gate; this only tells a client (and schemathesis) what it will accept."""
    return {SCHEMA_STYLE: keywords}
