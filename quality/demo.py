"""Demo quality-assurance data for each demo area, written through the services: the running group's delivered
sessions marked as recorded by their facilitator, a monitoring form on the first, a supervision session for the
demo facilitator, the area's QA targets, and the archive cohorts behind the statistics and outcomes
(quality/demo_cohorts.py). Idempotent: each piece is looked for first. Runs after the sessions
demo (INSTALLED_APPS order); without it it does nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import ProbationArea, User
from isotp import clock
from isotp.demo_factory import demo_areas, demo_staff
from quality import services
from quality.demo_cohorts import seed_cohorts
from quality.models import QaSettings, SessionRecording, SupervisionRecord
from quality.rules.monitoring import AREAS_OF_PRACTICE
from sessions.models import ScheduledSession, SessionStatus

RATINGS = ("3", "4", "3", "2", "3", "4")


def seed(log: list[str]) -> None:
    today = clock.today()
    for area in demo_areas():
        staff = demo_staff(area, ("tm", "facilitator", "facilitator2", "om", "om2", "om3"))
        tm, facilitator = staff["tm"], staff["facilitator"]
        if tm is None or facilitator is None:
            continue
        if all(user is not None for user in staff.values()):
            seed_cohorts(area, staff, log)  # type: ignore[arg-type]
        if not QaSettings.objects.filter(area=area).exists():
            services.update_qa_settings(actor=tm, monitoring_target=Decimal("0.10"), report_days=20)
        _seed_recordings(area, tm, today, log)
        if not SupervisionRecord.objects.filter(area=area, facilitator=facilitator).exists():
            services.record_supervision(
                actor=tm,
                facilitator=facilitator,
                # Never before the facilitator's account was created (tester of issue 14, finding B).
                held_on=max(today - dt.timedelta(days=7), timezone.localdate(facilitator.date_joined)),
                notes="Reviewed the recording of session 2 together; good use of Socratic questioning.",
                actions="Watch the module 2 training video before session 8.",
            )


RECORDING_MONTHS = 6  # recordings spread over the last six months (isotp clock), so the QA page looks current
PER_MONTH = 2


def _seed_recordings(area: ProbationArea, tm: User, today: dt.date, log: list[str]) -> None:
    """Up to two delivered sessions a month over the last six months marked as recorded by a facilitator who
    delivered them, and a monitoring form (viewed a few days after the session) on every other one."""
    since = today - dt.timedelta(days=30 * RECORDING_MONTHS)
    if SessionRecording.objects.filter(area=area, session__date__gte=since).exists():
        return
    delivered = (
        ScheduledSession.objects.filter(group__area=area, date__gte=since, date__lt=today)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .filter(facilitators__isnull=False)
        .distinct()
        .prefetch_related("facilitators")
        .order_by("-date", "-start")
    )
    per_month: dict[int, int] = {}
    chosen = []
    for session in delivered:
        month = (today - session.date).days // 30
        if per_month.get(month, 0) >= PER_MONTH:
            continue
        per_month[month] = per_month.get(month, 0) + 1
        chosen.append(session)
    for i, session in enumerate(sorted(chosen, key=lambda s: s.date)):
        facilitator = session.facilitators.all()[0]
        recording = services.mark_recorded(actor=facilitator, session=session)
        if i % 2 == 0:
            services.record_monitoring(
                actor=tm,
                recording=recording,
                facilitator=facilitator,
                viewed_on=min(today, session.date + dt.timedelta(days=4)),
                ratings=dict(zip(AREAS_OF_PRACTICE, RATINGS, strict=True)),
                comments="Warm and well paced; the skills practice ran short. Plan the role-play earlier.",
            )
    log.append(f"QA: {len(chosen)} recorded sessions over the last {RECORDING_MONTHS} months for {area.name}")
