"""django-filter filtersets for the delivery API lists."""

from __future__ import annotations

from django_filters import rest_framework as filters

from sessions.models import (
    GroupStatus,
    OneToOnePlan,
    PlanStatus,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)


class ProgrammeFilter(filters.FilterSet):
    programme = filters.CharFilter(help_text="Programme family, e.g. isotp, nsogp.")
    format = filters.CharFilter()

    class Meta:
        model = Programme
        fields = ["programme", "format"]


class GroupFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=GroupStatus.choices)
    programme = filters.CharFilter(
        field_name="programme__code", help_text="Catalogue code, e.g. isotp_group."
    )
    starts_after = filters.DateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = ProgrammeGroup
        fields = ["status", "programme", "starts_after", "starts_before"]


class PlanFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = OneToOnePlan
        fields = ["status"]


class SessionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=SessionStatus.choices)
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ScheduledSession
        fields = ["status", "date_after", "date_before"]
