"""Checks shared by the referral services: model validation, dates, programmes, one open referral each."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from isotp.clock import today
from referrals.models import Format, Programme, Referral
from referrals.rules import OPEN_STATUSES

if TYPE_CHECKING:
    from referrals.models import Person


def full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    """Model validation (field validators and DB constraints) as field errors before any write."""
    instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)


def not_future(field: str, value: dt.date | None, what: str) -> None:
    if value is not None and value > today():
        raise ValidationError({field: [f"{what} must be today or in the past"]})


def not_before_birth(field: str, value: dt.date | None, born: dt.date | None, what: str) -> None:
    """An event in a person's life (a sentence, an offence, a conviction) is not dated before they were born."""
    if value is not None and born is not None and value < born:
        raise ValidationError({field: [f"{what} must be after the date of birth"]})


LIHI_PROGRAMMES = frozenset({Programme.LI, Programme.HI})


def validate_programme(programme: str, fmt: str, field: str = "format", *, area: Any = None) -> None:
    """A known programme and format; with `area`, LI and HI only where the area has switched them on (§2.5)."""
    if programme not in Programme.values:
        raise ValidationError({"programme": ["Choose a programme"]})
    if area is not None and programme in LIHI_PROGRAMMES and not area.lihi_enabled:
        raise ValidationError(
            {"programme": ["The Low and High Intensity programmes are not used in this probation area"]}
        )
    if fmt not in Format.values:
        raise ValidationError({"format": ["Choose group or one-to-one"]})
    if fmt == Format.ONE_TO_ONE and programme != Programme.ISOTP:
        raise ValidationError({field: ["Only i-SOTP has a one-to-one format"]})


def has_open_referral(person: Person, programme: str, exclude: Referral | None = None) -> bool:
    qs = Referral.objects.filter(person=person, programme=programme, status__in=sorted(OPEN_STATUSES))
    return qs.exclude(pk=exclude.pk).exists() if exclude is not None else qs.exists()


def open_referral_conflict() -> ValidationError:
    return ValidationError({"programme": ["This person already has an open referral to this programme"]})
