"""When a completion counts (domain.md §8; Probation Circular 09/2007, seed 003).

"A completion counts only when post-programme psychometrics are done, the PPR is issued and sent to the OM."
An exit report never makes a completion.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CompletionDecision:
    counts: bool
    reasons: tuple[tuple[str, str], ...]  # (code, plain-English reason)


def completion_decision(
    *, kind: str, post_psychometrics_done: bool, issued_to_om: bool
) -> CompletionDecision:
    """Whether the programme counts as completed, with the codes of every condition not yet met."""
    reasons: list[tuple[str, str]] = []
    if kind != "post_programme":
        reasons.append(("EXIT_REPORT", "An exit report records an early end: it is not a completion."))
    # PC 09/2007 (domain.md §8): the post-programme psychometrics must be done.
    if not post_psychometrics_done:
        reasons.append(
            (
                "POST_PSYCHOMETRICS_MISSING",
                "The post-programme psychometric assessment has not been recorded.",
            )
        )
    # PC 09/2007 (domain.md §8): the PPR is issued and sent to the offender manager.
    if not issued_to_om:
        reasons.append(("REPORT_NOT_ISSUED", "The report has not been issued to the offender manager."))
    return CompletionDecision(counts=not reasons, reasons=tuple(reasons))
