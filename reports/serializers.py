"""Output and input shapes of the reports API (issue 10 names the fields: they are a contract)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from isotp import fields as bounded
from reports.models import PostProgrammeReport, ReportVersion


class ReportPersonOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    crn = bounded.CharField()
    full_name = bounded.CharField()


class ReportListOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.ChoiceField(choices=PostProgrammeReport.Status.choices)
    kind = serializers.ChoiceField(choices=PostProgrammeReport.Kind.choices)
    referral = serializers.UUIDField(source="referral.public_id")
    membership = serializers.UUIDField(source="membership.public_id")
    person = ReportPersonOutput(source="referral.person")
    programme = serializers.SerializerMethodField(help_text="The catalogue code, e.g. isotp_group")
    programme_name = serializers.SerializerMethodField()

    class Meta:
        model = PostProgrammeReport
        fields = [
            "id",
            "status",
            "kind",
            "referral",
            "membership",
            "person",
            "programme",
            "programme_name",
            "created_at",
            "updated_at",
        ]

    def _programme(self, report: PostProgrammeReport) -> Any:
        owner = report.membership.group or report.membership.plan
        return owner.programme  # type: ignore[union-attr]

    def get_programme(self, report: PostProgrammeReport) -> str:
        return str(self._programme(report).code)

    def get_programme_name(self, report: PostProgrammeReport) -> str:
        return str(self._programme(report).name)


class ReportVersionOutput(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()
    superseded = serializers.BooleanField()

    class Meta:
        model = ReportVersion
        fields = ["number", "issued_at", "sha256", "pdf_url", "superseded", "pages", "amendment_reason"]

    def get_pdf_url(self, version: ReportVersion) -> str:
        path = reverse("api-report-pdf", args=[version.report.public_id, version.number])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CompletionOutput(serializers.Serializer):
    counts = serializers.BooleanField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    reasons = serializers.ListField(child=serializers.DictField(child=bounded.CharField()))


class ReportDetailOutput(ReportListOutput):
    versions = ReportVersionOutput(many=True)
    failure_reason = bounded.CharField()
    return_comments = bounded.CharField()
    amendment_reason = bounded.CharField()
    completion = serializers.SerializerMethodField()

    class Meta(ReportListOutput.Meta):
        fields = [
            *ReportListOutput.Meta.fields,
            "versions",
            "failure_reason",
            "return_comments",
            "amendment_reason",
            "approved_at",
            "completion",
        ]

    @extend_schema_field(CompletionOutput)
    def get_completion(self, report: PostProgrammeReport) -> dict[str, Any]:
        from reports.services import completion_for

        decision = completion_for(report)
        return {
            "counts": report.completion_recorded_at is not None,
            "recorded_at": report.completion_recorded_at,
            "reasons": [{"code": code, "message": message} for code, message in decision.reasons],
        }


class ReturnInput(serializers.Serializer):
    comments = bounded.CharField(
        error_messages={"blank": "Say what needs to change before the report can be approved"}
    )


class AmendInput(serializers.Serializer):
    reason = bounded.CharField(error_messages={"blank": "Say why the issued report is being amended"})
