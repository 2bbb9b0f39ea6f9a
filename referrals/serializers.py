"""Input and output shapes of the referrals API. Inputs validate types and choices; the rules and services decide.

Outputs name people and referrals by `id` = their public UUID, never the integer key.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from isotp import fields as bounded
from referrals.candidates import (
    current_sentence,
    decision_for,
    latest_deviance,
    latest_ogrs3,
    latest_rm2000,
    latest_rosh,
)
from referrals.models import (
    DEVIANCE_CHOICES,
    LEGAL_BASIS_CHOICES,
    RISK_CHOICES,
    STATUS_CHOICES,
    AssessmentDecision,
    AssessmentOutcome,
    Conviction,
    DevianceAssessment,
    Format,
    Offence,
    Ogrs3Assessment,
    Person,
    Programme,
    Referral,
    ReferralStatusChange,
    RiskMatrixAssessment,
    RoshAssessment,
    Sentence,
    Sex,
    crn_input_validator,
)
from referrals.rules import OFFENCE_CHOICES, ROUTE_LABELS
from referrals.rules.ogrs3 import MAX_PREVIOUS_SANCTIONS, MIN_AGE_AT_FIRST_SANCTION
from referrals.rules.ogrs3 import OFFENCE_GROUP_CHOICES as OGRS3_OFFENCE_GROUP_CHOICES
from referrals.rules.rm2000 import MAX_APPEARANCES
from referrals.rules.transitions import manual_transitions
from referrals.selectors import has_completed_prison_sotp

# --- shared pieces ------------------------------------------------------------------------------------------


class StaffOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    full_name = bounded.CharField()


class ReasonOutput(serializers.Serializer[Any]):
    code = bounded.CharField()
    message = bounded.CharField()


# --- RM2000 calculator (POST rm2000/score/) -----------------------------------------------------------------


# domain.md §4: RM2000 is for males only (its own enum in the schema, Rm2000SexEnum).
RM2000_SEXES = [choice for choice in Sex.choices if choice[0] == "male"]


@extend_schema_field({"type": "boolean", "enum": [True]})
class TrueOnlyField(serializers.BooleanField):
    """A yes/no the calculation needs to be yes: `enum: [true]` in the schema, false a 400 on the field."""

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        self.refusal = message
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> bool:
        value = super().to_internal_value(data)
        if value is not True:
            raise serializers.ValidationError(self.refusal)
        return True


class Rm2000FactorsInput(serializers.Serializer[Any]):
    """The calculator's inputs apart from sex and date of birth (taken from a person's record when recorded)."""

    assessment_date = bounded.DateField()
    commencement_of_risk_date = bounded.DateField(
        help_text="Date of sentence (or release) for the current sexual offence."
    )
    # domain.md §4 (rules/rm2000.check_input): at least one sexual appearance; every sexual appearance is also a
    # criminal one, so at least one criminal appearance; no count is negative. Declared here so the schema shows it.
    sexual_appearances = serializers.IntegerField(
        min_value=1,
        max_value=MAX_APPEARANCES,
        help_text="Sentencing appearances for sexual offences, including the current one (at least 1).",
        error_messages={
            "min_value": "Risk Matrix 2000 needs at least one sexual appearance (a conviction for a sexual "
            "offence, including the current one)"
        },
    )
    criminal_appearances = serializers.IntegerField(
        min_value=1,
        max_value=MAX_APPEARANCES,
        help_text="Sentencing appearances for any offence, including the current one (at least 1, and not "
        "fewer than sexual appearances).",
        error_messages={
            "min_value": "Criminal appearances cannot be negative or 0: the current sexual offence is one"
        },
    )
    violent_appearances = serializers.IntegerField(
        min_value=0,
        max_value=MAX_APPEARANCES,
        error_messages={"min_value": "Violent appearances cannot be negative"},
    )
    burglary = serializers.BooleanField(default=False)
    male_victim = serializers.BooleanField(default=False)
    stranger_victim = serializers.BooleanField(default=False)
    non_contact_offence = serializers.BooleanField(default=False)
    single = serializers.BooleanField(
        default=False, help_text="Never married nor lived with a partner for 2 years."
    )
    sexual_offence_after_16 = TrueOnlyField(
        help_text="At least one sexual offence committed after the age of 16: must be true (RM2000 is not valid "
        "otherwise).",
        message="Risk Matrix 2000 is only valid for men with at least one sexual offence committed after the age "
        "of 16",
    )


class Rm2000ScoreInput(Rm2000FactorsInput):
    # domain.md §4: RM2000 is for males only, so the schema's enum is male alone.
    sex = serializers.ChoiceField(
        choices=RM2000_SEXES,
        error_messages={"invalid_choice": "Risk Matrix 2000 is only valid for males"},
    )
    date_of_birth = bounded.DateOfBirthField()


class Rm2000SOutput(serializers.Serializer[Any]):
    step1_points = serializers.IntegerField()
    step1_category = serializers.ChoiceField(choices=RISK_CHOICES)
    aggravating_factors = serializers.IntegerField(
        help_text="How many Step 2 aggravating factors are present."
    )
    category = serializers.ChoiceField(choices=RISK_CHOICES)


class Rm2000VOutput(serializers.Serializer[Any]):
    points = serializers.IntegerField()
    category = serializers.ChoiceField(choices=RISK_CHOICES)


class Rm2000COutput(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=RISK_CHOICES)


class Rm2000ScoreOutput(serializers.Serializer[Any]):
    s = Rm2000SOutput()
    v = Rm2000VOutput()
    c = Rm2000COutput()
    working = serializers.ListField(child=bounded.CharField(), help_text="Each step of the calculation.")
    warnings = serializers.ListField(
        child=bounded.CharField(),
        help_text="E.g. a pre-release assessment (commencement after the assessment).",
    )
    table_version = bounded.CharField(help_text="The version of the scoring table used.")
    source_note = bounded.CharField(help_text="Where the scoring table comes from.")


# --- OGRS3 (POST ogrs3/score/) -----------------------------------------------------------------------------


class Ogrs3ScoreInput(serializers.Serializer[Any]):
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = bounded.DateOfBirthField()
    conviction_date = bounded.PastDateField(help_text="The date of the current conviction.")
    assessment_date = bounded.DateField(
        help_text="The start of follow-up: the assessment or sentence date, or release from custody."
    )
    # rules/ogrs3.check_input: the age of criminal responsibility and the largest credible count, declared here so
    # the schema shows them (the rules stay the backstop).
    age_at_first_sanction = serializers.IntegerField(
        min_value=MIN_AGE_AT_FIRST_SANCTION,
        help_text="Age at the first caution or conviction (10, the age of criminal responsibility, or over; not "
        "after the current conviction).",
        error_messages={
            "min_value": f"Age at first sanction cannot be below {MIN_AGE_AT_FIRST_SANCTION}, the age of "
            "criminal responsibility"
        },
    )
    previous_sanctions = serializers.IntegerField(
        min_value=0,
        max_value=MAX_PREVIOUS_SANCTIONS,
        help_text=f"Sanctions before the current one (0 to {MAX_PREVIOUS_SANCTIONS}).",
        error_messages={
            "min_value": "Previous sanctions cannot be negative",
            "max_value": f"Previous sanctions cannot be more than {MAX_PREVIOUS_SANCTIONS}",
        },
    )
    offence_group = serializers.ChoiceField(
        choices=OGRS3_OFFENCE_GROUP_CHOICES, help_text="The current offence's group (domain.md §4.1)."
    )


class Ogrs3ScoreOutput(serializers.Serializer[Any]):
    one_year = serializers.FloatField(
        help_text="Probability of a proven reoffence within a year (6 decimals)."
    )
    two_year = serializers.FloatField(help_text="Probability within two years (6 decimals).")
    one_year_percent = serializers.IntegerField()
    two_year_percent = serializers.IntegerField()
    band = serializers.ChoiceField(choices=RISK_CHOICES, help_text="On the 2-year percentage.")
    working = serializers.ListField(child=bounded.CharField(), help_text="Each step of the calculation.")
    table_version = bounded.CharField(help_text="The version of the coefficient table used.")
    source_note = bounded.CharField(help_text="Where the coefficient table comes from.")


# --- eligibility (POST eligibility/check/, and embedded in a referral) -------------------------------------

ELIGIBILITY_PROGRAMMES = [*Programme.choices, ("adapted", "Adapted programme (outside this system)")]
ROUTE_CHOICES = list(ROUTE_LABELS.items())


class EligibilityCheckInput(serializers.Serializer[Any]):
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = bounded.DateOfBirthField()
    planned_start = bounded.DateField(help_text="Age is taken on this date.")
    iq = serializers.IntegerField(allow_null=True, min_value=0, max_value=200)
    offences = serializers.ListField(
        child=serializers.ChoiceField(choices=OFFENCE_CHOICES),
        allow_empty=True,
        help_text="Offence category codes of his convictions.",
    )
    rm2000_s = serializers.ChoiceField(choices=RISK_CHOICES, allow_null=True)
    deviance = serializers.ChoiceField(choices=DEVIANCE_CHOICES, allow_null=True)
    rosh = serializers.ChoiceField(choices=RISK_CHOICES, allow_null=True)
    supervision_months = serializers.IntegerField(allow_null=True, min_value=0)
    legal_basis = serializers.ChoiceField(
        choices=LEGAL_BASIS_CHOICES,
        allow_null=True,
        help_text="Null when the order has no programme requirement.",
    )
    active_appeal = serializers.BooleanField(default=False)
    maintains_innocence = serializers.BooleanField(default=False)
    completed_prison_sotp = serializers.BooleanField(default=False)
    ogrs3 = serializers.ChoiceField(
        choices=RISK_CHOICES,
        allow_null=True,
        required=False,
        default=None,
        help_text="Optional: with RM2000/S, flags the 2013 low-likelihood warning.",
    )
    supervision_end = bounded.DateField(
        allow_null=True,
        required=False,
        default=None,
        help_text="Optional: the end of supervision, for SUPERVISION_ENDS_TOO_SOON (unknown: a warning).",
    )
    offence_date = bounded.DateField(  # hypothetical: checked against the planned start, which may be ahead
        allow_null=True,
        required=False,
        default=None,
        help_text="Optional: the index offence's date, for the legal basis (NO_LEGAL_BASIS; unknown: a warning).",
    )


class ProgrammeDecisionOutput(serializers.Serializer[Any]):
    programme = serializers.ChoiceField(choices=Programme.choices)
    format = serializers.ChoiceField(choices=Format.choices)
    eligible = serializers.BooleanField()
    provisional = serializers.BooleanField(help_text="May change once the missing assessments are recorded.")
    route = serializers.ChoiceField(choices=ROUTE_CHOICES, allow_null=True)
    reasons = ReasonOutput(many=True)
    warnings = ReasonOutput(many=True)


class RecommendationOutput(serializers.Serializer[Any]):
    programme = serializers.ChoiceField(choices=ELIGIBILITY_PROGRAMMES, allow_null=True)
    format = serializers.ChoiceField(choices=Format.choices, allow_null=True)
    route = serializers.ChoiceField(choices=ROUTE_CHOICES, allow_null=True)
    provisional = serializers.BooleanField()
    reasons = ReasonOutput(many=True)


class EligibilityOutput(serializers.Serializer[Any]):
    programmes = ProgrammeDecisionOutput(many=True)
    recommendation = RecommendationOutput()


# --- reference data -----------------------------------------------------------------------------------------


class OffenceOutput(serializers.ModelSerializer[Offence]):
    class Meta:
        model = Offence
        fields = ["code", "title", "legislation", "category", "active"]


# --- people -------------------------------------------------------------------------------------------------


class ConvictionOutput(serializers.ModelSerializer[Conviction]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    offence = OffenceOutput(read_only=True)

    class Meta:
        model = Conviction
        fields = ["id", "offence", "conviction_date", "offence_date", "contact", "notes"]


class ConvictionInput(serializers.Serializer[Any]):
    offence_code = serializers.SlugField(help_text="A code from offences/.")
    conviction_date = bounded.PastDateField()
    offence_date = bounded.PastDateField(required=False, allow_null=True, default=None)
    notes = bounded.CharField(required=False, allow_blank=True, default="")
    contact = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Actual or attempted contact; null or absent: the offence category's default (domain.md §3).",
    )


class SentenceOutput(serializers.ModelSerializer[Sentence]):
    class Meta:
        model = Sentence
        fields = ["legal_basis", "programme_requirement", "start_date", "supervision_end_date", "recorded_at"]


class SentenceInput(serializers.Serializer[Any]):
    legal_basis = serializers.ChoiceField(choices=LEGAL_BASIS_CHOICES)
    programme_requirement = serializers.BooleanField(
        help_text="An accredited programme requirement (orders) or condition (licence)."
    )
    start_date = bounded.PastDateField(
        help_text="Today or in the past, and after the person's date of birth."
    )
    supervision_end_date = bounded.DateField()


class Rm2000AssessmentOutput(serializers.ModelSerializer[RiskMatrixAssessment]):
    class Meta:
        model = RiskMatrixAssessment
        fields = ["s", "v", "c", "assessed_on", "assessor", "source", "table_version", "inputs", "working"]


class Rm2000RecordInput(serializers.Serializer[Any]):
    s = serializers.ChoiceField(choices=RISK_CHOICES)
    v = serializers.ChoiceField(choices=RISK_CHOICES)
    c = serializers.ChoiceField(choices=RISK_CHOICES)
    assessed_on = bounded.PastDateField()
    assessor = bounded.CharField(max_length=150)


class RoshOutput(serializers.ModelSerializer[RoshAssessment]):
    class Meta:
        model = RoshAssessment
        fields = ["level", "assessed_on"]


class RoshInput(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=RISK_CHOICES)
    assessed_on = bounded.PastDateField()


class Ogrs3Output(serializers.ModelSerializer[Ogrs3Assessment]):
    """The person's OGRS3 (domain.md §4.1): 1- and 2-year probabilities and percentages, band on the 2-year one."""

    one_year = serializers.DecimalField(
        max_digits=7, decimal_places=6, coerce_to_string=False, read_only=True
    )
    two_year = serializers.DecimalField(
        max_digits=7, decimal_places=6, coerce_to_string=False, read_only=True
    )
    one_year_percent = serializers.SerializerMethodField()
    two_year_percent = serializers.SerializerMethodField()

    class Meta:
        model = Ogrs3Assessment
        fields = [
            "one_year",
            "two_year",
            "one_year_percent",
            "two_year_percent",
            "band",
            "assessed_on",
            "source",
            "table_version",
            "inputs",
            "working",
        ]

    def get_one_year_percent(self, instance: Ogrs3Assessment) -> int:
        return round(instance.one_year * 100)

    def get_two_year_percent(self, instance: Ogrs3Assessment) -> int:
        return round(instance.two_year * 100)


class Ogrs3RecordInput(serializers.Serializer[Any]):
    """OGRS3 entered from OASys: whole percentages 0-100; the 2-year is not below the 1-year (the service says)."""

    one_year_percent = serializers.IntegerField(min_value=0, max_value=100)
    two_year_percent = serializers.IntegerField(min_value=0, max_value=100)
    assessed_on = bounded.PastDateField()


class DevianceOutput(serializers.ModelSerializer[DevianceAssessment]):
    recorded_by = StaffOutput(read_only=True, allow_null=True)

    class Meta:
        model = DevianceAssessment
        fields = ["level", "rationale", "source", "recorded_by", "recorded_at"]


class DevianceInput(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=DEVIANCE_CHOICES)
    rationale = bounded.CharField()


def _crn_output() -> serializers.CharField:
    """A person's CRN as sent: a CRN, or an erased person's placeholder (never a CRN)."""
    from django.core.validators import RegexValidator

    from referrals.models import STORED_CRN_PATTERN

    return serializers.CharField(
        read_only=True,
        validators=[RegexValidator(STORED_CRN_PATTERN)],
        help_text="One capital letter and 6 digits; `ERASED-` and 6 digits when the retention policy erased "
        "the person's personal data.",
    )


class PersonSummaryOutput(serializers.ModelSerializer[Person]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    crn = _crn_output()

    class Meta:
        model = Person
        fields = ["id", "crn", "first_name", "last_name", "date_of_birth"]


class ReferralSummaryOutput(serializers.ModelSerializer[Referral]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "programme", "format", "status", "planned_start", "created_at", "submitted_at"]


class PersonListOutput(serializers.ModelSerializer[Person]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    crn = _crn_output()
    offender_manager = StaffOutput(read_only=True)
    referrals = ReferralSummaryOutput(source="referral_list", many=True, read_only=True)
    completed_prison_sotp = serializers.SerializerMethodField(
        help_text="Whether he completed a prison sex offender treatment programme: any of his referrals records it "
        "(the Relapse Prevention prerequisite reads the same). Read only; recorded on a referral."
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "crn",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "offender_manager",
            "referrals",
            "completed_prison_sotp",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_completed_prison_sotp(self, instance: Person) -> bool:
        return has_completed_prison_sotp(instance)


class RiskOutput(serializers.Serializer[Any]):
    rm2000 = Rm2000AssessmentOutput(allow_null=True, help_text="The latest RM2000 assessment.")
    rosh = RoshOutput(allow_null=True, help_text="The latest OASys risk of serious harm.")
    ogrs3 = Ogrs3Output(allow_null=True, help_text="The latest OGRS3 (entered from OASys or calculated).")
    deviance = DevianceOutput(allow_null=True, help_text="The latest psychometric deviance.")


class PersonDetailOutput(serializers.ModelSerializer[Person]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    crn = _crn_output()
    offender_manager = StaffOutput(read_only=True)
    convictions = ConvictionOutput(many=True, read_only=True)
    current_sentence = SentenceOutput(read_only=True, allow_null=True)
    sentences = SentenceOutput(many=True, read_only=True)
    risk = RiskOutput(read_only=True)
    referrals = ReferralSummaryOutput(source="referral_list", many=True, read_only=True)
    completed_prison_sotp = serializers.SerializerMethodField(
        help_text="Whether he completed a prison sex offender treatment programme: any of his referrals records it "
        "(the Relapse Prevention prerequisite reads the same). Read only; recorded on a referral."
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "crn",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "iq",
            "learning_disability",
            "offender_manager",
            "convictions",
            "current_sentence",
            "sentences",
            "risk",
            "referrals",
            "completed_prison_sotp",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_completed_prison_sotp(self, instance: Person) -> bool:
        return has_completed_prison_sotp(instance)

    def to_representation(self, instance: Person) -> dict[str, Any]:
        # The current sentence and latest risk come from the preloaded lists (selectors.person_for_user).
        instance.current_sentence = current_sentence(instance)  # type: ignore[attr-defined]
        instance.risk = {  # type: ignore[attr-defined]
            "rm2000": latest_rm2000(instance),
            "rosh": latest_rosh(instance),
            "ogrs3": latest_ogrs3(instance),
            "deviance": latest_deviance(instance),
        }
        return super().to_representation(instance)


class CrnField(bounded.CharField):
    """A CRN in a request: one letter and 6 digits, the letter in either case and stored as a capital. The one
    definition for every request's `crn` (its schema `pattern` is CRN_INPUT_PATTERN: what the API accepts)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault(
            "help_text", "One letter and 6 digits, e.g. C123456 (a lowercase letter is stored capital)."
        )
        super().__init__(**kwargs)
        self.validators.append(crn_input_validator)

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data)).upper()


def iq_field(**kwargs: Any) -> serializers.IntegerField:
    """An IQ: 40 to 160, as the model keeps it (`minimum`/`maximum` in the schema)."""
    return serializers.IntegerField(min_value=40, max_value=160, allow_null=True, required=False, **kwargs)


class PersonInput(serializers.Serializer[Any]):
    crn = CrnField()
    first_name = bounded.CharField(max_length=100)
    last_name = bounded.CharField(max_length=100)
    date_of_birth = bounded.DateOfBirthField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    iq = iq_field(default=None)
    learning_disability = serializers.BooleanField(default=False)
    offender_manager = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The OM's id; an offender manager may leave it out to add the person to their own caseload.",
    )


class PersonUpdateInput(serializers.Serializer[Any]):
    crn = CrnField(required=False)
    first_name = bounded.CharField(max_length=100, required=False)
    last_name = bounded.CharField(max_length=100, required=False)
    date_of_birth = bounded.DateOfBirthField(required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    iq = iq_field()
    learning_disability = serializers.BooleanField(required=False)
    offender_manager = serializers.UUIDField(required=False)


# --- referrals ----------------------------------------------------------------------------------------------


class StatusChangeOutput(serializers.ModelSerializer[ReferralStatusChange]):
    actor = StaffOutput(read_only=True)

    class Meta:
        model = ReferralStatusChange
        fields = ["from_status", "to_status", "reason_code", "reason", "actor", "at"]


class AssessmentOutput(serializers.ModelSerializer[AssessmentDecision]):
    actor = StaffOutput(read_only=True)
    computed = EligibilityOutput(read_only=True, help_text="The decision as it stood when the TM assessed.")

    class Meta:
        model = AssessmentDecision
        fields = [
            "outcome",
            "computed",
            "planned_start",
            "referred_programme",
            "referred_format",
            "override_programme",
            "override_format",
            "override_route",
            "rationale",
            "actor",
            "at",
        ]


class ReferralListOutput(serializers.ModelSerializer[Referral]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = PersonSummaryOutput(read_only=True)
    referred_by = StaffOutput(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "person",
            "programme",
            "format",
            "status",
            "returns_to",
            "planned_start",
            "referred_by",
            "created_at",
            "submitted_at",
            "awaiting_since",
        ]


# domain.md §6: the enforcement states (the rules live with attendance in sessions.rules.enforcement, which
# supplies the value through the `referral_extras` hook; tests check the two lists agree).
ENFORCEMENT_STATUSES = ("none", "warning_due", "warning_issued", "breach_due", "breach_actioned")


class EnforcementFailureOutput(serializers.Serializer[Any]):
    date = bounded.DateField()
    what = bounded.CharField(help_text="e.g. 'Unacceptable absence: session 4 on Monday 3 May 2027'")
    session = serializers.UUIDField(help_text="The session missed (or whose catch-up was missed).")


class EnforcementOutput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=[(s, s) for s in ENFORCEMENT_STATUSES])
    status_label = bounded.CharField()
    warning_issued_on = bounded.DateField(allow_null=True)
    breach_due_by = bounded.DateField(allow_null=True, help_text="The 10th working day after the absence.")
    breach_actioned_on = bounded.DateField(allow_null=True)
    failures = EnforcementFailureOutput(many=True)
    code = bounded.CharField()
    reason = bounded.CharField()


class RestartOutput(serializers.Serializer[Any]):
    """domain.md §6, §9: why a referral is back on the waiting list to start the programme again."""

    place = bounded.CharField(help_text="The group or one-to-one plan whose place ended.")
    ended_on = bounded.DateField(allow_null=True)
    missed_session = serializers.UUIDField(
        allow_null=True, help_text="The missed session that could no longer be caught up."
    )
    missed_session_label = bounded.CharField(help_text="e.g. 'session 9 on Monday 1 March 2027'")
    reason = bounded.CharField()


def _extras(referral: Referral, name: str) -> Any:
    """A value another app adds to the referral (sessions: enforcement), through `<app>.referral_extras`."""
    from isotp.hooks import app_hooks

    for hook in app_hooks("referral_extras", name):
        return hook(referral)
    return None


class ReferralDetailOutput(ReferralListOutput):
    allowed_transitions = serializers.SerializerMethodField()
    enforcement = serializers.SerializerMethodField()
    restart = serializers.SerializerMethodField()
    restart_detail = RestartOutput(read_only=True, allow_null=True)
    eligibility = EligibilityOutput(read_only=True, help_text="The same decision as POST eligibility/check/.")
    latest_assessment = AssessmentOutput(read_only=True, allow_null=True)

    class Meta(ReferralListOutput.Meta):
        fields = [
            *ReferralListOutput.Meta.fields,
            "active_appeal",
            "maintains_innocence",
            "completed_prison_sotp",
            "notes",
            "updated_at",
            "allowed_transitions",
            "eligibility",
            "latest_assessment",
            "enforcement",
            "restart",
            "restart_detail",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_restart(self, referral: Referral) -> bool:
        """domain.md §6, §9: its latest place ended `restart_required`: it must start the programme again."""
        return referral.restart_detail is not None  # type: ignore[attr-defined]

    @extend_schema_field(EnforcementOutput(allow_null=True))
    def get_enforcement(self, referral: Referral) -> dict[str, Any] | None:
        """domain.md §6: none | warning_due | warning_issued | breach_due | breach_actioned, with what is due."""
        return referral.extras.get("enforcement")  # type: ignore[attr-defined]

    def get_allowed_transitions(self, referral: Referral) -> list[str]:
        """Where the referral may move next (domain.md §9)."""
        # Not the moves transitions/ refuses: suitability goes through assessment/, allocation and removal through
        # the delivery services (rules.transitions.reserved_move).
        return sorted(manual_transitions(referral.status, referral.returns_to or None))

    def to_representation(self, instance: Referral) -> dict[str, Any]:
        # The same decision as the TM's page (candidates.decision_for), on the date the view passes in.
        today = self.context["today"]
        instance.eligibility = decision_for(instance, today).as_dict()  # type: ignore[attr-defined]
        instance.latest_assessment = max(  # type: ignore[attr-defined]
            instance.assessments.all(), key=lambda a: (a.at, a.pk), default=None
        )
        # The delivery app's enforcement and restart, read together (`<app>.referral_extras.detail`).
        instance.extras = _extras(instance, "detail") or {}  # type: ignore[attr-defined]
        instance.restart_detail = instance.extras.get("restart")  # type: ignore[attr-defined]
        return super().to_representation(instance)


class ReferralInput(serializers.Serializer[Any]):
    person = serializers.UUIDField(help_text="The person's id.")
    programme = serializers.ChoiceField(choices=Programme.choices)
    format = serializers.ChoiceField(choices=Format.choices)
    planned_start = bounded.DateField(required=False, allow_null=True, default=None)
    active_appeal = serializers.BooleanField(default=False)
    maintains_innocence = serializers.BooleanField(default=False)
    completed_prison_sotp = serializers.BooleanField(default=False)
    notes = bounded.CharField(required=False, allow_blank=True, default="")


class ReferralUpdateInput(serializers.Serializer[Any]):
    programme = serializers.ChoiceField(choices=Programme.choices, required=False)
    format = serializers.ChoiceField(choices=Format.choices, required=False)
    planned_start = bounded.DateField(required=False, allow_null=True)
    active_appeal = serializers.BooleanField(required=False)
    maintains_innocence = serializers.BooleanField(required=False)
    completed_prison_sotp = serializers.BooleanField(required=False)
    notes = bounded.CharField(required=False, allow_blank=True)


class TransitionInput(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=STATUS_CHOICES)
    reason_code = bounded.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for withdrawn, deselected, not suitable, on hold and suitable but not ready.",
    )
    reason = bounded.CharField(required=False, allow_blank=True, default="")


class ConflictOutput(serializers.Serializer[Any]):
    code = bounded.CharField()
    detail = bounded.CharField()
    allowed = serializers.ListField(child=bounded.CharField(), required=False)


class OverrideInput(serializers.Serializer[Any]):
    programme = serializers.ChoiceField(choices=Programme.choices)
    format = serializers.ChoiceField(choices=Format.choices)
    route = serializers.ChoiceField(choices=ROUTE_CHOICES, required=False, allow_null=True, default=None)


class AssessmentInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=AssessmentOutcome.choices)
    override = OverrideInput(required=False, allow_null=True, default=None)
    rationale = bounded.CharField(required=False, allow_blank=True, default="")
    reason_code = bounded.CharField(
        required=False, allow_blank=True, default="", help_text="For not suitable or suitable but not ready."
    )


# --- waiting list -------------------------------------------------------------------------------------------


URGENCY_CHOICES = [
    ("overdue", "Overdue"),
    ("start_soon", "Start soon"),
    ("ok", "In time"),
    ("unknown", "Unknown"),
]


class UrgencyOutput(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=URGENCY_CHOICES)
    message = bounded.CharField()
    latest_start = bounded.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)


class WaitingRowOutput(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    referral = serializers.UUIDField(source="referral.public_id")
    person = PersonSummaryOutput()
    planned_start = bounded.DateField()
    age_at_start = serializers.IntegerField()
    awaiting_since = serializers.DateTimeField()
    supervision_end = bounded.DateField(allow_null=True)
    urgency = UrgencyOutput()
    restart = serializers.SerializerMethodField()
    restart_detail = RestartOutput(source="restart", allow_null=True)

    @extend_schema_field(serializers.BooleanField())
    def get_restart(self, row: Any) -> bool:
        """domain.md §6, §9: back on the list to start the programme again (restart_detail says why)."""
        return row.restart is not None
