"""Pure rules about staff: which training a facilitator needs before delivering a programme.

No Django imports: plain values in and out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

# 000: i-SOTP facilitators pass the assessment centre, complete the core training of one community sex-offender
# programme (N-SOGP, TV-SOGP or C-SOGP), then i-SOTP training.
CORE_COMMUNITY_PROGRAMMES = frozenset({"nsogp", "tvsogp", "csogp"})

PROGRAMME_NAMES = {
    "isotp": "i-SOTP",
    "nsogp": "N-SOGP",
    "tvsogp": "TV-SOGP",
    "csogp": "C-SOGP",
    "li": "Low Intensity",
    "hi": "High Intensity",
}


@dataclass(frozen=True)
class TrainingRecord:
    kind: str  # assessment_centre | core_programme_training | isotp_training
    programme: str  # "" for the assessment centre


@dataclass(frozen=True)
class TrainingDecision:
    trained: bool
    missing: tuple[str, ...]  # plain-English list of what is missing

    @property
    def message(self) -> str:
        if self.trained:
            return "Trained to deliver this programme."
        return "Not trained to deliver this programme: " + "; ".join(self.missing) + "."


def training_for(programme: str, records: Iterable[TrainingRecord]) -> TrainingDecision:
    """Say whether the training records allow delivering `programme`, and what is missing if not."""
    held = {(r.kind, r.programme) for r in records}
    missing: list[str] = []
    # 000: the assessment centre comes first for every programme.
    if ("assessment_centre", "") not in held:
        missing.append("has not passed the assessment centre")
    if programme == "isotp":
        # 000: core training of one community SOGP, then i-SOTP training.
        if not any(("core_programme_training", p) in held for p in CORE_COMMUNITY_PROGRAMMES):
            missing.append("has not completed core training in N-SOGP, TV-SOGP or C-SOGP")
        if ("isotp_training", "isotp") not in held:
            missing.append("has not completed i-SOTP training")
    # 002 / domain.md §1: N-SOGP (and the other programmes) need their own programme training.
    elif ("core_programme_training", programme) not in held:
        missing.append(f"has not completed {PROGRAMME_NAMES.get(programme, programme)} programme training")
    return TrainingDecision(trained=not missing, missing=tuple(missing))


# --- API tokens and sign-ins (issue 12: accounts and sessions) ------------------------------------------------


def token_digest(key: str) -> str:
    """The stored form of an API token: its SHA-256 (the key itself is shown once and never kept)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


# Most specific first: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-requests", "Python"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Android", "Android"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def browser_summary(user_agent: str) -> str:
    """A short, recognisable name for a browser ("Firefox on Windows") from its User-Agent header.

    Shown to staff in their sign-in history; the full header is not kept (it adds nothing a person can use).
    """
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
