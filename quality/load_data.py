"""Load data set (issue 11): QA settings, session recordings and monitoring, supervision, proven reoffences.

One delivered session in ten was recorded; the treatment manager monitored the facilitator who took the register
on six in ten of the recordings, a week later. Every facilitator had supervision every two months for two years.
One person in a hundred has a proven reoffence (a few sexual), recorded by his offender manager.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from accounts.models import Role
from isotp.loadgen import Context, Rows
from quality.models import (
    SEXUAL_TYPES,
    MonitoringForm,
    OffenceType,
    QaSettings,
    Reoffence,
    SessionRecording,
    SupervisionRecord,
)
from quality.rules.monitoring import AREAS_OF_PRACTICE
from referrals.models import Person
from sessions.models import ScheduledSession

RECORDED, MONITORED, REOFFENDED = 0.1, 0.6, 0.01


def generate(ctx: Context) -> None:
    rng, today, areas = ctx.rng, ctx.today, ctx.ids["areas"]
    ctx.copy(
        QaSettings,
        ["area_id", "updated_by_id", "updated_at"],
        [(a, ctx.ids["staff"][a][Role.AREA_ADMIN][0], ctx.at(today - dt.timedelta(days=400))) for a in areas],
    )
    sessions = ScheduledSession.objects.filter(status="delivered").order_by("id").values_list(
        "id", "date", "register_taken_by_id", "group__area_id", "plan__area_id", "group__treatment_manager_id",
        "plan__treatment_manager_id",
    )  # fmt: skip
    recordings: Rows = []
    forms: Rows = []
    for session, day, facilitator, g_area, p_area, g_tm, p_tm in sessions.iterator(chunk_size=20_000):
        if rng.random() >= RECORDED:
            continue
        (recording,) = ctx.new_ids(SessionRecording, 1)
        area_id = g_area or p_area
        recordings.append((recording, ctx.uuid(), area_id, session, facilitator, ctx.at(day, 21, 30)))
        viewed = day + dt.timedelta(days=7)
        if rng.random() < MONITORED and viewed <= today:
            ratings = {code: str(rng.choices("1234", [1, 4, 10, 6])[0]) for code in AREAS_OF_PRACTICE}
            forms.append((ctx.uuid(), area_id, recording, facilitator, g_tm or p_tm, viewed, ratings, "",
                          ctx.at(viewed, 14)))  # fmt: skip
    ctx.copy(SessionRecording, ["id", "public_id", "area_id", "session_id", "recorded_by_id", "recorded_at"],
             recordings)  # fmt: skip
    ctx.copy(
        MonitoringForm,
        ["public_id", "area_id", "recording_id", "facilitator_id", "rated_by_id", "viewed_on", "ratings",
         "comments", "created_at"],
        forms,
    )  # fmt: skip

    def supervision() -> Iterator[tuple[Any, ...]]:
        for area_id in areas:
            tms = ctx.ids["staff"][area_id][Role.TREATMENT_MANAGER]
            for k, facilitator in enumerate(ctx.ids["staff"][area_id][Role.FACILITATOR]):
                for months in range(0, 24, 2):
                    held = today - dt.timedelta(days=30 * months + k % 20 + 1)
                    yield (ctx.uuid(), area_id, tms[k % len(tms)], facilitator, held,
                           "Reviewed recent sessions and the group's progress.", "Keep to the manual's timings.",
                           ctx.at(held, 16))  # fmt: skip

    ctx.copy(
        SupervisionRecord,
        ["public_id", "area_id", "treatment_manager_id", "facilitator_id", "held_on", "notes", "actions",
         "recorded_at"],
        supervision(),
    )  # fmt: skip
    people = list(Person.objects.order_by("id").values_list("id", "area_id", "offender_manager_id"))
    types = list(OffenceType.values)
    reoffences: Rows = []
    for index in sorted(rng.sample(range(len(people)), max(1, round(REOFFENDED * len(people))))):
        person, area_id, om = people[index]
        offence_type = rng.choices(types, [1, 1, 3, 4, 2, 1, 3])[0]
        offence_on = today - dt.timedelta(days=rng.randrange(200, 1800))
        proven_on = offence_on + dt.timedelta(days=rng.randrange(60, 200))
        sexual = offence_type in SEXUAL_TYPES or rng.random() < 0.1
        reoffences.append((ctx.uuid(), area_id, person, offence_on, proven_on, offence_type, sexual, om,
                           ctx.at(proven_on + dt.timedelta(days=3))))  # fmt: skip
    ctx.copy(
        Reoffence,
        ["public_id", "area_id", "person_id", "offence_on", "proven_on", "offence_type", "sexual", "recorded_by_id",
         "recorded_at"],
        reoffences,
    )  # fmt: skip
