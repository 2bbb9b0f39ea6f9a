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
    """Every report the user may read, with the person, membership and its group or plan preloaded.

    Five joined tables, not eight: with the programmes and the OM joined too, PostgreSQL spent 14 ms planning the
    list page at national scale against 1 ms running it (issue 11); `reports_for_list` fetches the programmes
    in one more query and `report_for_user` joins the rest for its one row."""
    if not is_staff_member(user):
        return PostProgrammeReport.objects.none()
    qs = PostProgrammeReport.objects.filter(area_id=user.area_id).select_related(  # type: ignore[union-attr]
        "referral__person", "membership__group", "membership__plan"
    )
    if is_treatment_manager(user):
        return qs
    if is_facilitator(user):
        from sessions.models import GroupFacilitator, OneToOnePlan

        # Two small id lists instead of a join of the facilitator links (which multiplied the rows and needed a
        # DISTINCT over every column): a report has one membership, so no row comes twice.
        groups = GroupFacilitator.objects.filter(facilitator_id=user.pk).values("group_id")
        plans = OneToOnePlan.objects.filter(facilitator_id=user.pk).values("id")
        return qs.filter(Q(membership__group_id__in=groups) | Q(membership__plan_id__in=plans))
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
        "membership__group__programme",
        "membership__plan__programme",
        Prefetch("versions", queryset=ReportVersion.objects.order_by("-number")),
    ).order_by("-updated_at", "-id")


def status_counts(user: User | AnonymousUser, statuses: list[str]) -> dict[str, int]:
    """How many of the reports `reports_for_list(user, status=[s])` lists for each of `statuses`, in one grouped
    query (the TM home's two report cards: issue 11, one COUNT each before)."""
    from django.db.models import Count

    counts = dict.fromkeys(statuses, 0)
    rows = (
        reports_for_user(user).filter(status__in=statuses).order_by().values("status").annotate(n=Count("id"))
    )
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


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
        reports_for_list(user).select_related(
            "referral__person__offender_manager",
            "membership__group__programme",
            "membership__plan__programme",
            "approved_by",
            "drafted_by",
            "membership__referral",
        ),
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
    the user delivers to (facilitators) or in the user's area (TMs). One query: the checks are subqueries.

    Read through `membership_report_due_idx`: only the area's memberships with no report (its current members
    and the few awaiting a report), never the area's ten years of reported ones (issue 11). The stored
    `delivery_area` is the group's or plan's area; the referral must be in the area too (as before: a person
    transferred away after leaving is the other area's)."""
    from django.db.models import Exists, OuterRef

    from isotp import clock
    from sessions.models import (
        Attendance,
        Membership,
        OneToOnePlan,
        ProgrammeGroup,
        ScheduledSession,
        SessionStatus,
    )

    if not can_take_register(user):
        return Membership.objects.none()
    area_id = user.area_id  # type: ignore[union-attr]
    today = clock.today()
    qs = Membership.objects.filter(delivery_area_id=area_id, reported=False, referral__area_id=area_id)
    if is_facilitator(user):
        groups = ProgrammeGroup.objects.filter(area_id=area_id, facilitator_links__facilitator_id=user.pk)
        plans = OneToOnePlan.objects.filter(area_id=area_id, facilitator_id=user.pk)
        qs = qs.filter(Q(group_id__in=groups.values("id")) | Q(plan_id__in=plans.values("id")))
    later = ScheduledSession.objects.filter(date__gt=today).exclude(
        status=SessionStatus.CANCELLED_BY_PROVIDER
    )
    # A member has a group or a plan, never both: one subquery each, each on its own (owner, date) index.
    remaining = Exists(later.filter(group_id=OuterRef("group_id"))) | Exists(
        later.filter(plan_id=OuterRef("plan_id"))
    )
    started = Attendance.objects.filter(membership=OuterRef("pk"))
    # `reported` is kept by open_report; the report itself is still checked (one probe of its unique index per
    # candidate), so a report written some other way never leaves its member on the panel.
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
