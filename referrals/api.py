"""Thin API views for people, their record, referrals, the waiting list and the two stateless calculators.

Each view authorises (permission classes from accounts/permissions.py, then a selector that 404s outside the
user's area or caseload), calls one service or selector, and serialises. Writes go through referrals/services/,
the same functions as the pages, so both are audited and cannot disagree.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import (
    DeviancePermission,
    IsTreatmentManager,
    IsVerifiedStaff,
    PeoplePermission,
    ReferralPermission,
    ReferralReaders,
    TransitionPermission,
    WaitingListPermission,
)
from audit.services import record_search
from isotp import clock
from referrals import selectors
from referrals.filters import OffenceFilter, PersonFilter, ReferralFilter
from referrals.models import Format, Offence, Person, Programme, Referral
from referrals.programme_terms import catalogue_for
from referrals.rules import Candidate, RM2000Input, check, check_input, score
from referrals.rules.eligibility import check_facts
from referrals.rules.ogrs3 import OGRS3Input
from referrals.rules.ogrs3 import check_input as ogrs3_check_input
from referrals.rules.ogrs3 import score as ogrs3_score
from referrals.serializers import (
    AssessmentInput,
    AssessmentOutput,
    ConflictOutput,
    ConvictionInput,
    ConvictionOutput,
    DevianceInput,
    DevianceOutput,
    EligibilityCheckInput,
    EligibilityOutput,
    OffenceOutput,
    Ogrs3Output,
    Ogrs3RecordInput,
    Ogrs3ScoreInput,
    Ogrs3ScoreOutput,
    PersonDetailOutput,
    PersonInput,
    PersonListOutput,
    PersonUpdateInput,
    ReferralDetailOutput,
    ReferralInput,
    ReferralListOutput,
    ReferralUpdateInput,
    Rm2000AssessmentOutput,
    Rm2000FactorsInput,
    Rm2000RecordInput,
    Rm2000ScoreInput,
    Rm2000ScoreOutput,
    RoshInput,
    RoshOutput,
    SentenceInput,
    SentenceOutput,
    StatusChangeOutput,
    TransitionInput,
    WaitingRowOutput,
)
from referrals.services.assessment import record_assessment
from referrals.services.people import (
    add_conviction,
    create_person,
    record_sentence,
    remove_conviction,
    update_person,
)
from referrals.services.referrals import create_referral, update_referral
from referrals.services.risk import (
    calculate_and_record_rm2000,
    record_deviance,
    record_ogrs3,
    record_rm2000,
    record_rosh,
)
from referrals.services.status import change_status

BAD_REQUEST = OpenApiResponse(OpenApiTypes.OBJECT, description='Field errors: {"field": ["message"]}')
CONFLICT = OpenApiResponse(
    ConflictOutput, description="A domain rule refuses the change (code, detail, allowed)."
)
NOT_FOUND = OpenApiResponse(description="Not found, or not in your area or caseload.")
PUBLIC_ID = OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatIsAFilter(DefaultContentNegotiation):
    """`?format=` filters by programme format (group, one_to_one) here, not DRF's renderer override."""

    settings = _NoFormatOverride()  # type: ignore[assignment]


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _offender_manager(user: User, public_id: Any) -> User | None:
    """The OM named in a request body, from the user's area (400 when there is none)."""
    if public_id is None:
        return None
    found = selectors.offender_managers_for(user).filter(public_id=public_id).first()
    if found is None:
        raise ValidationError({"offender_manager": ["Choose an offender manager of your probation area"]})
    return found


# --- stateless calculators ----------------------------------------------------------------------------------


class Rm2000ScoreApi(APIView):
    """Any member of staff: score RM2000 with the active scoring table and show the working (domain.md §4)."""

    throttle_scope = "calculators"  # stateless and cheap to call in a loop: rate-limited
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=Rm2000ScoreInput,
        responses={200: Rm2000ScoreOutput, 400: BAD_REQUEST},
        summary="Score Risk Matrix 2000",
        operation_id="rm2000_score",
    )
    def post(self, request: Request) -> Response:
        data = Rm2000ScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        inputs = RM2000Input(**data.validated_data)
        if refusals := check_input(inputs):  # every refusal at once, each on its field
            errors: dict[str, list[str]] = {}
            for refused in refusals:
                errors.setdefault(refused.field, []).append(refused.message)
            raise ValidationError(errors)
        table = selectors.active_scoring_table()
        try:
            result = score(inputs, table.table)
        except ValueError as refused:  # RM2000Refused: e.g. an age the table's bands do not cover
            raise ValidationError({getattr(refused, "field", "non_field_errors"): [str(refused)]}) from None
        return Response(Rm2000ScoreOutput({**result.as_dict(), "source_note": table.source_note}).data)


class EligibilityCheckApi(APIView):
    """Any member of staff: the eligibility decision for the facts given, with the user's area settings."""

    throttle_scope = "calculators"  # stateless and cheap to call in a loop: rate-limited
    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=EligibilityCheckInput,
        responses={200: EligibilityOutput, 400: BAD_REQUEST},
        summary="Check eligibility",
        operation_id="eligibility_check",
    )
    def post(self, request: Request) -> Response:
        data = EligibilityCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["offences"] = tuple(dict.fromkeys(values["offences"]))
        candidate = Candidate(**values)
        if refusals := check_facts(candidate):  # every impossible date at once, each on its field
            errors: dict[str, list[str]] = {}
            for refused in refusals:
                errors.setdefault(refused.field, []).append(refused.message)
            raise ValidationError(errors)
        user = _user(request)
        # domain.md §3: ages and programme lengths from the user's area's catalogue, as allocation reads them.
        terms = catalogue_for(user.area).terms(values["planned_start"])
        decision = check(candidate, selectors.eligibility_config_for(user), terms=terms)
        return Response(EligibilityOutput(decision.as_dict()).data)


class Ogrs3ScoreApi(APIView):
    """Any member of staff: OGRS3 with the active coefficient table, showing the working (domain.md §4.1)."""

    permission_classes = [IsVerifiedStaff]
    throttle_scope = "calculators"  # stateless and cheap to call in a loop: rate-limited

    @extend_schema(
        request=Ogrs3ScoreInput,
        responses={200: Ogrs3ScoreOutput, 400: BAD_REQUEST},
        summary="Score OGRS3",
        operation_id="ogrs3_score",
    )
    def post(self, request: Request) -> Response:
        data = Ogrs3ScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        inputs = OGRS3Input(**data.validated_data)
        table = selectors.active_ogrs3_table()
        if refusals := ogrs3_check_input(
            inputs, table.table, today=clock.today()
        ):  # every refusal at once, each on its field
            errors: dict[str, list[str]] = {}
            for refused in refusals:
                errors.setdefault(refused.field, []).append(refused.message)
            raise ValidationError(errors)
        result = ogrs3_score(inputs, table.table)
        return Response(Ogrs3ScoreOutput({**result.as_dict(), "source_note": table.source_note}).data)


# --- reference data -----------------------------------------------------------------------------------------


class OffenceListApi(generics.ListAPIView[Offence]):
    """OMs, TMs and admins: the offence reference table with each offence's eligibility category."""

    permission_classes = [ReferralReaders]
    serializer_class = OffenceOutput
    filterset_class = OffenceFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.offences_for_list(include_inactive=True)


class OffenceDetailApi(generics.RetrieveAPIView[Offence]):
    """OMs, TMs and admins: one offence by its code."""

    permission_classes = [ReferralReaders]
    serializer_class = OffenceOutput

    def get_object(self) -> Offence:
        return selectors.offence_by_code(self.kwargs["code"])


# --- people -------------------------------------------------------------------------------------------------


class PersonListApi(generics.ListAPIView[Person]):
    """People: OMs see their caseload, TMs and admins their area; OMs and TMs add people."""

    permission_classes = [PeoplePermission]
    serializer_class = PersonListOutput
    filterset_class = PersonFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.people_for_list(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record_search(actor=_user(request), list_name="people", query=request.query_params, via="api")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PersonInput, responses={201: PersonDetailOutput, 400: BAD_REQUEST}, summary="Add a person"
    )
    def post(self, request: Request) -> Response:
        data = PersonInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = _user(request)
        values["offender_manager"] = _offender_manager(user, values["offender_manager"])
        person = create_person(actor=user, **values)
        return Response(
            PersonDetailOutput(selectors.person_record_for(user, person.public_id, via="api")).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(parameters=[PUBLIC_ID])
class PersonDetailApi(APIView):
    """One person's whole record (each view is logged); OMs (caseload) and TMs change the details."""

    permission_classes = [PeoplePermission]

    @extend_schema(responses={200: PersonDetailOutput, 404: NOT_FOUND}, summary="A person's record")
    def get(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_record_for(user, public_id, via="api")
        return Response(PersonDetailOutput(person).data)

    @extend_schema(
        request=PersonUpdateInput,
        responses={200: PersonDetailOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Change a person's details",
    )
    def patch(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = PersonUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "offender_manager" in changes:
            changes["offender_manager"] = _offender_manager(user, changes["offender_manager"])
        update_person(actor=user, person=person, **changes)
        # Review of issue 7, no. 4: the answer is the whole record, so its view is logged like a GET.
        return Response(PersonDetailOutput(selectors.person_record_for(user, public_id, via="api")).data)


def _created(serializer: Any) -> Response:
    return Response(serializer.data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[PUBLIC_ID])
class PersonConvictionApi(APIView):
    """OMs (caseload) and TMs: record a conviction for an offence of the reference table."""

    permission_classes = [PeoplePermission]

    @extend_schema(
        request=ConvictionInput,
        responses={201: ConvictionOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Add a conviction",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = ConvictionInput(data=request.data)
        data.is_valid(raise_exception=True)
        conviction = add_conviction(actor=user, person=person, **data.validated_data)
        return _created(ConvictionOutput(conviction))


@extend_schema(
    parameters=[PUBLIC_ID, OpenApiParameter("conviction_id", OpenApiTypes.UUID, OpenApiParameter.PATH)]
)
class PersonConvictionDetailApi(APIView):
    """One conviction; OMs (caseload) and TMs remove one recorded in error (the audit keeps it)."""

    permission_classes = [PeoplePermission]

    @extend_schema(responses={200: ConvictionOutput, 404: NOT_FOUND}, summary="A conviction")
    def get(self, request: Request, public_id: str, conviction_id: str) -> Response:
        user = _user(request)
        conviction = selectors.conviction_record_for(user, public_id, conviction_id)
        return Response(ConvictionOutput(conviction).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND}, summary="Remove a conviction")
    def delete(self, request: Request, public_id: str, conviction_id: str) -> Response:
        user = _user(request)
        conviction = selectors.conviction_for_user(user, public_id, conviction_id)
        remove_conviction(actor=user, conviction=conviction)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[PUBLIC_ID])
class PersonSentenceApi(APIView):
    """OMs (caseload) and TMs: record the order or licence (the latest is current)."""

    permission_classes = [PeoplePermission]

    @extend_schema(
        request=SentenceInput,
        responses={201: SentenceOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Record a sentence",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = SentenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(SentenceOutput(record_sentence(actor=user, person=person, **data.validated_data)))


@extend_schema(parameters=[PUBLIC_ID])
class PersonRm2000Api(APIView):
    """OMs (caseload) and TMs: record the RM2000 categories as assessed."""

    permission_classes = [PeoplePermission]

    @extend_schema(
        request=Rm2000RecordInput,
        responses={201: Rm2000AssessmentOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Record RM2000 categories",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = Rm2000RecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = record_rm2000(actor=user, person=person, **data.validated_data)
        return _created(Rm2000AssessmentOutput(assessment))


@extend_schema(parameters=[PUBLIC_ID])
class PersonRm2000CalculateApi(APIView):
    """OMs (caseload) and TMs: calculate RM2000 with the person's sex and date of birth, and record it."""

    permission_classes = [PeoplePermission]

    @extend_schema(
        request=Rm2000FactorsInput,
        responses={201: Rm2000AssessmentOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Calculate and record RM2000",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = Rm2000FactorsInput(data=request.data)
        data.is_valid(raise_exception=True)
        inputs = RM2000Input(sex=person.sex, date_of_birth=person.date_of_birth, **data.validated_data)
        assessment = calculate_and_record_rm2000(actor=user, person=person, inputs=inputs)
        return _created(Rm2000AssessmentOutput(assessment))


@extend_schema(parameters=[PUBLIC_ID])
class PersonRoshApi(APIView):
    """OMs (caseload) and TMs: record the OASys risk of serious harm."""

    permission_classes = [PeoplePermission]

    @extend_schema(
        request=RoshInput,
        responses={201: RoshOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Record OASys risk of serious harm",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = RoshInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(RoshOutput(record_rosh(actor=user, person=person, **data.validated_data)))


@extend_schema(parameters=[PUBLIC_ID])
class PersonOgrs3Api(APIView):
    """OMs (caseload) and TMs: record OGRS3 as entered from OASys (1- and 2-year percentages, domain.md §4.1)."""

    permission_classes = [PeoplePermission]

    @extend_schema(
        request=Ogrs3RecordInput,
        responses={201: Ogrs3Output, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Record OGRS3 from OASys",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = Ogrs3RecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(Ogrs3Output(record_ogrs3(actor=user, person=person, **data.validated_data)))


@extend_schema(parameters=[PUBLIC_ID])
class PersonDevianceApi(APIView):
    """TMs: record psychometric deviance with the rationale (domain.md §7)."""

    permission_classes = [DeviancePermission]

    @extend_schema(
        request=DevianceInput,
        responses={201: DevianceOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
        summary="Record psychometric deviance",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        person = selectors.person_for_user(user, public_id)
        data = DevianceInput(data=request.data)
        data.is_valid(raise_exception=True)
        return _created(DevianceOutput(record_deviance(actor=user, person=person, **data.validated_data)))


# --- referrals ----------------------------------------------------------------------------------------------


class ReferralListApi(generics.ListAPIView[Referral]):
    """Referrals: OMs see their caseload's, TMs and admins their area's; OMs start draft referrals."""

    permission_classes = [ReferralPermission]
    serializer_class = ReferralListOutput
    filterset_class = ReferralFilter
    content_negotiation_class = FormatIsAFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.referrals_for_list(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record_search(actor=_user(request), list_name="referrals", query=request.query_params, via="api")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ReferralInput,
        responses={201: ReferralDetailOutput, 400: BAD_REQUEST},
        summary="Start a referral (draft)",
    )
    def post(self, request: Request) -> Response:
        data = ReferralInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = _user(request)
        try:
            person = selectors.person_for_user(user, values.pop("person"))
        except Http404:
            raise ValidationError({"person": ["Choose a person on your caseload"]}) from None
        referral = create_referral(actor=user, person=person, **values)
        return _detail(user, referral.public_id, status.HTTP_201_CREATED)


def _detail(user: User, public_id: Any, code: int = status.HTTP_200_OK) -> Response:
    """The referral with its person's record (GET, and after a write: logged like a GET, review of issue 7,
    no. 4). Its status history is not shown here (history/ is), so not read."""
    referral = selectors.referral_record_for(user, public_id, via="api", history=False)
    return Response(ReferralDetailOutput(referral, context={"today": clock.today()}).data, status=code)


@extend_schema(parameters=[PUBLIC_ID])
class ReferralDetailApi(APIView):
    """One referral with its eligibility decision (each view is logged); the OM changes it while a draft."""

    permission_classes = [ReferralPermission]

    @extend_schema(responses={200: ReferralDetailOutput, 404: NOT_FOUND}, summary="A referral")
    def get(self, request: Request, public_id: str) -> Response:
        return _detail(_user(request), public_id)

    @extend_schema(
        request=ReferralUpdateInput,
        responses={200: ReferralDetailOutput, 400: BAD_REQUEST, 404: NOT_FOUND, 409: CONFLICT},
        summary="Change a draft referral",
    )
    def patch(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        referral = selectors.referral_for_user(user, public_id)
        data = ReferralUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        update_referral(actor=user, referral=referral, **data.validated_data)
        return _detail(user, public_id)


@extend_schema(parameters=[PUBLIC_ID])
class ReferralTransitionApi(APIView):
    """TMs move a referral; the person's OM submits or withdraws it. An illegal move answers 409 with `allowed`."""

    permission_classes = [TransitionPermission]

    @extend_schema(
        request=TransitionInput,
        responses={200: ReferralDetailOutput, 400: BAD_REQUEST, 404: NOT_FOUND, 409: CONFLICT},
        summary="Change a referral's status",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        referral = selectors.referral_for_user(user, public_id)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        change_status(actor=user, referral=referral, **data.validated_data)
        return _detail(user, public_id)


@extend_schema(parameters=[PUBLIC_ID])
class ReferralAssessmentApi(APIView):
    """TMs: record the assessment (outcome, any override with rationale); the decision is snapshotted."""

    permission_classes = [IsTreatmentManager]

    @extend_schema(
        request=AssessmentInput,
        responses={201: AssessmentOutput, 400: BAD_REQUEST, 404: NOT_FOUND, 409: CONFLICT},
        summary="Assess a referral",
    )
    def post(self, request: Request, public_id: str) -> Response:
        user = _user(request)
        referral = selectors.referral_for_user(user, public_id)
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = record_assessment(actor=user, referral=referral, **data.validated_data)
        return _created(AssessmentOutput(assessment))


@extend_schema(parameters=[PUBLIC_ID])
class ReferralHistoryApi(generics.ListAPIView[Any]):
    """The referral's status changes, oldest first: who, when, from, to and why."""

    permission_classes = [ReferralReaders]
    serializer_class = StatusChangeOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> list[Any]:  # type: ignore[override]  # DRF pages a list as well
        user = _user(self.request)
        referral = selectors.referral_record_for(user, self.kwargs["public_id"], via="api")
        return selectors.referral_history(referral)


@extend_schema(
    parameters=[
        OpenApiParameter("programme", str, enum=Programme.values, required=True),
        OpenApiParameter("format", str, enum=Format.values, required=True),
        OpenApiParameter(
            "restart",
            bool,
            required=False,
            description="true: only the restarts (each keeps its place in the whole list).",
        ),
    ]
)
class WaitingListApi(generics.ListAPIView[Any]):
    """TMs and admins: one programme and format's waiting list, oldest first, with how soon each must start."""

    permission_classes = [WaitingListPermission]
    serializer_class = WaitingRowOutput
    content_negotiation_class = FormatIsAFilter
    filter_backends: list[Any] = []

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record_search(actor=_user(request), list_name="waiting_list", query=request.query_params, via="api")
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> Any:  # DRF pages a list (the waiting list) as well as a queryset
        params = self.request.query_params
        errors = {}
        if params.get("programme") not in Programme.values:
            errors["programme"] = ["Choose a programme: " + ", ".join(Programme.values)]
        if params.get("format") not in Format.values:
            errors["format"] = ["Choose a format: " + ", ".join(Format.values)]
        if params.get("restart", "false") not in ("true", "false"):
            errors["restart"] = ["Choose true (restarts only) or false."]
        if errors:
            raise ValidationError(errors)
        if params.get("restart") == "true":  # the restarts, each with its place in the whole list
            return selectors.waiting_list(
                self.request.user,
                programme=params["programme"],
                format=params["format"],
                today=clock.today(),
                restarts_only=True,
            )
        # The whole list, paged before its rows are built: the page's rows only (issue 11).
        return selectors.WaitingPages(
            self.request.user, programme=params["programme"], format=params["format"], today=clock.today()
        )
