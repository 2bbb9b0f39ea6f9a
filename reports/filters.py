"""django-filter filterset for the reports API list."""

from __future__ import annotations

from django_filters import rest_framework as filters

from reports.models import PostProgrammeReport


class ReportFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=PostProgrammeReport.Status.choices)

    class Meta:
        model = PostProgrammeReport
        fields = ["status"]
