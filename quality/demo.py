"""Demo quality-assurance data for each demo area, written through the services: the running group's delivered
sessions marked as recorded by their facilitator, a monitoring form on the first, a supervision session for the
demo facilitator, the area's QA targets, and the archive cohorts behind the statistics and outcomes
(quality/demo_cohorts.py). Idempotent: each piece is looked for first. Runs after the sessions
demo (INSTALLED_APPS order); without it it does nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.demo import demo_email
from accounts.models import ProbationArea, User
from isotp import clock
from quality import services
from quality.demo_cohorts import seed_cohorts
from quality.models import MonitoringForm, QaSettings, SessionRecording, SupervisionRecord
from quality.rules.monitoring import AREAS_OF_PRACTICE
from sessions.models import ScheduledSession, SessionStatus

RATINGS = ("3", "4", "3", "2", "3", "4")


def seed(log: list[str]) -> None:
    today = clock.today()
    for area in ProbationArea.objects.filter(code__in=("cheshire", "northumbria")):
        tm = User.objects.filter(email=demo_email("tm", area.code)).first()
        facilitator = User.objects.filter(email=demo_email("facilitator", area.code)).first()
        if tm is None or facilitator is None:
            continue
        staff = {
            local: User.objects.filter(email=demo_email(local, area.code)).first()
            for local in ("tm", "facilitator", "facilitator2", "om", "om2", "om3")
        }
        if all(user is not None for user in staff.values()):
            seed_cohorts(area, staff, log)  # type: ignore[arg-type]
        if not QaSettings.objects.filter(area=area).exists():
            services.update_qa_settings(actor=tm, monitoring_target=Decimal("0.10"), report_days=20)
        delivered = list(
            ScheduledSession.objects.filter(group__area=area, facilitators=facilitator, date__lt=today)
            .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
            .order_by("date")[:3]
        )
        for session in delivered:
            if not SessionRecording.objects.filter(session=session).exists():
                services.mark_recorded(actor=facilitator, session=session)
        first = SessionRecording.objects.filter(area=area).order_by("session__date").first()
        if first is not None and not MonitoringForm.objects.filter(recording=first).exists():
            services.record_monitoring(
                actor=tm,
                recording=first,
                facilitator=facilitator,
                viewed_on=today,
                ratings=dict(zip(AREAS_OF_PRACTICE, RATINGS, strict=True)),
                comments="Warm and well paced; the skills practice ran short. Plan the role-play earlier.",
            )
            log.append(f"QA: a monitoring form for {area.name}")
        if not SupervisionRecord.objects.filter(area=area, facilitator=facilitator).exists():
            services.record_supervision(
                actor=tm,
                facilitator=facilitator,
                held_on=today - dt.timedelta(days=7),
                notes="Reviewed the recording of session 2 together; good use of Socratic questioning.",
                actions="Watch the module 2 training video before session 8.",
            )
