"""Statistics API routes under /api/v1/ (issue 14)."""

from django.urls import path

from quality import api

urlpatterns = [
    path("statistics/", api.StatisticsApi.as_view(), name="api-statistics"),
]
