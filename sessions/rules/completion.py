"""When a group's or a one-to-one plan's programme is over (pure: no Django, "today" passed in).

Sources: domain.md §2 gives each programme a fixed number of sessions (000: 35 for the i-SOTP group, 20 to 30 for a
one-to-one plan; 002: the Core Group's four blocks, the Relapse Prevention group's 12); §5 and §6 say a session the
provider cancels is rescheduled for everyone, so it is never delivered and never outstanding. The programme is
over when no session is still to come and every delivered session's register is taken: then the group or plan is
`completed`. The sources are silent on when a group "ends"; the product's reading:

- A closed group and a one-to-one plan end with their schedule: the register of the last remaining session.
- A rolling group (the N-SOGP Core Group, 002: members join at block boundaries) and an open-ended one have no end
  of their own: members finishing never ends them (a new member may join at the next boundary). They end when their
  schedule does (the same test) or when the treatment manager closes them, under the same conditions.
- A session that had nobody on it (every member had left) needs no register; a group that never delivered a
  session was not completed (it is cancelled, not completed).

Completing never changes a membership or a referral: a member with a catch-up still to attend stays active and
completes it (domain.md §6: a catch-up is an individual session of its own); reports follow the members' own status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sessions.rules.schedule import format_date

# Refusal codes (409): the API and the pages show the message; the code is the contract.
ALREADY_COMPLETED = "ALREADY_COMPLETED"
OWNER_CANCELLED = "OWNER_CANCELLED"
NOTHING_DELIVERED = "NOTHING_DELIVERED"
SESSIONS_TO_COME = "SESSIONS_TO_COME"
REGISTERS_MISSING = "REGISTERS_MISSING"

OPEN_STATUSES = frozenset({"planned", "running"})
NAMED = 3  # sessions named in a refusal before "and N more"


@dataclass(frozen=True)
class SessionState:
    """One live (not cancelled) session of a group or plan, as the completion rule sees it."""

    number: int
    date: dt.date
    recorded: bool  # delivered: its register was taken, or any member's attendance recorded at it
    had_members: bool  # someone was a member on its day, so its register is needed


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    sessions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Completion:
    """The programme is over: the day of its last delivered session and why, in plain English."""

    last_delivered: dt.date
    reason: str


def _sessions_named(sessions: Sequence[SessionState]) -> str:
    """'session 3 on Monday 2 March 2026, session 4 on ... and 2 more'."""
    named = [f"session {s.number} on {format_date(s.date)}" for s in sessions[:NAMED]]
    more = len(sessions) - len(named)
    if more:
        return ", ".join(named) + f" and {more} more"
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def _ordered(sessions: Sequence[SessionState]) -> list[SessionState]:
    return sorted(sessions, key=lambda s: (s.date, s.number))


def sessions_to_come(sessions: Sequence[SessionState], *, today: dt.date) -> list[SessionState]:
    """The sessions still to come on `today`, by date then number: not yet delivered (no register taken, no
    attendance recorded) and dated today or later. Source: domain.md §2 (a programme's fixed sessions) and §5, §6
    (a session the provider cancels is never outstanding: callers pass live sessions only); the product's reading
    (module docstring): a session dated today is still to come until its register is taken."""
    return [s for s in _ordered(sessions) if not s.recorded and s.date >= today]


def completion(
    *, name: str, kind: str, status: str, sessions: Sequence[SessionState], today: dt.date
) -> Completion | Refusal:
    """Whether the group or plan `name` (kind "group" or "plan") is over on `today`; a refusal says why not.

    Still to come: a session not yet delivered dated today or later. Registers missing: a past session that had
    members and no register. Both are named (the first three, then how many more)."""
    if status == "completed":
        return Refusal(ALREADY_COMPLETED, f"{name} is already completed.")
    if status not in OPEN_STATUSES:
        return Refusal(OWNER_CANCELLED, f"{name} is cancelled: a cancelled {kind} is not completed.")
    ordered = _ordered(sessions)
    to_come = sessions_to_come(ordered, today=today)
    if to_come:
        count = len(to_come)
        return Refusal(
            SESSIONS_TO_COME,
            f"{count} session{'s are' if count != 1 else ' is'} still to be delivered ({_sessions_named(to_come)}): "
            f"the {kind} is completed once its last session's register is taken.",
            tuple(s.number for s in to_come),
        )
    missing = [s for s in ordered if not s.recorded and s.had_members]
    if missing:
        count = len(missing)
        return Refusal(
            REGISTERS_MISSING,
            f"The register{'s' if count != 1 else ''} of {_sessions_named(missing)} "
            f"{'have' if count != 1 else 'has'} not been taken: take {'them' if count != 1 else 'it'} first.",
            tuple(s.number for s in missing),
        )
    delivered = [s for s in ordered if s.recorded]
    if not delivered:
        return Refusal(
            NOTHING_DELIVERED,
            f"No session of {name} has been delivered: a {kind} that never ran is not completed.",
        )
    last = delivered[-1]
    return Completion(
        last_delivered=last.date,
        reason=f"Every session has been delivered or cancelled: the last, session {last.number}, was on "
        f"{format_date(last.date)}.",
    )
