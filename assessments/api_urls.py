"""Psychometrics API routes (under /api/v1/); every name starts with `api-`."""

from django.urls import path

from assessments import api

urlpatterns = [
    path("psychometrics/change/", api.PsychometricChangeApi.as_view(), name="api-psychometric-change"),
    path("batteries/", api.BatteryListApi.as_view(), name="api-battery-list"),
    path("batteries/<slug:code>/", api.BatteryDetailApi.as_view(), name="api-battery-detail"),
    path(
        "batteries/<slug:code>/versions/<int:version>/",
        api.BatteryVersionApi.as_view(),
        name="api-battery-version",
    ),
    path(
        "memberships/<uuid:public_id>/psychometrics/",
        api.MembershipPsychometricsApi.as_view(),
        name="api-membership-psychometrics",
    ),
    path(
        "psychometric-administrations/",
        api.AdministrationListApi.as_view(),
        name="api-psychometric-administration-list",
    ),
    path(
        "psychometric-administrations/<uuid:public_id>/",
        api.AdministrationDetailApi.as_view(),
        name="api-psychometric-administration-detail",
    ),
    path(
        "psychometric-administrations/<uuid:public_id>/deviance-override/",
        api.DevianceOverrideApi.as_view(),
        name="api-psychometric-deviance-override",
    ),
]
