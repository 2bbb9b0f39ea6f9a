"""Referral statuses and the transitions between them, as data (domain.md §9).

Pure rules: no Django. The service layer calls `check_transition` inside its locked transaction and records
who, when and why; an illegal move raises `IllegalTransition` (API: 409 with `code` and `allowed`), a missing
reason raises `ReasonRequired` (API: 400 on the `reason` field).

Decisions where domain.md §9 is silent:
- `draft` counts as open, so a draft can be withdrawn like any open referral.
- Parking: `on_hold` can be entered from submitted, assessment, suitable and awaiting_allocation (before a
  place is allocated); `suitable_not_ready` from assessment, suitable and awaiting_allocation. A parked
  referral goes back to the status it came from (the caller passes it as `returns_to`) or is withdrawn; it
  cannot be parked twice.
- A reason, when given, must be one of the target's REASON_CHOICES codes; "other" is always offered (the
  free-text detail belongs to the service layer).
"""

from __future__ import annotations

from enum import StrEnum


class ReferralStatus(StrEnum):
    """A referral's status (domain.md §9): the one spelling of each status, used everywhere instead of a string."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ASSESSMENT = "assessment"
    SUITABLE = "suitable"
    NOT_SUITABLE = "not_suitable"
    SUITABLE_NOT_READY = "suitable_not_ready"
    ON_HOLD = "on_hold"
    AWAITING_ALLOCATION = "awaiting_allocation"
    ALLOCATED = "allocated"
    ON_PROGRAMME = "on_programme"
    RESTART_REQUIRED = "restart_required"
    COMPLETED = "completed"
    DESELECTED = "deselected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUSES[self]


S = ReferralStatus
STATUSES: dict[str, str] = {
    S.DRAFT: "Draft",
    S.SUBMITTED: "Submitted",
    S.ASSESSMENT: "Being assessed",
    S.SUITABLE: "Suitable",
    S.NOT_SUITABLE: "Not suitable",
    S.SUITABLE_NOT_READY: "Suitable but not ready",
    S.ON_HOLD: "On hold",
    S.AWAITING_ALLOCATION: "Awaiting allocation (waiting list)",
    S.ALLOCATED: "Allocated",
    S.ON_PROGRAMME: "On programme",
    S.RESTART_REQUIRED: "Restart required",
    S.COMPLETED: "Completed",
    S.DESELECTED: "Deselected",
    S.WITHDRAWN: "Withdrawn",
}
CLOSED_STATUSES: frozenset[str] = frozenset({S.NOT_SUITABLE, S.COMPLETED, S.DESELECTED, S.WITHDRAWN})
OPEN_STATUSES: frozenset[str] = frozenset(STATUSES) - CLOSED_STATUSES
# domain.md §9: parking statuses return to the status they came from.
PARKING_STATUSES: frozenset[str] = frozenset({S.SUITABLE_NOT_READY, S.ON_HOLD})
PARKED_FROM: dict[str, frozenset[str]] = {
    S.ON_HOLD: frozenset({S.SUBMITTED, S.ASSESSMENT, S.SUITABLE, S.AWAITING_ALLOCATION}),
    S.SUITABLE_NOT_READY: frozenset({S.ASSESSMENT, S.SUITABLE, S.AWAITING_ALLOCATION}),
}

_FORWARD: dict[str, frozenset[str]] = {  # domain.md §9: the main path
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ASSESSMENT}),
    S.ASSESSMENT: frozenset({S.SUITABLE, S.NOT_SUITABLE}),
    S.SUITABLE: frozenset({S.AWAITING_ALLOCATION}),
    S.AWAITING_ALLOCATION: frozenset({S.ALLOCATED}),
    S.ALLOCATED: frozenset({S.ON_PROGRAMME, S.AWAITING_ALLOCATION}),  # removed before the programme starts
    S.ON_PROGRAMME: frozenset({S.COMPLETED, S.RESTART_REQUIRED, S.DESELECTED}),
    S.RESTART_REQUIRED: frozenset({S.AWAITING_ALLOCATION}),  # domain.md §6: back to the waiting list
}


def _build() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {status: set() for status in STATUSES}
    for status, targets in _FORWARD.items():
        table[status] |= targets
    for parking, sources in PARKED_FROM.items():
        for source in sources:
            table[source].add(parking)
        table[parking] |= sources  # back to where it came from; narrowed by `returns_to`
    for status in OPEN_STATUSES:
        table[status].add(S.WITHDRAWN)  # domain.md §9: withdrawn from any open status
    return {status: frozenset(targets) for status, targets in table.items()}


# Every status -> every status it may move to (parking statuses: every status they may return to).
TRANSITIONS: dict[str, frozenset[str]] = _build()

REASON_REQUIRED: frozenset[str] = frozenset(
    {S.WITHDRAWN, S.DESELECTED, S.NOT_SUITABLE, S.ON_HOLD, S.SUITABLE_NOT_READY}
)
OTHER = ("other", "Other")
REASON_CHOICES: dict[str, list[tuple[str, str]]] = {
    S.WITHDRAWN: [
        ("order_revoked", "Order or licence revoked"),
        ("order_ended", "Order or licence ended before the programme"),
        ("recalled_or_in_custody", "Recalled or sent to custody"),
        ("moved_out_of_area", "Moved out of the area"),
        ("referred_elsewhere", "Referred to another programme"),
        ("referral_made_in_error", "Referral made in error"),
        ("died", "Died"),
        OTHER,
    ],
    S.DESELECTED: [
        ("disruptive_behaviour", "Disruptive or threatening behaviour in the group"),
        ("not_engaging", "Not engaging with treatment"),
        ("risk_to_others", "A risk to other members or staff"),
        ("further_offending", "Charged with or convicted of a further offence"),
        ("health", "Physical or mental health prevents participation"),
        OTHER,
    ],
    S.NOT_SUITABLE: [
        ("eligibility_rules", "Does not meet the programme's eligibility rules"),
        ("needs_higher_intensity", "Needs a higher-intensity programme (e.g. N-SOGP)"),
        ("needs_adapted_programme", "Needs an adapted programme (IQ below 80)"),
        ("supervision_too_short", "Not enough supervision left to complete the programme"),
        OTHER,
    ],
    S.ON_HOLD: [
        ("further_information_needed", "Waiting for further information"),
        ("in_custody", "In custody"),
        ("in_hospital", "In hospital"),
        ("appeal_pending", "Appeal against conviction pending"),
        OTHER,
    ],
    S.SUITABLE_NOT_READY: [
        ("mental_health", "Mental health needs to be addressed first"),
        ("substance_misuse", "Substance misuse to be addressed first"),
        ("accommodation", "No stable accommodation"),
        ("motivation", "Not yet motivated to take part"),
        ("other_work_first", "Other work to be done first"),
        OTHER,
    ],
}


class IllegalTransition(Exception):
    """The referral may not move from `current` to `target`; `allowed` lists where it may go."""

    code = "ILLEGAL_TRANSITION"

    def __init__(self, current: str, target: str, allowed: frozenset[str]) -> None:
        self.current = current
        self.target = target
        self.allowed: tuple[str, ...] = tuple(sorted(allowed))
        if current == target:  # typically a stale form: someone else made this very move first
            self.message = (
                f"The referral is already {STATUSES.get(current, current)!r}. {self._where(current)}"
            )
        else:
            self.message = (
                f"A referral that is {STATUSES.get(current, current)!r} cannot move to "
                f"{STATUSES.get(target, target)!r}. {self._where(current)}"
            )
        super().__init__(self.message)

    def _where(self, current: str) -> str:
        """Where the referral can go instead, or why it cannot go anywhere by a status change."""
        if self.allowed:
            return "It can move to: " + ", ".join(STATUSES[s] for s in self.allowed) + "."
        if current in CLOSED_STATUSES:
            return "It is closed, so its status cannot change."
        if current in (S.ALLOCATED, S.ON_PROGRAMME):
            return (
                "Its next moves (removal, completion, a restart) are made on its group or one-to-one plan and by "
                "recording attendance, not by changing its status."
            )
        return "Its status cannot be changed by you now."


class ReasonRequired(ValueError):
    """The move needs a reason from REASON_CHOICES and none (or an unknown one) was given."""

    field = "reason"

    def __init__(self, target: str, message: str) -> None:
        self.target = target
        self.message = message
        super().__init__(message)


def _known(status: str, name: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"Unknown referral status {name}: {status!r}")


def allowed_transitions(current: str, returns_to: str | None = None) -> frozenset[str]:
    """Where a referral may go from `current`; a parked referral needs `returns_to`, where it came from."""
    _known(current, "current")
    if current not in PARKING_STATUSES:
        return TRANSITIONS[current]
    if returns_to is None:
        raise ValueError(f"A referral that is {STATUSES[current]!r} needs the status it returns to")
    if returns_to not in PARKED_FROM[current]:
        raise ValueError(f"A referral cannot be {STATUSES[current]!r} after {returns_to!r}")
    return frozenset({returns_to, S.WITHDRAWN})


def check_transition(
    current: str, target: str, *, returns_to: str | None = None, reason: str | None = None
) -> None:
    """Refuse an illegal move or a missing reason (domain.md §9); return None when the move may go ahead."""
    allowed = allowed_transitions(current, returns_to)
    if target not in allowed:
        raise IllegalTransition(current, target, allowed)
    choices = REASON_CHOICES.get(target, [])
    labels = ", ".join(label.lower() for _, label in choices)
    if target in REASON_REQUIRED and not reason:
        raise ReasonRequired(target, f"Give a reason for {STATUSES[target].lower()!r}: {labels}")
    if reason and choices and reason not in {code for code, _ in choices}:
        raise ReasonRequired(
            target, f"{reason!r} is not a reason for {STATUSES[target].lower()!r}: choose one of {labels}"
        )


# Moves the transition table allows but that are not bare status changes: suitability is decided by recording the
# assessment (which snapshots the decision and asks for a rationale against the rules), and allocation, removal,
# the first attended session and completion are made on the group or one-to-one plan (the delivery services keep
# the membership in step and call `change_status` themselves). The referral pages and API refuse them.
# The statuses in which a treatment manager may record an assessment decision (domain.md §9).
ASSESSABLE: tuple[str, ...] = (S.SUBMITTED, S.ASSESSMENT)
ASSESSMENT_OUTCOMES: frozenset[str] = frozenset({S.SUITABLE, S.NOT_SUITABLE})
DELIVERY_STATUSES: frozenset[str] = frozenset({S.ALLOCATED, S.ON_PROGRAMME})


def reserved_move(current: str, target: str) -> tuple[str, str] | None:
    """(code, message) when `current` -> `target` must be made elsewhere than by a status change; None otherwise."""
    if current in ASSESSABLE and target in ASSESSMENT_OUTCOMES:
        return (
            "ASSESSMENT_REQUIRED",
            "Record whether the referral is suitable by assessing it, not by changing its status",
        )
    if target in DELIVERY_STATUSES or current in DELIVERY_STATUSES:
        return (
            "DELIVERY_REQUIRED",
            "Allocation, removal and completion are recorded on the group or one-to-one plan, not by changing "
            "the referral's status",
        )
    return None


def manual_transitions(current: str, returns_to: str | None = None) -> frozenset[str]:
    """The moves a user may make by hand, as a bare status change: the transition table without the reserved
    moves (`reserved_move`). The status page, the transitions API and the referral's `allowed_transitions` all
    list these, and `change_status` refuses the rest."""
    return frozenset(s for s in allowed_transitions(current, returns_to) if not reserved_move(current, s))
