"""The report pages (namespace `reports`). Reports and memberships are addressed by UUID."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/start/<uuid:membership_id>/", views.report_open, name="report_open"),
    path("reports/<uuid:public_id>/", views.report_detail, name="report_detail"),
    path("reports/<uuid:public_id>/status/", views.report_status, name="report_status"),
    path("reports/<uuid:public_id>/draft/", views.report_edit, name="report_edit"),
    path("reports/<uuid:public_id>/preview.pdf", views.report_preview, name="report_preview"),
    path("reports/<uuid:public_id>/approve/", views.report_approve, name="report_approve"),
    path("reports/<uuid:public_id>/return/", views.report_return, name="report_return"),
    path("reports/<uuid:public_id>/amend/", views.report_amend, name="report_amend"),
    path("reports/<uuid:public_id>/retry/", views.report_retry, name="report_retry"),
    path("reports/<uuid:public_id>/completion/", views.report_complete, name="report_complete"),
    path(
        "reports/<uuid:public_id>/versions/<int:number>/download/",
        views.version_download,
        name="version_download",
    ),
]
