"""The reports API (issue 10): list, detail with versions, approve (202), return, amend, and the PDF.

Thin views: a selector scopes the report (another area's, or outside an OM's caseload, is 404), one service call
makes the change (a facilitator approving is 403; an illegal move 409 with its code), a serializer answers.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, cast

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import ApproveReportPermission, ReportPermission
from isotp.api import AccessLoggedList
from reports import selectors, services
from reports.filters import ReportFilter
from reports.serializers import AmendInput, ReportDetailOutput, ReportListOutput, ReturnInput

CONFLICT = OpenApiResponse(description="A rule refuses the change: {code, detail, allowed?}.")


def _user(request: Request) -> User:
    return cast(User, request.user)


class ReportList(AccessLoggedList, generics.ListAPIView):
    """Reports the user may read, newest first: TMs their area's, facilitators the members they deliver to,
    OMs their caseload's. Filter by `status`."""

    permission_classes = [ReportPermission]
    access_list_name = "reports"
    serializer_class = ReportListOutput
    filterset_class = ReportFilter

    def get_queryset(self) -> Any:
        return selectors.reports_for_list(_user(self.request))


class ReportDetail(APIView):
    permission_classes = [ReportPermission]

    @extend_schema(responses={200: ReportDetailOutput}, summary="A report with its issued versions")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        report = selectors.report_record_for(user, public_id, via="api")
        return Response(ReportDetailOutput(report, context={"request": request}).data)


def _detail(request: Request, report: Any, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.report_for_user(_user(request), report.public_id)
    return Response(ReportDetailOutput(fresh, context={"request": request}).data, status=code)


class ReportApprove(APIView):
    """TMs: approve a report awaiting approval; the PDF is rendered in the background (202). The TM who wrote
    the version submitted may not approve it (409 AUTHOR_CANNOT_APPROVE)."""

    permission_classes = [ApproveReportPermission]

    @extend_schema(
        request=None,
        responses={
            202: ReportDetailOutput,
            409: OpenApiResponse(
                description="ALREADY_ISSUED, NOT_AWAITING_APPROVAL, AUTHOR_CANNOT_APPROVE (the TM wrote this version)"
            ),
        },
        summary="Approve a report (queues the PDF)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        report = services.approve(actor=user, report=selectors.report_for_user(user, public_id))
        return _detail(request, report, status.HTTP_202_ACCEPTED)


class ReportReturn(APIView):
    """TMs: return a report awaiting approval to the facilitator with comments."""

    permission_classes = [ApproveReportPermission]

    @extend_schema(
        request=ReturnInput, responses={200: ReportDetailOutput, 409: CONFLICT}, summary="Return a report"
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        report = selectors.report_for_user(user, public_id)
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.return_report(actor=user, report=report, **data.validated_data)
        return _detail(request, report)


class ReportAmend(APIView):
    """TMs: reopen an issued report for an amendment (a new version with this reason when approved)."""

    permission_classes = [ApproveReportPermission]

    @extend_schema(
        request=AmendInput,
        responses={200: ReportDetailOutput, 409: CONFLICT},
        summary="Amend an issued report",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        report = selectors.report_for_user(user, public_id)
        data = AmendInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.amend(actor=user, report=report, **data.validated_data)
        return _detail(request, report)


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        # Only errors pass through here (the PDF itself is a FileResponse): keep them JSON.
        return json.dumps(data).encode() if not isinstance(data, bytes) else data


class ReportVersionPdf(APIView):
    """An issued version's PDF (`application/pdf`), through the permission checks; every download audited."""

    permission_classes = [ReportPermission]
    renderer_classes = [JSONRenderer, PdfRenderer]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        """An error (404, 403, 401...) is JSON with `application/json`, even when the PDF was asked for."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY}, summary="Download a version's PDF"
    )
    def get(self, request: Request, public_id: uuid.UUID, number: int) -> Any:
        user = _user(request)
        version = selectors.version_for_user(user, public_id, number)
        handle = services.open_version(actor=user, version=version, via="api")
        response = FileResponse(
            handle, content_type="application/pdf", as_attachment=True, filename=f"report-v{number}.pdf"
        )
        response["Cache-Control"] = "no-store"
        return response
