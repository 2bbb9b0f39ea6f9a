"""Reads of reports, scoped to the user first: TMs see their area's, facilitators the members they deliver to,
OMs their caseload's. Another area's report, or one outside the user's reach, is not found (404)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.permissions import (
    can_take_register,
    is_facilitator,
    is_offender_manager,
    is_staff_member,
    is_treatment_manager,
)
from audit.services import record_access
from reports.models import PostProgrammeReport, ReportVersion

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def _uuid(value: object) -> uuid.UUID:
    from django.http import Http404

    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def reports_for_user(user: User | AnonymousUser) -> QuerySet[PostProgrammeReport]:
    """Every report the user may read, with the person, programme and OM preloaded (one query per page)."""
    if not is_staff_member(user):
        return PostProgrammeReport.objects.none()
    qs = PostProgrammeReport.objects.filter(area_id=user.area_id).select_related(  # type: ignore[union-attr]
        "referral__person__offender_manager",
        "membership__group__programme",
        "membership__plan__programme",
    )
    if is_treatment_manager(user):
        return qs
    if is_facilitator(user):
        return qs.filter(
            Q(membership__group__facilitator_links__facilitator_id=user.pk)
            | Q(membership__plan__facilitator_id=user.pk)
        ).distinct()
    if is_offender_manager(user):
        return qs.filter(referral__person__offender_manager_id=user.pk)
    return qs.none()


def reports_for_list(
    user: User | AnonymousUser, *, status: list[str] | None = None
) -> QuerySet[PostProgrammeReport]:
    """The Reports list and the API list: newest first, with the current version's number preloaded."""
    qs = reports_for_user(user)
    if status:
        qs = qs.filter(status__in=status)
    return qs.prefetch_related(
        Prefetch("versions", queryset=ReportVersion.objects.order_by("-number"))
    ).order_by("-updated_at", "-id")


def uuid_text_key(expression: Any) -> Any:
    """A UUID's text in one form whatever the database: lower-case hex without hyphens.

    The audit stores `str(public_id)` ("1b4e28ba-2fa1-..."), PostgreSQL casts a uuid column to the same hyphenated
    text, but SQLite (`make run`) stores a UUIDField as 32 hex characters without hyphens, so comparing the cast
    column with the audit's text never matched there (review of issue 14: the OM's "new reports" never cleared)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Lower, Replace

    return Lower(Replace(Cast(expression, CharField()), Value("-"), Value("")))


def new_reports_for(user: User | AnonymousUser) -> QuerySet[PostProgrammeReport]:
    """Issued reports the user has not downloaded since their latest version was issued (the OM's "new reports"):
    a download is audited (`report.downloaded`), so one with no download by this user after the last issue is new.
    One query, whatever the number of reports."""
    from django.db.models import Exists, OuterRef, Subquery

    from audit.models import AuditEvent
    from reports.rules import ReportStatus

    downloaded = AuditEvent.objects.annotate(object_key=uuid_text_key("object_id")).filter(
        actor_id=getattr(user, "pk", None),
        action="report.downloaded",
        object_type=PostProgrammeReport._meta.label_lower,
        object_key=uuid_text_key(OuterRef("public_id")),
        at__gte=Subquery(
            ReportVersion.objects.filter(report_id=OuterRef(OuterRef("pk")))
            .order_by("-issued_at")
            .values("issued_at")[:1]
        ),
    )
    return reports_for_list(user, status=[ReportStatus.ISSUED]).filter(~Exists(downloaded))


def report_for_user(user: User | AnonymousUser, public_id: object) -> PostProgrammeReport:
    """One report the user may read (404 otherwise), with its versions."""
    return get_object_or_404(
        reports_for_list(user).select_related("approved_by", "drafted_by", "membership__referral"),
        public_id=_uuid(public_id),
    )


def report_record_for(
    user: User | AnonymousUser, public_id: object, *, via: str = "page"
) -> PostProgrammeReport:
    """`report_for_user`, for a page or endpoint that shows the report: it is a view of the person's record, so
    it is logged (the CRN as label, never the name)."""
    report = report_for_user(user, public_id)
    record_access(actor=cast("User", user), obj=report, via=via, object_label=report.referral.person.crn)
    return report


def version_for_user(user: User | AnonymousUser, report_id: object, number: int) -> ReportVersion:
    """An issued version of a report the user may read (404 otherwise)."""
    report = report_for_user(user, report_id)
    return get_object_or_404(ReportVersion.objects.select_related("report"), report=report, number=number)


def facts_for_page(report: PostProgrammeReport) -> dict[str, Any]:
    """The draft page (a report `report_record_for` has scoped and logged): the facts the report will state,
    read from the records now, shaped like the print template's context; the chart keeps its page width."""
    from reports.facts import report_facts
    from reports.pdf import print_context

    facts = report_facts(report.membership, report.kind)
    context = print_context({"facts": facts, "content": {}}, version=None, draft=True)
    context["chart_svg"] = str((facts.get("psychometrics") or {}).get("chart_svg") or "")
    return {
        key: context[key]
        for key in (
            "facts",
            "absences",
            "dates",
            "administered",
            "cautions",
            "needs",
            "date_of_birth",
            "chart_svg",
        )
    }


def report_for_membership(membership_id: int) -> PostProgrammeReport | None:
    return PostProgrammeReport.objects.filter(membership_id=membership_id).first()


def memberships_ready_for_report(user: User | AnonymousUser) -> QuerySet[Any]:
    """Members whose sessions are over (or who left after starting) and who have no report yet, among those
    the user delivers to (facilitators) or in the user's area (TMs). One query: the checks are subqueries."""
    from django.db.models import Exists, OuterRef

    from isotp import clock
    from sessions.models import Attendance, Membership, ScheduledSession, SessionStatus
    from sessions.selectors.groups import memberships_delivered_in_area

    if not can_take_register(user):
        return Membership.objects.none()
    today = clock.today()
    # No joined group or plan to filter on: eight joined tables cost 20 ms of planning (issue 11).
    qs = memberships_delivered_in_area(user)
    later = ScheduledSession.objects.filter(date__gt=today).exclude(
        status=SessionStatus.CANCELLED_BY_PROVIDER
    )
    # A member has a group or a plan, never both: one subquery each, each on its own (owner, date) index.
    remaining = Exists(later.filter(group_id=OuterRef("group_id"))) | Exists(
        later.filter(plan_id=OuterRef("plan_id"))
    )
    started = Attendance.objects.filter(membership=OuterRef("pk"))
    reported = PostProgrammeReport.objects.filter(membership=OuterRef("pk"))
    return (
        qs.filter(~Exists(reported))
        .filter(
            Q(status__in=["sessions_complete", "completed"])
            | (Q(status="active") & ~remaining)
            | (Q(status__in=["removed", "restart_required"]) & Exists(started))
        )
        .select_related("referral__person", "group", "plan")
        .order_by("left_on", "joined_on", "id")
    )
