"""QA, statistics and outcome pages (namespace `quality`). Records about people are addressed by UUID."""

from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/<slug:slug>.csv", views.statistics_csv, name="statistics_csv"),
    path("statistics/audit-packs/", views.audit_pack_request, name="audit_pack_request"),
    path(
        "statistics/audit-packs/<uuid:public_id>/download/",
        views.audit_pack_download,
        name="audit_pack_download",
    ),
    path("quality/recordings/", views.recordings, name="recordings"),
    path("quality/sessions/<uuid:public_id>/recorded/", views.mark_recorded, name="mark_recorded"),
    path("quality/recordings/<uuid:public_id>/monitor/", views.monitoring_form, name="monitoring_form"),
    path("quality/facilitators/<uuid:public_id>/", views.facilitator_record, name="facilitator_record"),
    path("quality/facilitators/<uuid:public_id>/supervision/", views.supervision_new, name="supervision_new"),
    path("quality/settings/", views.qa_settings, name="settings"),
    path("people/<uuid:public_id>/reoffences/new/", views.reoffence_new, name="reoffence_new"),
    path("reoffences/<uuid:public_id>/change/", views.reoffence_edit, name="reoffence_edit"),
    path("reoffences/<uuid:public_id>/remove/", views.reoffence_delete, name="reoffence_delete"),
]
