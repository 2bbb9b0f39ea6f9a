"""isotp/bounds.py (issue 12): the date and text bounds every model, form, serializer and service keeps."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from isotp import bounds
from isotp.fields import BoundedDateField, BoundedTextField
from isotp.forms import GovukDateField
from tests.project_apps import PROJECT_APP_LABELS

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (date(1, 1, 1), "on or after 1 January 1900"),
        (date(1899, 12, 31), "on or after 1 January 1900"),
        (date(1900, 1, 1), None),
        (date(2100, 12, 31), None),
        (date(2101, 1, 1), "on or before 31 December 2100"),
        (date(9999, 12, 31), "on or before 31 December 2100"),
    ],
)
def test_date_out_of_range(day, problem):
    found = bounds.date_out_of_range(day)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("born", "problem"),
    [
        (date(1, 1, 1), "on or after 1 January 1900"),
        (date(1899, 12, 31), "on or after 1 January 1900"),
        (date(1900, 1, 1), None),
        (date(1980, 5, 17), None),
        (date(2016, 11, 30), None),  # ten today
        (date(2016, 12, 1), "at least 10 years ago"),  # ten tomorrow
        (TODAY, "in the past"),
        (date(2027, 1, 1), "in the past"),
        (date(9999, 12, 31), "in the past"),
    ],
)
def test_date_of_birth_problem(born, problem):
    found = bounds.date_of_birth_problem(born, TODAY)
    assert (found is None) if problem is None else (problem in found), found


def test_a_leap_day_tenth_birthday_falls_on_28_february():
    assert bounds.date_of_birth_problem(date(2014, 2, 28), date(2024, 2, 29)) is None
    # A 29 February birthday is reached on 1 March in a non-leap year (isotp.dates.age_on).
    assert "at least 10 years ago" in bounds.date_of_birth_problem(date(2016, 2, 29), date(2026, 2, 28))
    assert bounds.date_of_birth_problem(date(2016, 2, 29), date(2026, 3, 1)) is None


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (date(1, 1, 1), "on or after 1 January 1900"),
        (date(2026, 11, 30), None),
        (date(2026, 12, 1), "must be today or in the past"),
        (date(9999, 12, 31), "must be today or in the past"),
    ],
)
def test_past_date_problem(day, problem):
    found = bounds.past_date_problem(day, TODAY)
    assert (found is None) if problem is None else (problem in found), found


@pytest.mark.parametrize(
    ("length", "refused"), [(0, False), (bounds.TEXT_MAX_LENGTH, False), (bounds.TEXT_MAX_LENGTH + 1, True)]
)
def test_text_too_long(length, refused):
    assert (bounds.text_too_long("x" * length) is not None) is refused


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        (["1", "1", "1"], "on or after 1 January 1900"),
        (["31", "12", "9999"], "on or before 31 December 2100"),
        (["5", "1", "2026"], None),
    ],
)
def test_the_form_date_field_keeps_the_same_range(parts, error):
    from django import forms

    field = GovukDateField(label_text="date")
    if error is None:
        assert field.clean(parts) == date(2026, 1, 5)
    else:
        with pytest.raises(forms.ValidationError, match=error):
            field.clean(parts)


def _bounded_fields() -> list[Any]:
    found = []
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if isinstance(field, BoundedDateField | BoundedTextField):
                found.append(pytest.param(model, field, id=f"{model._meta.label}.{field.name}"))
    return found


def test_every_model_date_and_text_field_is_bounded():
    """No plain DateField or TextField is left in the project's models (a new one must use isotp.fields)."""
    from django.db import models

    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if not model.__module__.startswith("django.") and model._meta.app_label in PROJECT_APP_LABELS
        for field in model._meta.local_fields
        if type(field) in (models.DateField, models.TextField)
    ]
    assert not plain, plain


@pytest.mark.django_db
def test_the_database_refuses_out_of_bounds_values():
    """Each bounded column has its CHECK constraint in the database (not only in validation)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'c' AND conname LIKE %s", ["%_bounds"]
        )
        names = {row[0] for row in cursor.fetchall()}
    expected = {
        c.name
        for _m, f in [p.values for p in _bounded_fields()]
        for c in _m._meta.constraints
        if c.name.endswith("_bounds")
    }
    assert expected and expected <= names


@pytest.mark.django_db
def test_a_year_1_date_of_birth_cannot_be_stored_even_past_the_services(area, om):
    from referrals.models import Person

    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            crn="X123456",
            first_name="A",
            last_name="B",
            date_of_birth=date(1, 1, 1),
            sex="male",
            area=area,
            offender_manager=om,
        )


@pytest.mark.django_db
def test_a_megabyte_of_text_cannot_be_stored_even_past_the_services(area):
    from accounts.models import Venue

    with pytest.raises(IntegrityError), transaction.atomic():
        Venue.objects.create(area=area, name="Room 1", address="x" * 1_000_000)


def test_every_api_string_in_a_request_has_a_maximum_length():
    """Request bodies of the committed schema: every free string says its maxLength (enums, dates, UUIDs and
    patterns bound themselves)."""
    schema = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
    unbounded = []
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for prop_name, prop in component.get("properties", {}).items():
            items = prop.get("items", {}) if prop.get("type") == "array" else prop
            if items.get("type") == "string" and not (
                {"maxLength", "enum", "format", "pattern"} & set(items)
            ):
                unbounded.append(f"{name}.{prop_name}")
    assert not unbounded, unbounded
