"""Reports API routes under /api/v1/ (issue 10)."""

from django.urls import path

from reports import api

urlpatterns = [
    path("reports/", api.ReportList.as_view(), name="api-report-list"),
    path("reports/<uuid:public_id>/", api.ReportDetail.as_view(), name="api-report-detail"),
    path("reports/<uuid:public_id>/approve/", api.ReportApprove.as_view(), name="api-report-approve"),
    path("reports/<uuid:public_id>/return/", api.ReportReturn.as_view(), name="api-report-return"),
    path("reports/<uuid:public_id>/amend/", api.ReportAmend.as_view(), name="api-report-amend"),
    path(
        "reports/<uuid:public_id>/versions/<int:number>/pdf/",
        api.ReportVersionPdf.as_view(),
        name="api-report-pdf",
    ),
]
