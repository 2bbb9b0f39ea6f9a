"""What a report holds and what it needs before a TM can approve it (domain.md §2.3, §8; seeds 000, 001, 003).

003: the Post-Programme Report gives "an account of progress against each treatment target, with strengths and
remaining weaknesses, evidence from inside and outside sessions". i-SOTP has six targets (000, 001); another
programme's targets are the modules of its catalogue entry (N-SOGP's blocks, 002).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ReportKind(StrEnum):
    POST_PROGRAMME = "post_programme"  # 003: the Post-Programme Report on completion
    EXIT = "exit"  # issue 10: a short exit report for a member who leaves early


@dataclass(frozen=True)
class Target:
    code: str
    title: str


# domain.md §2.3 (000, 001): the six i-SOTP treatment targets; the PPR reports progress against each.
ISOTP_TARGETS: tuple[Target, ...] = (
    Target(
        "motivation",
        "Increase motivation, decrease denial, reduce the discrepancy between pro-social values and behaviour",
    ),
    Target("attitudes", "Challenge offence-supportive attitudes and behaviours"),
    Target("empathy", "Build an empathic response: children in indecent images are real victims of abuse"),
    Target("coping", "Reduce the use of sex as coping and emotional avoidance; build problem solving"),
    Target(
        "relationships",
        "Develop relationship, intimacy and coping skills; improve self-esteem and internal locus of control",
    ),
    Target(
        "relapse_prevention",
        "Develop realistic relapse-prevention strategies and pro-social life goals (the New Life Plan)",
    ),
)

# The facilitator's rating of progress against each target (the sources name no scale: a plain four-point one).
RATINGS: dict[str, str] = {
    "significant": "Significant progress",
    "some": "Some progress",
    "limited": "Limited progress",
    "none": "No progress",
}

# domain.md §8: the written sections besides the targets.
PPR_SECTIONS: dict[str, str] = {
    "strengths": "Strengths",
    "concerns": "Remaining concerns",
    "relapse_prevention": "Relapse prevention and New Life Plan",
    "recommendations": "Recommendations for the offender manager",
}
EXIT_SECTIONS: dict[str, str] = {
    "exit_reasons": "Why the programme ended early",
    "recommendations": "Recommendations for the offender manager",
}


def targets_for(programme: str, modules: Iterable[Mapping[str, Any]] = ()) -> tuple[Target, ...]:
    """The treatment targets a report on `programme` rates: i-SOTP's six, else the catalogue entry's modules."""
    if programme == "isotp":
        return ISOTP_TARGETS
    return tuple(
        Target(f"module_{m['number']}", str(m.get("title") or f"Module {m['number']}")) for m in modules
    )


def sections_for(kind: str) -> dict[str, str]:
    return EXIT_SECTIONS if kind == ReportKind.EXIT else PPR_SECTIONS


def missing_for_approval(kind: str, content: Mapping[str, Any], targets: Iterable[Target]) -> dict[str, str]:
    """The fields a report must have before it goes to the TM, as {field: message} (empty when complete).

    A Post-Programme Report rates every target with evidence (003) and has every section of domain.md §8; an
    exit report needs the reasons and the recommendations. Field names are the form's: `<target>_rating`, ...
    """
    missing: dict[str, str] = {}
    if kind == ReportKind.POST_PROGRAMME:
        rated = content.get("targets") or {}
        for target in targets:
            entry = rated.get(target.code) or {}
            if entry.get("rating") not in RATINGS:
                missing[f"{target.code}_rating"] = f"Rate progress against the target: {target.title}"
            if not str(entry.get("evidence") or "").strip():
                missing[f"{target.code}_evidence"] = f"Give the evidence for the target: {target.title}"
    for field, label in sections_for(kind).items():
        if not str(content.get(field) or "").strip():
            missing[field] = f"Enter the {label[0].lower() + label[1:]}"
    return missing


# Membership statuses (sessions app) that end the programme early, and those that mean the sessions are over.
ENDED_EARLY = frozenset({"removed", "restart_required"})
SESSIONS_OVER = frozenset({"sessions_complete", "completed"})


def kind_for_membership(status: str, sessions_remaining: int, *, started: bool = True) -> ReportKind | None:
    """Which report a membership gets now, or None while the member still has sessions to attend.

    Issue 10: "when a member's sessions are complete, a draft opens"; "a member who leaves early gets a short
    exit report". An active member whose every scheduled session has taken place has completed the sessions.
    Someone removed before their first session (`started` False) never began the programme: no report.
    """
    if status in ENDED_EARLY:
        return ReportKind.EXIT if started else None
    if status in SESSIONS_OVER or (status == "active" and sessions_remaining == 0):
        return ReportKind.POST_PROGRAMME
    return None
