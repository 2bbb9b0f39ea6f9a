"""Attendance, catch-ups and the restart limit (domain.md §6), as pure functions over plain values.

The services hand in a member's sessions (each with its outcome, if recorded, and whether an attended catch-up
closed it) and the programme's restart rule; these functions answer what the member has done, which catch-ups are
outstanding, whether a later session may be attended, and whether the limit forces a restart. No Django here.

Sources:
- 003: "if an offender misses a session he must do an individual catch up session before continuing. No more than
  four sessions can be completed via a catch up, or the offender will have to start the programme again".
- 002 / domain.md §2.4 (N-SOGP, SOGP sentencer leaflet): one missed Core Group session must be caught up before
  continuing; more than two missed sessions in a block -> the whole block is restarted.
- domain.md §6: any absence (acceptable or not) and `sent_home` is a missed session; only an attended catch-up
  closes it; a TM may record an exception (with its reason) that lets the member continue meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time

ATTENDED = "attended"
LATE = "late"
ACCEPTABLE_ABSENCE = "acceptable_absence"
UNACCEPTABLE_ABSENCE = "unacceptable_absence"
SENT_HOME = "sent_home"

OUTCOMES = (ATTENDED, LATE, ACCEPTABLE_ABSENCE, UNACCEPTABLE_ABSENCE, SENT_HOME)
# domain.md §6: `late` is attended; every absence and being sent home is a missed session.
ATTENDED_OUTCOMES = frozenset({ATTENDED, LATE})
MISSED_OUTCOMES = frozenset({ACCEPTABLE_ABSENCE, UNACCEPTABLE_ABSENCE, SENT_HOME})
# A catch-up is an individual session: attended, late (attended) or missed; being sent home is a group matter.
CATCH_UP_OUTCOMES = (ATTENDED, LATE, ACCEPTABLE_ABSENCE, UNACCEPTABLE_ABSENCE)

# The restart rule kinds of the catalogue (sessions.rules.catalogue.RESTART_KINDS).
TOTAL_CATCH_UPS = "total_catch_ups"
MISSED_PER_BLOCK = "missed_per_block"
NO_RESTART = "none"

# Decision codes, shown with their messages on the pages and in the API.
CATCH_UP_OUTSTANDING = "CATCH_UP_OUTSTANDING"
RESTART_REQUIRED = "RESTART_REQUIRED"
BLOCK_RESTART_REQUIRED = "BLOCK_RESTART_REQUIRED"
SESSIONS_COMPLETE = "SESSIONS_COMPLETE"


def upper_first(text: str) -> str:
    """ "session 2 on Monday 2 November 2026" -> "Session 2 on Monday 2 November 2026" (str.capitalize would
    lower-case the day and month)."""
    return text[:1].upper() + text[1:]


def is_missed(outcome: str | None) -> bool:
    """domain.md §6: acceptable and unacceptable absences and being sent home are all missed sessions."""
    return outcome in MISSED_OUTCOMES


def is_failure_to_comply(outcome: str | None, *, sent_home_acceptable: bool | None = None) -> bool:
    """domain.md §6 (CJA 2003 Sch. 8): an unacceptable absence, or being sent home for an unacceptable reason."""
    if outcome == UNACCEPTABLE_ABSENCE:
        return True
    return outcome == SENT_HOME and sent_home_acceptable is False


@dataclass(frozen=True)
class MemberSession:
    """One session of a member's group or plan, as the rules see it."""

    session_id: str
    number: int
    date: date
    block: int | None = None
    start: time | None = None
    outcome: str | None = None  # None: not recorded yet
    caught_up: bool = False  # an attended catch-up (or one-to-one rearrangement) closed this missed session
    exception: bool = False  # a TM let the member continue while this catch-up is outstanding
    label: str = ""  # e.g. "session 4 on Monday 3 May 2027", for messages


@dataclass(frozen=True)
class RestartRule:
    """A programme version's restart rule (catalogue `restart_rule`): `limit` is the most that may be missed."""

    kind: str
    limit: int | None

    @property
    def applies(self) -> bool:
        return self.kind != NO_RESTART and self.limit is not None


@dataclass(frozen=True)
class Progress:
    """What a member has done, and what the limit says about it."""

    total: int
    attended: int
    missed: int
    catch_ups_completed: int
    outstanding: tuple[MemberSession, ...]
    catch_up_limit: int | None
    restart_required: bool
    restart_blocks: tuple[int, ...]
    sessions_complete: bool
    # The missed session that could no longer be caught up (the limit already used): why the restart.
    restart_session: MemberSession | None = None
    codes: tuple[str, ...] = field(default_factory=tuple)
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def catch_ups_left(self) -> int | None:
        if self.catch_up_limit is None:
            return None
        return max(self.catch_up_limit - self.missed, 0)


def _label(s: MemberSession) -> str:
    return s.label or f"session {s.number}"


def _runs(sessions: Sequence[MemberSession]) -> list[list[MemberSession]]:
    """The member's sessions cut into block runs: consecutive sessions of the same block (a rolling group repeats
    its blocks, so block 1 of the second cycle is a new run of block 1)."""
    rows = sorted(sessions, key=lambda s: (s.date, s.start or time.min, s.number))
    runs: list[list[MemberSession]] = []
    for s in rows:
        if s.block is None:
            continue
        if runs and runs[-1][0].block == s.block and runs[-1][-1].number < s.number:
            runs[-1].append(s)
        else:
            runs.append([s])
    return runs


@dataclass(frozen=True)
class BlockRestart:
    """A block run with more than the limit missed: the member restarts that block at the next block boundary."""

    block: int
    over_at: MemberSession  # the missed session that took the run over the limit
    rest: tuple[MemberSession, ...]  # the run's sessions after it (redone with the block)
    restart_at: MemberSession | None  # the first session of the next block boundary, if scheduled


def block_restarts(sessions: Sequence[MemberSession], limit: int) -> tuple[BlockRestart, ...]:
    """002 / domain.md §2.4, §6: more than `limit` missed sessions in a block -> the member restarts that block
    at the next block boundary. A block already redone (a later run of the same block within the limit) no longer
    counts."""
    runs = _runs(sessions)
    out: list[BlockRestart] = []
    for i, run in enumerate(runs):
        missed = [s for s in run if is_missed(s.outcome)]
        if len(missed) <= limit:
            continue
        later_runs = [later for later in runs[i + 1 :] if later[0].block == run[0].block]
        redone = any(all(s.outcome is not None for s in later) for later in later_runs)
        missed_again = any(sum(1 for s in later if is_missed(s.outcome)) > limit for later in later_runs)
        if redone or missed_again:  # done again (or the later run is the one to restart)
            continue
        over = missed[limit]
        out.append(
            BlockRestart(
                block=run[0].block,  # type: ignore[arg-type]
                over_at=over,
                rest=tuple(s for s in run if (s.date, s.number) > (over.date, over.number)),
                restart_at=runs[i + 1][0] if i + 1 < len(runs) else None,
            )
        )
    return tuple(out)


def _run_of(rows: Sequence[MemberSession], restart: BlockRestart) -> list[MemberSession]:
    return next(run for run in _runs(rows) if restart.over_at in run)


def block_restart_message(restart: BlockRestart, limit: int) -> str:
    """The plain-English decision, for pages, the API and emails."""
    when = (
        f"at the next block boundary, {restart.restart_at.label or f'session {restart.restart_at.number}'}"
        if restart.restart_at is not None
        else "at the next block boundary (not yet scheduled)"
    )
    return (
        f"More than {limit} sessions missed in block {restart.block}: the member restarts block "
        f"{restart.block} {when}: the block is redone in full, its missed sessions are not caught up one by one."
    )


def progress(sessions: Iterable[MemberSession], *, rule: RestartRule) -> Progress:
    """The member's progress over their sessions (the live ones of their group or plan from their joining date).

    - 003: with the limit of catch-ups (4 for i-SOTP) reached, a further missed session cannot be caught up: a
      restart is required. The limit counts missed sessions, each of which must be completed by catch-up, so the
      fifth missed session of an i-SOTP member restarts the programme.
    - domain.md §6 one-to-one: a missed session is rearranged; the same limit counts rearrangements.
    - 002 N-SOGP: the limit is per block; a block over it is restarted at the next block boundary, and its missed
      sessions are redone with the block rather than caught up one by one.
    - Every session attended or caught up: sessions complete.
    """
    rows = sorted(sessions, key=lambda s: (s.date, s.start or time.min, s.number))
    attended = sum(1 for s in rows if s.outcome in ATTENDED_OUTCOMES)
    missed_rows = [s for s in rows if is_missed(s.outcome)]
    caught_up = sum(1 for s in missed_rows if s.caught_up)
    codes: list[str] = []
    reasons: list[str] = []
    restart = False
    blocks: tuple[int, ...] = ()
    limit = rule.limit if rule.applies else None
    restart_session = None
    if rule.applies and rule.kind == TOTAL_CATCH_UPS and len(missed_rows) > (rule.limit or 0):
        restart = True
        restart_session = missed_rows[rule.limit or 0]
        codes.append(RESTART_REQUIRED)
        label = _label(restart_session)
        reasons.append(
            f"{label[:1].upper()}{label[1:]} could not be caught up: the {rule.limit} sessions missed before it "
            f"use the limit of {rule.limit} catch-ups, so the programme must be started again."
        )
    restarts: tuple[BlockRestart, ...] = ()
    if rule.applies and rule.kind == MISSED_PER_BLOCK:
        restarts = block_restarts(rows, rule.limit or 0)
        blocks = tuple(sorted({r.block for r in restarts}))
        for r in restarts:
            codes.append(BLOCK_RESTART_REQUIRED)
            reasons.append(block_restart_message(r, rule.limit or 0))
    redone = {s.session_id for r in restarts for s in _run_of(rows, r)}
    outstanding = tuple(s for s in missed_rows if not s.caught_up and s.session_id not in redone)
    if restart:
        outstanding = ()
    for s in outstanding:
        codes.append(CATCH_UP_OUTSTANDING)
        reasons.append(f"A catch-up of {_label(s)} is outstanding: it must be done before continuing.")
    complete = (
        bool(rows)
        and not restart
        and not blocks
        and all(s.outcome in ATTENDED_OUTCOMES or (is_missed(s.outcome) and s.caught_up) for s in rows)
    )
    if complete:
        codes.append(SESSIONS_COMPLETE)
        reasons.append("Every session attended or caught up.")
    return Progress(
        total=len(rows),
        attended=attended,
        missed=len(missed_rows),
        catch_ups_completed=caught_up,
        outstanding=outstanding,
        catch_up_limit=limit,
        restart_required=restart,
        restart_blocks=blocks,
        sessions_complete=complete,
        restart_session=restart_session,
        codes=tuple(codes),
        reasons=tuple(reasons),
    )


@dataclass(frozen=True)
class Blocker:
    """Why a member may not be marked present at a session yet."""

    code: str
    message: str
    session: MemberSession


def blocking_catch_up(
    sessions: Iterable[MemberSession], *, at: MemberSession, rule: RestartRule
) -> Blocker | None:
    """003 / domain.md §6: attendance at a session is refused while a catch-up of an EARLIER missed session is
    outstanding, unless a TM recorded an exception for it. Names the earliest session to catch up.

    Only presence is blocked: recording that the member was absent is always allowed (it is a fact, and it feeds
    the limit and enforcement). Sessions of a block being restarted are redone with the block, not caught up.
    """
    # The rules read the session being recorded as not yet recorded.
    everything = [replace(s, outcome=None) if s.session_id == at.session_id else s for s in sessions]
    rows = [s for s in everything if s.session_id != at.session_id]
    restarts = (
        block_restarts(everything, rule.limit or 0) if rule.applies and rule.kind == MISSED_PER_BLOCK else ()
    )
    redone = {s.session_id for r in restarts for s in _run_of(everything, r)}
    key = (at.date, at.start or time.min, at.number)
    for s in sorted(rows, key=lambda r: (r.date, r.start or time.min, r.number)):
        if (s.date, s.start or time.min, s.number) >= key:
            break
        if is_missed(s.outcome) and not s.caught_up and not s.exception and s.session_id not in redone:
            return Blocker(
                CATCH_UP_OUTSTANDING,
                f"The catch-up of {_label(s)} is outstanding: the member must complete it before attending a "
                "later session, unless a treatment manager records an exception.",
                s,
            )
    return None
