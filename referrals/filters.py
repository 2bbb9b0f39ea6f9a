"""django-filter filtersets for the referrals API. They narrow querysets that the selectors have already scoped to
the user's area and caseload, and share the selectors' search so the pages and the API find the same people."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from referrals import selectors
from referrals.models import STATUS_CHOICES, Format, Offence, Person, Programme, Referral
from referrals.rules import OFFENCE_CHOICES


class PersonFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", help_text="A CRN, or part of a first or last name.")
    offender_manager = filters.UUIDFilter(method="filter_offender_manager", help_text="The OM's id.")
    has_open_referral = filters.BooleanFilter(method="filter_open_referral")

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return selectors.filter_people(queryset, search=value)

    def filter_offender_manager(self, queryset: QuerySet[Person], name: str, value: Any) -> QuerySet[Person]:
        return selectors.filter_people(queryset, offender_manager=value)

    def filter_open_referral(
        self, queryset: QuerySet[Person], name: str, value: bool | None
    ) -> QuerySet[Person]:
        return selectors.filter_people(queryset, has_open_referral=value)


class ReferralFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=STATUS_CHOICES, help_text="Repeat to match any of several.")
    programme = filters.ChoiceFilter(choices=Programme.choices)
    format = filters.ChoiceFilter(choices=Format.choices)

    class Meta:
        model = Referral
        fields = ["status", "programme", "format"]


class OffenceFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=OFFENCE_CHOICES)
    active = filters.BooleanFilter()

    class Meta:
        model = Offence
        fields = ["category", "active"]
