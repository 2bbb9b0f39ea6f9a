"""The statistics API's shapes: the query (programme, period, scope) and the tables the page shows."""

from __future__ import annotations

from rest_framework import serializers

from isotp import fields as bounded
from referrals.models import Programme


class StatisticsQuery(serializers.Serializer):
    programme = serializers.ChoiceField(
        choices=Programme.choices, required=False, allow_blank=True, default=""
    )
    start = bounded.DateField(required=False, help_text="First day of the period (default: a year ago).")
    end = bounded.DateField(required=False, help_text="Last day of the period (default: today).")
    scope = serializers.ChoiceField(
        choices=[("area", "The user's area"), ("national", "Every area (needs the national grant)")],
        required=False,
        help_text="Default: the user's area; every area for a national reader who is not an area manager.",
    )

    def validate(self, attrs: dict) -> dict:
        if attrs.get("start") and attrs.get("end") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError(
                {"end": ["The end of the period must be on or after its start."]}
            )
        return attrs


class TableOutput(serializers.Serializer):
    slug = bounded.CharField()
    title = bounded.CharField()
    headings = serializers.ListField(child=bounded.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=bounded.CharField()))
    notes = serializers.ListField(child=bounded.CharField())


class StatisticsOutput(serializers.Serializer):
    scope = bounded.CharField(help_text="The area's name, or 'All areas'.")
    programme = bounded.CharField(allow_blank=True)
    start = bounded.DateField()
    end = bounded.DateField()
    tables = TableOutput(many=True, help_text="The statistics, then the outcomes; small cells suppressed.")
    computed_at = serializers.DateTimeField(
        help_text="When these figures were computed: they may come from the cache, at most "
        "`refreshed_every_seconds` old (writes since then are not in them)."
    )
    refreshed_every_seconds = serializers.IntegerField(
        help_text="How long computed figures are reused (STATISTICS_CACHE_SECONDS); 0: computed for this request."
    )
