"""API shapes for the psychometrics (domain.md §7). Inputs validate form; the services decide everything else."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Administration, Battery, BatteryVersion, Kind
from assessments.rules import Classification, CutoffKind, Direction, ScaleNorms, norm_problems
from assessments.rules.change import MIN_SD
from isotp import fields as bounded
from referrals.models import DEVIANCE_CHOICES

# Bounds that keep the change statistics finite (a score or norm beyond them is a typing error, not a scale).
SCORE_LIMIT = 1e6

# --- the stateless change calculator (issue 9 contract) -----------------------------------------------------------


@extend_schema_field(
    {"type": "number", "format": "double", "minimum": 0, "maximum": 1, "exclusiveMaximum": True}
)
class ReliabilityField(serializers.FloatField):
    """§7: a reliability from 0 up to, not including, 1 (`exclusiveMaximum` in the schema)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault(
            "error_messages", {"min_value": "Enter a reliability from 0 up to, but not including, 1"}
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> float:
        value = float(super().to_internal_value(data))
        if value >= 1:
            raise serializers.ValidationError("Enter a reliability from 0 up to, but not including, 1")
        return value


def _sd_field(**kwargs: Any) -> serializers.FloatField:
    """§7: a standard deviation of at least MIN_SD (so above 0) and at most SCORE_LIMIT (`minimum` in the schema)."""
    return serializers.FloatField(
        min_value=MIN_SD,
        max_value=SCORE_LIMIT,
        error_messages={"min_value": f"Enter an SD of at least {MIN_SD:g}"},
        **kwargs,
    )


class ChangeScaleInput(serializers.Serializer[Any]):
    # Scores and means are bounded so that the statistics stay finite (a score of 1e308 made the RCI infinite, which
    # JSON cannot carry). The norms' own rules (reliability 0 to 1, SDs above 0) are the rules module's: `validate`.
    pre = serializers.FloatField(min_value=-SCORE_LIMIT, max_value=SCORE_LIMIT)
    post = serializers.FloatField(min_value=-SCORE_LIMIT, max_value=SCORE_LIMIT)
    direction = serializers.ChoiceField(choices=[d.value for d in Direction])
    norm_mean = serializers.FloatField(min_value=-SCORE_LIMIT, max_value=SCORE_LIMIT)
    norm_sd = _sd_field(help_text=f"The non-offender SD: at least {MIN_SD:g}.")
    reliability = ReliabilityField(help_text="From 0 up to, not including, 1.")
    offender_mean = serializers.FloatField(
        allow_null=True, required=False, default=None, min_value=-SCORE_LIMIT, max_value=SCORE_LIMIT
    )
    offender_sd = _sd_field(allow_null=True, required=False, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """§7: every problem with the norms, each on its field, from the one copy of the rules."""
        problems = norm_problems(
            ScaleNorms(
                direction=Direction(attrs["direction"]),
                norm_mean=attrs["norm_mean"],
                norm_sd=attrs["norm_sd"],
                reliability=attrs["reliability"],
                offender_mean=attrs.get("offender_mean"),
                offender_sd=attrs.get("offender_sd"),
            )
        )
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise serializers.ValidationError(errors)
        return attrs


class ChangeInput(serializers.Serializer[Any]):
    scales = ChangeScaleInput(many=True, allow_empty=False)


class CutoffsOutput(serializers.Serializer[Any]):
    a = serializers.FloatField(allow_null=True)
    b = serializers.FloatField()
    c = serializers.FloatField(allow_null=True)


class ChangeScaleOutput(serializers.Serializer[Any]):
    rci = serializers.FloatField(help_text="(post − pre) / S_diff, S_diff from the non-offender SD (§7).")
    reliable = serializers.BooleanField(help_text="|RCI| > 1.96")
    cutoff = serializers.FloatField(help_text="The cut-off used: c with offender norms, else b.")
    classification = serializers.ChoiceField(choices=[c.value for c in Classification])
    cutoff_used = serializers.ChoiceField(choices=[k.value for k in CutoffKind])
    cutoffs = CutoffsOutput()
    reliable_threshold = serializers.FloatField(help_text="The smallest reliable change in points.")
    code = bounded.CharField()
    reason = bounded.CharField()


class ChangeOutput(serializers.Serializer[Any]):
    scales = ChangeScaleOutput(many=True)


# --- batteries ---------------------------------------------------------------------------------------------------


class BatteryVersionSummaryOutput(serializers.ModelSerializer[BatteryVersion]):
    created_by = bounded.CharField(source="created_by.full_name", default="", read_only=True)

    class Meta:
        model = BatteryVersion
        fields = ["version", "illustrative", "change_note", "created_by", "created_at"]


class BatteryVersionOutput(BatteryVersionSummaryOutput):
    battery = bounded.CharField(source="battery.code", read_only=True)

    class Meta(BatteryVersionSummaryOutput.Meta):
        fields = ["battery", *BatteryVersionSummaryOutput.Meta.fields, "definition"]


class BatteryOutput(serializers.ModelSerializer[Battery]):
    versions = BatteryVersionSummaryOutput(many=True, read_only=True)

    class Meta:
        model = Battery
        fields = ["code", "name", "versions"]


class BatteryImportInput(serializers.Serializer[Any]):
    definition = serializers.JSONField(
        help_text="The battery definition (code, name, illustrative, note, rules, scales): export a version to see one."
    )
    change_note = bounded.CharField(required=False, allow_blank=True, default="")


# --- administrations and results ---------------------------------------------------------------------------------


class AdministrationInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Kind.choices)
    administered_on = bounded.PastDateField()
    scores = serializers.DictField(
        child=serializers.JSONField(),
        help_text='By scale code: {"score": 31} or, where the scale has item keys, {"items": [3, 2, null, …]} '
        "(null for a missing item; prorated within the scale's limit).",
    )
    battery = bounded.CharField(required=False, help_text="The battery code (default: the area's battery).")
    administered_by = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of the facilitator or treatment manager of the area who administered it "
        "(default: the caller).",
    )


class ScaleScoreListOutput(serializers.ListSerializer[Any]):
    """An administration's scores, each as `ScaleScoreOutput` would give it, without a serializer per score: the
    API list shows about 18 scores for each of its 25 rows, and DRF's per-field machinery for those 450 scores was
    most of the page's serialization (issue 11). The same values in the same order: a test compares the two."""

    def get_attribute(self, instance: Any) -> Any:
        # The rows `selectors.with_score_rows` read for a page of the list, else the administration's scores.
        rows = getattr(instance, "score_rows", None)
        return rows if rows is not None else super().get_attribute(instance)

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        rows = data.all() if isinstance(data, models.manager.BaseManager) else data
        score = self.child.fields["score"].to_representation  # type: ignore[union-attr]
        out = []
        for row in rows:  # plain rows (`selectors.SCORE_COLUMNS`) or the model's scores
            code, value, items, prorated, missing = (
                row
                if isinstance(row, tuple)
                else (row.scale_code, row.score, row.items, row.prorated, row.missing_items)
            )
            out.append(
                {
                    "scale_code": str(code),
                    "score": score(value),
                    "items": None if items is None else [None if i is None else int(i) for i in items],
                    "prorated": bool(prorated),
                    "missing_items": int(missing),
                }
            )
        return out


class ScaleScoreOutput(serializers.Serializer[Any]):
    scale_code = bounded.CharField()
    score = serializers.DecimalField(max_digits=8, decimal_places=2)
    items = serializers.ListField(child=serializers.IntegerField(allow_null=True), allow_null=True)
    prorated = serializers.BooleanField()
    missing_items = serializers.IntegerField()

    class Meta:
        list_serializer_class = ScaleScoreListOutput


class AdministrationOutput(serializers.ModelSerializer[Administration]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    membership = serializers.UUIDField(source="membership.public_id", read_only=True)
    battery = bounded.CharField(source="battery_version.battery.code", read_only=True)
    battery_version = serializers.IntegerField(source="battery_version.version", read_only=True)
    administered_by = bounded.CharField(source="administered_by.full_name", read_only=True)
    recorded_by = bounded.CharField(source="recorded_by.full_name", read_only=True)
    scores = ScaleScoreOutput(many=True, read_only=True)

    class Meta:
        model = Administration
        fields = [
            "id",
            "membership",
            "kind",
            "battery",
            "battery_version",
            "administered_on",
            "administered_by",
            "recorded_by",
            "recorded_at",
            "scores",
        ]


class DevianceOverrideInput(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=DEVIANCE_CHOICES)
    rationale = bounded.CharField()


class DevianceOverrideOutput(serializers.Serializer[Any]):
    level = bounded.CharField()
    rationale = bounded.CharField()
    recorded_at = serializers.DateTimeField()


class NormalRangeOutput(serializers.Serializer[Any]):
    low = serializers.FloatField()
    high = serializers.FloatField()


class ScaleChangeOutput(serializers.Serializer[Any]):
    rci = serializers.FloatField()
    reliable = serializers.BooleanField()
    reliable_threshold = serializers.FloatField()
    cutoff_used = serializers.ChoiceField(choices=[k.value for k in CutoffKind])
    cutoff_label = bounded.CharField()
    cutoff = serializers.FloatField()
    cutoff_a = serializers.FloatField(allow_null=True)
    cutoff_b = serializers.FloatField()
    cutoff_c = serializers.FloatField(allow_null=True)
    crossed = serializers.BooleanField()
    classification = serializers.ChoiceField(choices=[c.value for c in Classification])
    classification_label = bounded.CharField()
    code = bounded.CharField()
    reason = bounded.CharField()


class ScaleResultOutput(serializers.Serializer[Any]):
    code = bounded.CharField()
    name = bounded.CharField()
    domain = bounded.CharField()
    domain_label = bounded.CharField()
    direction = serializers.ChoiceField(choices=[d.value for d in Direction])
    score_min = serializers.FloatField()
    score_max = serializers.FloatField()
    norm_mean = serializers.FloatField()
    norm_sd = serializers.FloatField()
    reliability = serializers.FloatField()
    offender_mean = serializers.FloatField(allow_null=True)
    offender_sd = serializers.FloatField(allow_null=True)
    normal_range = NormalRangeOutput()
    pre = serializers.FloatField(allow_null=True)
    post = serializers.FloatField(allow_null=True)
    pre_problem = serializers.BooleanField()
    post_problem = serializers.BooleanField()
    pre_prorated = serializers.BooleanField()
    post_prorated = serializers.BooleanField()
    change = ScaleChangeOutput(allow_null=True)


class ResultsOutput(serializers.Serializer[Any]):
    membership = serializers.UUIDField()
    person = serializers.UUIDField()
    battery = serializers.JSONField(
        allow_null=True, help_text="code, name, version, illustrative, illustrative_note"
    )
    pre = serializers.JSONField(allow_null=True)
    post = serializers.JSONField(allow_null=True)
    scales = ScaleResultOutput(many=True)
    deviance = serializers.JSONField(
        allow_null=True,
        help_text="computed (level, counts, threshold, code, reason), override, overrides, level",
    )
    treated_profile = serializers.JSONField(allow_null=True)
    caution = serializers.JSONField(help_text='{"flagged", "pre", "post", "reasons"}: interpret with caution')
    treatment_needs = serializers.JSONField(
        help_text="[{target, title, short, scales, scale_names}] from the pre problem scales (codes and names)"
    )
    classification_counts = serializers.DictField(child=serializers.IntegerField())
    chart_svg = bounded.CharField(help_text="The chart of pre, post and the normal range per scale (SVG).")
