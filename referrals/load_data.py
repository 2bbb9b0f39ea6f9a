"""Load data set (issue 11): people with convictions, sentences and risk records, and their referrals.

The referrals that become group or plan members are written by the sessions hook through `ReferralWriter`, so a
member's referral status always matches its group (allocated, on programme, completed, deselected, restart
required); this hook writes every other referral, in every status before allocation. Each person has at most one
referral, so "one open referral per person and programme" holds by construction.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from accounts.models import Role
from isotp.loadgen import MEMBERS_PER_GROUP, Context, Rows
from referrals.models import (
    Conviction,
    DevianceAssessment,
    Offence,
    Ogrs3Assessment,
    Person,
    Referral,
    ReferralStatusChange,
    RiskMatrixAssessment,
    RoshAssessment,
    Sentence,
)
from referrals.rules import REASON_CHOICES, RISK_LEVELS
from referrals.rules.transitions import ReferralStatus

FIRST = [
    "James", "John", "David", "Michael", "Paul", "Andrew", "Mark", "Richard", "Peter", "Steven", "Robert", "Gary",
    "Christopher", "Daniel", "Matthew", "Lee", "Craig", "Wayne", "Darren", "Liam", "Ryan", "Aaron", "Dean", "Karl",
    "Mohammed", "Adam", "Jamie", "Thomas", "Shaun", "Stuart",
]  # fmt: skip
LAST = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan",
    "Lewis", "Harris", "Turner", "Hill", "Cooper", "Ward", "Morris", "Moore", "Baker",
]  # fmt: skip
CRN_LETTERS = "ABCDEFGHJKLMNPRSTUVX"
# Referrals not in a group or plan, by status (weights); parked ones return to where they came from.
S = ReferralStatus
WAITING_STATUSES: list[tuple[str, int]] = [
    (S.DRAFT, 8), (S.SUBMITTED, 8), (S.ASSESSMENT, 10), (S.SUITABLE, 5), (S.NOT_SUITABLE, 10),
    (S.SUITABLE_NOT_READY, 4), (S.ON_HOLD, 4), (S.AWAITING_ALLOCATION, 30), (S.WITHDRAWN, 16),
]  # fmt: skip
PATH: list[str] = [
    ReferralStatus.DRAFT,
    ReferralStatus.SUBMITTED,
    ReferralStatus.ASSESSMENT,
    ReferralStatus.SUITABLE,
    ReferralStatus.AWAITING_ALLOCATION,
    ReferralStatus.ALLOCATED,
    ReferralStatus.ON_PROGRAMME,
]
RETURNS_TO: dict[str, list[str]] = {ReferralStatus.ON_HOLD: [ReferralStatus.SUBMITTED, ReferralStatus.ASSESSMENT, ReferralStatus.SUITABLE, ReferralStatus.AWAITING_ALLOCATION],
              ReferralStatus.SUITABLE_NOT_READY: [ReferralStatus.ASSESSMENT, ReferralStatus.SUITABLE, ReferralStatus.AWAITING_ALLOCATION]}  # fmt: skip

REFERRAL_COLUMNS = [
    "id", "public_id", "person_id", "area_id", "programme", "format", "status", "returns_to", "planned_start",
    "referred_by_id", "created_at", "submitted_at", "updated_at", "awaiting_since", "other_information_answered_at",
]  # fmt: skip
CHANGE_COLUMNS = ["referral_id", "from_status", "to_status", "reason_code", "reason", "actor_id", "at"]


class ReferralWriter:
    """Buffers referrals and their status history; `flush()` copies both."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rows: list[tuple[Any, ...]] = []
        self.changes: list[tuple[Any, ...]] = []

    def add(
        self, *, person: tuple[int, int, int], programme: str, format: str, path: list[str], created: dt.date,
        step_days: int = 14, returns_to: str = "", reason_code: str = "",
    ) -> int:  # fmt: skip
        """A referral of `person` (id, area, offender manager) that went through `path`; returns its id."""
        ctx = self.ctx
        person_id, area_id, om_id = person
        (referral_id,) = ctx.new_ids(Referral, 1)
        status = path[-1]
        created_at = ctx.at(created)
        submitted = (
            ctx.at(created + dt.timedelta(days=step_days)) if ReferralStatus.SUBMITTED in path else None
        )
        awaiting = None
        previous = ""
        for k, step in enumerate(path):
            at = ctx.at(created + dt.timedelta(days=step_days * k), 11)
            if step == ReferralStatus.AWAITING_ALLOCATION:
                awaiting = at
            code = reason_code if step == status and step in REASON_CHOICES else ""
            reason = "Recorded for the load data set" if code else ""
            self.changes.append((referral_id, previous, step, code, reason, om_id, at))
            previous = step
        planned = created + dt.timedelta(days=120)
        updated = ctx.at(created + dt.timedelta(days=step_days * (len(path) - 1)), 11)
        self.rows.append(
            (referral_id, ctx.uuid(), person_id, area_id, programme, format, status, returns_to, planned, om_id,
             created_at, submitted, updated, awaiting, created_at)
        )  # fmt: skip
        return referral_id

    def flush(self) -> None:
        self.ctx.copy(Referral, REFERRAL_COLUMNS, self.rows)
        self.ctx.copy(ReferralStatusChange, CHANGE_COLUMNS, self.changes)
        self.rows, self.changes = [], []


def generate(ctx: Context) -> None:
    """People (with convictions, a sentence, RM2000, RoSH, some OGRS3 and deviance) and the waiting referrals."""
    people = _people(ctx)
    _records(ctx, people)
    _waiting_referrals(ctx, _free_people(ctx, people))


def _people(ctx: Context) -> list[tuple[int, int, int]]:
    """The people, area by area (each its share, `ctx.per_area`), spread over the area's offender managers:
    (person id, area id, OM id)."""
    rng, today = ctx.rng, ctx.today
    staff = ctx.ids["staff"]
    person_ids = iter(ctx.new_ids(Person, ctx.counts["people"]))
    people: list[tuple[int, int, int]] = []
    rows: Rows = []
    k = 0
    for area_id, counts in zip(ctx.ids["areas"], ctx.per_area, strict=True):
        oms = staff[area_id][Role.OFFENDER_MANAGER]
        for j in range(counts["people"]):
            person_id = next(person_ids)
            om_id = oms[j % len(oms)]
            crn = f"{CRN_LETTERS[k % len(CRN_LETTERS)]}{k // len(CRN_LETTERS):06d}"
            k += 1
            born = today - dt.timedelta(days=rng.randint(33 * 365, 75 * 365))
            added = ctx.at(today - dt.timedelta(days=rng.randint(30, 3650)))
            iq = rng.randint(70, 130) if rng.random() < 0.3 else None
            rows.append(
                (person_id, ctx.uuid(), crn, rng.choice(FIRST), rng.choice(LAST), born,
                 "male" if rng.random() < 0.98 else "female", iq, iq is not None and iq < 75, area_id, om_id, om_id,
                 added, added)
            )  # fmt: skip
            people.append((person_id, area_id, om_id))
    ctx.copy(
        Person,
        ["id", "public_id", "crn", "first_name", "last_name", "date_of_birth", "sex", "iq", "learning_disability",
         "area_id", "offender_manager_id", "created_by_id", "created_at", "updated_at"],
        rows,
    )  # fmt: skip
    return people


def _records(ctx: Context, people: list[tuple[int, int, int]]) -> None:
    """Each person's convictions, sentence and risk (RM2000, RoSH; some OGRS3 and deviance)."""
    rng, today = ctx.rng, ctx.today
    offences = list(Offence.objects.filter(active=True).order_by("code").values_list("id", flat=True))
    convictions: Rows = []
    sentences: Rows = []
    rm2000: Rows = []
    rosh: Rows = []
    ogrs3: Rows = []
    deviance: Rows = []
    for person_id, _area_id, om_id in people:
        convicted = today - dt.timedelta(days=rng.randint(200, 3650))
        for n in range(1 + (rng.random() < 0.4)):
            day = convicted - dt.timedelta(days=400 * n)
            offence_day = day - dt.timedelta(days=rng.randint(30, 600))
            convictions.append(
                (ctx.uuid(), person_id, rng.choice(offences), day, offence_day, om_id, ctx.at(day))
            )
        start = convicted + dt.timedelta(days=14)
        basis = rng.choice(["community_order", "suspended_sentence_order", "licence"])
        end = start + dt.timedelta(days=rng.randint(730, 1825))
        sentences.append((person_id, basis, True, start, end, om_id, ctx.at(start)))
        rm2000.append(
            (
                person_id,
                *(rng.choice(RISK_LEVELS) for _ in range(3)),
                start,
                "OASys assessor",
                om_id,
                ctx.at(start),
            )
        )
        rosh.append((person_id, rng.choice(RISK_LEVELS), start, om_id, ctx.at(start)))
        if rng.random() < 0.5:
            one = round(rng.uniform(0.02, 0.6), 6)
            two = round(min(1.0, one + rng.uniform(0, 0.2)), 6)
            band = "low" if two < 0.5 else "medium" if two < 0.75 else "high"
            ogrs3.append((person_id, one, two, band, start, om_id, ctx.at(start)))
        if rng.random() < 0.3:
            level = rng.choice(["low", "high"])
            deviance.append(
                (person_id, level, "Clinical interview and offence history", om_id, ctx.at(start))
            )
    ctx.copy(
        Conviction,
        [
            "public_id",
            "person_id",
            "offence_id",
            "conviction_date",
            "offence_date",
            "recorded_by_id",
            "recorded_at",
        ],
        convictions,
    )
    ctx.copy(
        Sentence,
        ["person_id", "legal_basis", "programme_requirement", "start_date", "supervision_end_date",
         "recorded_by_id", "recorded_at"],
        sentences,
    )  # fmt: skip
    ctx.copy(
        RiskMatrixAssessment,
        ["person_id", "s", "v", "c", "assessed_on", "assessor", "recorded_by_id", "recorded_at"],
        rm2000,
    )
    ctx.copy(RoshAssessment, ["person_id", "level", "assessed_on", "recorded_by_id", "recorded_at"], rosh)
    ctx.copy(
        Ogrs3Assessment,
        ["person_id", "one_year", "two_year", "band", "assessed_on", "recorded_by_id", "recorded_at"],
        ogrs3,
    )
    ctx.copy(
        DevianceAssessment, ["person_id", "level", "rationale", "recorded_by_id", "recorded_at"], deviance
    )


def _free_people(ctx: Context, people: list[tuple[int, int, int]]) -> dict[int, list[tuple[int, int, int]]]:
    """People free for a referral, per area, in a seeded order; the sessions hook takes its members from here."""
    free: dict[int, list[tuple[int, int, int]]] = {area_id: [] for area_id in ctx.ids["areas"]}
    for person in people:
        free[person[1]].append(person)
    for pool in free.values():
        ctx.rng.shuffle(pool)
    ctx.ids["free_people"] = free
    return free


def _waiting_referrals(ctx: Context, free: dict[int, list[tuple[int, int, int]]]) -> None:
    """Referrals not in a group or plan, area by area: the area's referrals less its groups' and plans' members,
    every status first, then by weight."""
    rng, today = ctx.rng, ctx.today
    writer = ReferralWriter(ctx)
    statuses = [s for s, _ in WAITING_STATUSES]
    weights = [w for _, w in WAITING_STATUSES]
    for area_id, counts in zip(ctx.ids["areas"], ctx.per_area, strict=True):
        members = MEMBERS_PER_GROUP * counts["groups"] + counts["plans"]
        waiting = max(counts["referrals"] - members, len(statuses))
        for k in range(waiting):
            if not free[area_id]:
                break
            person = free[area_id].pop()
            status = statuses[k] if k < len(statuses) else rng.choices(statuses, weights)[0]
            programme, format = rng.choice([("isotp", "group"), ("isotp", "group"), ("isotp", "one_to_one"),
                                            ("nsogp", "group")])  # fmt: skip
            returns_to = rng.choice(RETURNS_TO[status]) if status in RETURNS_TO else ""
            path = _path_to(status, returns_to, rng)
            code = rng.choice(REASON_CHOICES[status])[0] if status in REASON_CHOICES else ""
            created = today - dt.timedelta(
                days=rng.randint(10, 400) if status != ReferralStatus.WITHDRAWN else rng.randint(30, 3650)
            )
            step = max(1, min(14, (today - created).days // (len(path) + 1)))
            writer.add(
                person=person, programme=programme, format=format, path=path, created=created, step_days=step,
                returns_to=returns_to, reason_code=code,
            )  # fmt: skip
    writer.flush()


def _path_to(status: str, returns_to: str, rng: random.Random) -> list[str]:
    """The statuses a referral passed through to reach `status` (a parked one via where it returns to)."""
    if returns_to:
        return [*PATH[: PATH.index(returns_to) + 1], status]
    if status == ReferralStatus.NOT_SUITABLE:
        return [*PATH[:3], status]
    if status == ReferralStatus.WITHDRAWN:
        return [*PATH[: rng.randint(1, 5)], status]
    return PATH[: PATH.index(status) + 1]
