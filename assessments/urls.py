"""The psychometric pages (namespace `assessments`). Records about people are addressed by the membership's UUID."""

from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("psychometrics/members/<uuid:public_id>/", views.results, name="results"),
    path(
        "psychometrics/members/<uuid:public_id>/deviance/", views.deviance_override, name="deviance_override"
    ),
    path("psychometrics/members/<uuid:public_id>/<slug:kind>/", views.record, name="record"),
    path("psychometrics/batteries/", views.battery_list, name="battery_list"),
    path("psychometrics/batteries/import/", views.battery_import, name="battery_import"),
    path("psychometrics/batteries/<slug:code>/", views.battery_detail, name="battery_detail"),
    path(
        "psychometrics/batteries/<slug:code>/v<int:version>.json", views.battery_export, name="battery_export"
    ),
]
