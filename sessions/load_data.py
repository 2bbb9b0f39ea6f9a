"""Load data set (issue 11): groups and one-to-one plans over ten years, their sessions, members and attendance.

Clash-free by construction: each area runs its groups in "lanes", one group after another, each lane with its own
venue, weekdays and facilitators (so no venue or facilitator is ever booked twice at once, as the product
requires); sessions skip the area's bank holidays. A group is completed (dated its last session, as
sessions.services.completion dates it: every session before today is delivered with its register), running or
planned by its dates (a few planned ones are cancelled, with no members). Members' referrals are written through the referrals hook's
`ReferralWriter`, so each status matches its group. Attendance is recorded for every delivered session.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Role
from isotp.loadgen import GROUP_LANES, MEMBERS_PER_GROUP, YEARS, Context, Rows
from referrals.load_data import PATH, ReferralWriter
from referrals.rules import REASON_CHOICES
from referrals.rules.transitions import ReferralStatus
from sessions.models import (
    Attendance,
    CatchUp,
    EnforcementAction,
    GroupFacilitator,
    GroupSlot,
    Membership,
    OneToOnePlan,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
)
from sessions.rules import bank_holidays

# Group lane k: venue k, facilitators 2k and 2k+1; plan lane k: venue GROUP_LANES + k, the facilitator after the
# group lanes' (an area with few groups has fewer lanes: isotp.loadgen.area_counts).
GROUP_CODES = [("isotp_group", "isotp"), ("isotp_group", "isotp"), ("nsogp_core_group", "nsogp")]
OUTCOMES = [
    ("attended", 92),
    ("late", 4),
    ("acceptable_absence", 2),
    ("unacceptable_absence", 1.5),
    ("sent_home", 0.5),
]
ATTENDED = frozenset({"attended", "late"})
MAX_MISSED = 2


def _sessions_of(entry: Programme) -> list[tuple[int, str, int | None]]:
    """(module, title, block) for each session, using each module's fixed or minimum count."""
    out: list[tuple[int, str, int | None]] = []
    for module in entry.modules:
        count = module.get("sessions") or module.get("sessions_min") or 1
        out += [(module["number"], module["title"][:150], module.get("block"))] * count
    return out


def _lane_starts(today: dt.date, first: dt.date, lane: int, n: int, minimum: int) -> list[dt.date]:
    """Start dates of a lane's n groups, oldest first, at least `minimum` days apart, spread back to `first`.
    Lanes take turns for their latest group: running now (lane 0, so an area with a single group has a register
    to take), completed a few months ago, or planned."""
    last = today + dt.timedelta(days=(-30, -220, 20)[lane % 3] - 5 * lane)
    step = max(minimum, (last - first).days // max(1, n - 1))
    return [last - dt.timedelta(days=step * (n - 1 - j)) for j in range(n)]


def _dates(start: dt.date, weekdays: tuple[int, ...], n: int, holidays: set[dt.date]) -> list[dt.date]:
    out: list[dt.date] = []
    day = start
    while len(out) < n:
        if day.weekday() in weekdays and day not in holidays:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _member_path(
    status: str, n: int, k: int, start: dt.date, last: dt.date
) -> tuple[list[str], str, Any, str]:
    """The k-th of n members of a group or plan in `status`: (referral path, membership status, left on, next).
    A finished group of four or more loses its last member to deselection and the one before to a restart."""
    if status == "planned":
        return PATH[:6], "active", None, ""
    if status == "running":
        return PATH, "active", None, ""
    if n >= 4 and k == n - 1:
        return (
            [*PATH, ReferralStatus.DESELECTED],
            "removed",
            start + (last - start) / 2,
            ReferralStatus.DESELECTED,
        )
    if n >= 4 and k == n - 2:
        return [*PATH, ReferralStatus.RESTART_REQUIRED], "restart_required", start + (last - start) / 3, ""
    return [*PATH, ReferralStatus.COMPLETED], "completed", last, ""


@dataclass
class _Generator:
    """The rows of every area's groups and plans, gathered before they are copied in."""

    ctx: Context
    catalogue: dict[str, Programme]
    holidays: dict[str, set[dt.date]]
    span_start: dt.date
    writer: ReferralWriter
    groups: Rows = field(default_factory=list)
    slots: Rows = field(default_factory=list)
    sessions: Rows = field(default_factory=list)
    session_staff: Rows = field(default_factory=list)
    links: Rows = field(default_factory=list)
    memberships: Rows = field(default_factory=list)
    plans: Rows = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.ctx.today

    def add_sessions(self, owner: tuple[int | None, int | None, int], entry: Programme, dates: list[dt.date],
                     titles: list[tuple[int, str, int | None]], venue: int, staff: list[int],
                     cancelled: bool) -> list[tuple[int, dt.date]]:  # fmt: skip
        ctx, today = self.ctx, self.today
        ids = ctx.new_ids(ScheduledSession, len(dates))
        start = entry.default_start_time
        end_minutes = min(start.hour * 60 + start.minute + entry.session_minutes, 23 * 60 + 59)
        end = dt.time(end_minutes // 60, end_minutes % 60)
        done = []
        for number, (session_id, day) in enumerate(zip(ids, dates, strict=True), start=1):
            module, title, block = titles[min(number, len(titles)) - 1]
            status = "cancelled_by_provider" if cancelled else "delivered" if day < today else "scheduled"
            taken = (ctx.at(day, 21), staff[0]) if status == "delivered" else (None, None)
            self.sessions.append((session_id, ctx.uuid(), *owner, number, module, title, block, day, start, end,
                                  venue, status, *taken))  # fmt: skip
            self.session_staff.extend((session_id, user_id) for user_id in staff)
            if status == "delivered":
                done.append((session_id, day))
        return done

    def members(self, area_id: int, programme: str, format: str, start: dt.date, last: dt.date, n: int,
                status: str) -> list[tuple[int, str, dt.date | None, str]]:  # fmt: skip
        """n referrals for a group or plan in `status`; (referral id, membership status, left on, next)."""
        ctx, today = self.ctx, self.today
        out: list[tuple[int, str, dt.date | None, str]] = []
        created = min(start - dt.timedelta(days=150), today - dt.timedelta(days=90))
        for k in range(n):
            if not ctx.ids["free_people"][area_id]:
                break
            person = ctx.ids["free_people"][area_id].pop()
            path, state, left, next_status = _member_path(status, n, k, start, last)
            code = ctx.rng.choice(REASON_CHOICES[path[-1]])[0] if path[-1] in REASON_CHOICES else ""
            referral_id = self.writer.add(
                person=person, programme=programme, format=format, path=path, created=created, step_days=10,
                reason_code=code,
            )  # fmt: skip
            out.append((referral_id, state, left, next_status))
        return out

    def area_groups(self, a: int, area_id: int, code: str) -> None:
        """The area's groups, in GROUP_LANES lanes."""
        ctx, today = self.ctx, self.today
        staff = ctx.ids["staff"][area_id]
        tms, facs = staff[Role.TREATMENT_MANAGER], staff[Role.FACILITATOR]
        venues = ctx.ids["venues"][area_id]
        bank = self.holidays[ctx.ids["jurisdictions"][area_id]]
        n_groups, lanes = ctx.per_area[a]["groups"], ctx.per_area[a]["group_lanes"]
        per_lane = math.ceil(n_groups / lanes)
        lane_starts = [_lane_starts(today, self.span_start, lane, per_lane, 140) for lane in range(lanes)]
        for k in range(n_groups):
            lane, j = k % lanes, k // lanes
            entry = self.catalogue[ctx.rng.choice(GROUP_CODES)[0]]
            titles = _sessions_of(entry)
            weekdays = (lane % 3, lane % 3 + 2)
            dates = _dates(lane_starts[lane][j], weekdays, len(titles), bank)
            start, last = dates[0], dates[-1]
            status = "completed" if last < today else "running" if start <= today else "planned"
            cancelled = status == "planned" and k % 7 == 3
            (group_id,) = ctx.new_ids(ProgrammeGroup, 1)
            tm, pair, venue = tms[k % len(tms)], [facs[2 * lane], facs[2 * lane + 1]], venues[lane]
            self.groups.append((group_id, ctx.uuid(), area_id, entry.id, f"{code}-{entry.programme.upper()}-{start.year}-{k + 1:03d}",
                                f"{start:%B %Y} group", venue, tm, min(10, entry.group_max), entry.group_max,
                                entry.min_age, entry.max_age, start, "cancelled" if cancelled else status, tm,
                                ctx.at(start - dt.timedelta(days=60)),
                                last if status == "completed" else None))  # fmt: skip
            self.slots.extend((group_id, None, day, entry.default_start_time) for day in weekdays)
            self.links.extend((group_id, user_id) for user_id in pair)
            done = self.add_sessions((group_id, None, area_id), entry, dates, titles, venue, pair, cancelled)
            people = (
                []
                if cancelled
                else self.members(area_id, entry.programme, "group", start, last, MEMBERS_PER_GROUP, status)
            )
            ids = ctx.new_ids(Membership, len(people))
            member_rows = []
            for membership_id, (referral_id, state, left, next_status) in zip(ids, people, strict=True):
                self.memberships.append((membership_id, ctx.uuid(), group_id, None, area_id, referral_id, start, left,
                                         state, "", "Deselected after unacceptable absences" if state == "removed" else "",
                                         next_status, tm, tm if state == "removed" else None))  # fmt: skip
                member_rows.append((membership_id, left, referral_id))
            self.delivered.append({"done": done, "members": member_rows, "recorder": pair[0], "venue": venue,
                                   "tm": tm, "homework": entry.homework_required})  # fmt: skip

    def area_plans(self, a: int, area_id: int, code: str) -> None:
        """The area's one-to-one plans, in PLAN_LANES lanes."""
        ctx, today = self.ctx, self.today
        staff = ctx.ids["staff"][area_id]
        tms, facs = staff[Role.TREATMENT_MANAGER], staff[Role.FACILITATOR]
        venues = ctx.ids["venues"][area_id]
        bank = self.holidays[ctx.ids["jurisdictions"][area_id]]
        n_plans, lanes = ctx.per_area[a]["plans"], ctx.per_area[a]["plan_lanes"]
        group_lanes = ctx.per_area[a]["group_lanes"]
        entry = self.catalogue["isotp_one_to_one"]
        guidance = _sessions_of(entry)
        titles = guidance[:30] if len(guidance) >= 20 else guidance + [guidance[-1]] * (20 - len(guidance))
        per_module: dict[str, int] = {}
        for module, _title, _block in titles:
            per_module[str(module)] = per_module.get(str(module), 0) + 1
        per_lane = max(1, math.ceil(n_plans / lanes))
        lane_starts = [_lane_starts(today, self.span_start, lane + 1, per_lane, 130) for lane in range(lanes)]
        for k in range(n_plans):
            lane, j = k % lanes, k // lanes
            weekdays = (lane + 1, lane + 3)
            dates = _dates(lane_starts[lane][j], weekdays, len(titles), bank)
            start, last = dates[0], dates[-1]
            status = "completed" if last < today else "running" if start <= today else "planned"
            (plan_id,) = ctx.new_ids(OneToOnePlan, 1)
            tm, facilitator, venue = (
                tms[k % len(tms)],
                facs[2 * group_lanes + lane],
                venues[GROUP_LANES + lane],
            )
            people = self.members(area_id, "isotp", "one_to_one", start, last, 1, status)
            if not people:
                continue
            ((referral_id, state, left, next_status),) = people
            self.plans.append((plan_id, ctx.uuid(), area_id, entry.id, referral_id, f"{code}-121-{start.year}-{k + 1:03d}",
                               facilitator, tm, venue, dict(per_module), len(titles), start, status, tm,
                               ctx.at(start - dt.timedelta(days=30)),
                               last if status == "completed" else None))  # fmt: skip
            self.slots.extend((None, plan_id, day, entry.default_start_time) for day in weekdays)
            done = self.add_sessions(
                (None, plan_id, area_id), entry, dates, titles, venue, [facilitator], False
            )
            (membership_id,) = ctx.new_ids(Membership, 1)
            self.memberships.append((membership_id, ctx.uuid(), None, plan_id, area_id, referral_id, start, left, state,
                                     "", "", next_status, tm, None))  # fmt: skip
            self.delivered.append({"done": done, "members": [(membership_id, left, referral_id)],
                                   "recorder": facilitator, "venue": venue, "tm": tm,
                                   "homework": entry.homework_required})  # fmt: skip

    def write(self) -> None:
        """Copy every row in, the referrals first; attendance, catch-ups and enforcement streamed last."""
        ctx = self.ctx
        self.writer.flush()
        ctx.copy(
            ProgrammeGroup,
            ["id", "public_id", "area_id", "programme_id", "reference", "name", "venue_id", "treatment_manager_id",
             "capacity", "group_max", "age_min", "age_max", "start_date", "status", "created_by_id", "created_at",
             "completed_on"],
            self.groups,
        )  # fmt: skip
        ctx.copy(GroupFacilitator, ["group_id", "facilitator_id"], self.links)
        ctx.copy(
            OneToOnePlan,
            ["id", "public_id", "area_id", "programme_id", "referral_id", "reference", "facilitator_id",
             "treatment_manager_id", "venue_id", "sessions_per_module", "total_sessions", "start_date", "status",
             "created_by_id", "created_at", "completed_on"],
            self.plans,
        )  # fmt: skip
        ctx.copy(GroupSlot, ["group_id", "plan_id", "weekday", "start_time"], self.slots)
        plan_ids = {row[0] for row in self.plans}
        sessions = [row for row in self.sessions if row[3] is None or row[3] in plan_ids]
        kept = {row[0] for row in sessions}
        ctx.copy(
            ScheduledSession,
            ["id", "public_id", "group_id", "plan_id", "delivery_area_id", "number", "module", "module_title",
             "block", "date", "start", "end", "venue_id", "status", "register_taken_at", "register_taken_by_id"],
            sessions,
        )  # fmt: skip
        ctx.copy(
            ScheduledSession.facilitators.through,
            ["scheduledsession_id", "user_id"],
            (r for r in self.session_staff if r[0] in kept),
        )
        ctx.copy(
            Membership,
            ["id", "public_id", "group_id", "plan_id", "delivery_area_id", "referral_id", "joined_on", "left_on", "status",
             "removal_reason_code", "removal_reason", "next_status", "allocated_by_id", "removed_by_id"],
            self.memberships,
        )  # fmt: skip
        catch_ups: Rows = []
        enforcement: Rows = []
        ctx.copy(
            Attendance,
            ["membership_id", "session_id", "outcome", "sent_home_acceptable", "homework_done", "recorded_by_id",
             "recorded_at"],
            _attendance(ctx, self.delivered, catch_ups, enforcement),
        )  # fmt: skip
        ctx.copy(
            CatchUp,
            ["public_id", "membership_id", "missed_session_id", "date", "start", "end", "venue_id",
             "facilitator_id", "outcome", "booked_by_id", "recorded_by_id", "created_at"],
            catch_ups,
        )  # fmt: skip
        ctx.copy(
            EnforcementAction,
            ["public_id", "referral_id", "kind", "on", "recorded_by_id", "recorded_at"],
            enforcement,
        )


def generate(ctx: Context) -> None:
    """Groups and plans per area in lanes; sessions, facilitators, members, referrals of members, attendance."""
    catalogue = {
        p.code: p
        for p in Programme.objects.filter(area__isnull=True, valid_until__isnull=True).order_by("code")
    }
    span_start = ctx.today - dt.timedelta(days=365 * YEARS)
    years = range(span_start.year, ctx.today.year + 3)
    holidays = {j: set(bank_holidays(j, years)) for j in set(ctx.ids["jurisdictions"].values())}
    generator = _Generator(
        ctx, catalogue=catalogue, holidays=holidays, span_start=span_start, writer=ReferralWriter(ctx)
    )
    for a, area_id in enumerate(ctx.ids["areas"]):
        code = ctx.ids["area_codes"][area_id].upper()[:6]
        generator.area_groups(a, area_id, code)
        generator.area_plans(a, area_id, code)
    generator.write()


def _attendance(
    ctx: Context, delivered: list[dict[str, Any]], catch_ups: Rows, enforcement: Rows
) -> Iterator[tuple[Any, ...]]:
    """One outcome per member per delivered session up to the day they left (streamed: millions at S=1).

    domain.md §6: every missed session is caught up (attended) the next day, before the next group session, so
    no later attendance is one the product would refuse; a member misses at most MAX_MISSED sessions (under every
    programme's catch-up limit) and a session at most three members. An unacceptable absence is followed by a
    warning, a second by breach action (enforcement as the OM would record it)."""
    outcomes = [o for o, _ in OUTCOMES]
    weights = [w for _, w in OUTCOMES]
    rng = ctx.rng
    for group in delivered:
        missed_by: dict[int, int] = {}
        for membership_id, left, referral_id in group["members"]:
            misses = failures = 0
            for session_id, day in group["done"]:
                if left is not None and day > left:
                    break
                outcome = rng.choices(outcomes, weights)[0]
                if outcome not in ATTENDED and (misses >= MAX_MISSED or missed_by.get(session_id, 0) >= 3):
                    outcome = "attended"
                acceptable = rng.random() < 0.5 if outcome == "sent_home" else None
                homework = (rng.random() < 0.85) if group["homework"] and outcome in ATTENDED else None
                yield (
                    membership_id,
                    session_id,
                    outcome,
                    acceptable,
                    homework,
                    group["recorder"],
                    ctx.at(day, 21),
                )
                if outcome in ATTENDED:
                    continue
                misses += 1
                k = missed_by[session_id] = missed_by.get(session_id, 0) + 1
                catch_up_day = day + dt.timedelta(days=1)
                catch_ups.append(
                    (ctx.uuid(), membership_id, session_id, catch_up_day, dt.time(15 + k, 0), dt.time(15 + k, 55),
                     group["venue"], group["recorder"], "attended", group["tm"], group["recorder"], ctx.at(day, 22))
                )  # fmt: skip
                if outcome == "unacceptable_absence" or (outcome == "sent_home" and not acceptable):
                    failures += 1
                    kind = "warning" if failures == 1 else "breach"
                    on = day + dt.timedelta(days=3)
                    enforcement.append((ctx.uuid(), referral_id, kind, on, group["tm"], ctx.at(on)))
