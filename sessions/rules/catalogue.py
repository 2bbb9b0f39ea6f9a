"""The programme catalogue's entry type and the rules that check an edited entry (the default data is in
``default_catalogue``).

The Django layer seeds versioned catalogue rows from ``DEFAULT_CATALOGUE`` and administrators edit them afterwards
(domain.md §2: the catalogue is configurable and versioned), so every entry is a JSON-serialisable
``CatalogueEntry`` with the same keys. ``validate_entry`` checks an edited entry (any mapping, as it arrives from a
form or the API) and answers in plain English;
``session_templates`` expands an entry's modules into the numbered sessions that the scheduler places.

Catch-up limits share one convention: ``restart_rule["limit"]`` is the most that may be missed (and caught up);
one more means a restart — of the programme for ``total_catch_ups`` (003: no more than four catch-ups), of the block
for ``missed_per_block`` (domain.md §2.4, §6: more than two missed in a block restarts it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Required, TypedDict

PROGRAMME_ISOTP = "isotp"
PROGRAMME_NSOGP = "nsogp"
DELIVERY_MODES = ("closed", "rolling", "open_ended", "one_to_one")
CADENCES = ("weekly", "monthly")
RESTART_KINDS = ("total_catch_ups", "missed_per_block", "none")
JOIN_RULES = ("start_only", "block_boundary", "any_time")


class CatalogueModule(TypedDict, total=False):
    """One module of an entry: a fixed number of `sessions`, or a guidance range (`sessions_min`..`sessions_max`,
    with `sessions` as the default within it); `block` for programmes joined or restarted by block."""

    number: Required[int]
    title: Required[str]
    sessions: int
    sessions_min: int
    sessions_max: int
    block: int
    note: str


class RestartRule(TypedDict):
    """What a restart is counted by (RESTART_KINDS) and the most that may be missed; `limit` is None for "none"."""

    kind: str
    limit: int | None


class AgeBand(TypedDict):
    min_age: int
    max_age: int


class CatalogueEntry(TypedDict):
    """One programme and format of the catalogue, as stored (JSON) and as edited; the keys are ENTRY_KEYS."""

    code: str
    programme: str
    format: str
    name: str
    delivery: str
    session_minutes: int
    work_minutes: int
    sessions_min: int
    sessions_max: int
    modules: list[CatalogueModule]
    group_min: int
    group_optimum: int
    group_max: int
    min_age: int
    max_age: int | None
    young_adult_band: AgeBand | None
    max_catch_ups: int | None
    restart_rule: RestartRule
    facilitators_per_session: int
    homework_required: bool
    join_rule: str
    voluntary: bool
    optional_suite: bool
    default_start_time: str
    cadence: str
    max_slots_per_week: int
    source: list[str]
    source_note: str


ENTRY_KEYS = tuple(CatalogueEntry.__annotations__)


@dataclass(frozen=True)
class SessionTemplate:
    """One numbered session of a programme, before it has a date."""

    number: int
    module: int
    module_title: str
    block: int | None
    duration_minutes: int


def entry_by_code(code: str, catalogue: Sequence[CatalogueEntry] | None = None) -> CatalogueEntry:
    """The catalogue entry with this code (from the default catalogue unless another is given)."""
    from sessions.rules.default_catalogue import DEFAULT_CATALOGUE  # the data imports these types

    for entry in DEFAULT_CATALOGUE if catalogue is None else catalogue:
        if entry.get("code") == code:
            return entry
    raise KeyError(f"There is no programme {code!r} in the catalogue.")


def default_plan(entry: Mapping[str, Any]) -> dict[int, int]:
    """Sessions per module by default: a module's fixed count, else the bottom of its guidance range."""
    return {m["number"]: m.get("sessions", m.get("sessions_min", 0)) for m in entry["modules"]}


def session_templates(
    entry: Mapping[str, Any], plan: Mapping[int, int] | None = None, *, cycles: int = 1
) -> list[SessionTemplate]:
    """Expand the modules into sessions numbered 1..n in module order.

    ``plan`` (module number -> sessions) replaces the defaults, e.g. for a one-to-one plan; a module missing from
    it gets no sessions. ``cycles`` repeats the modules for a rolling group, numbering on.
    """
    problems = validate_entry(entry)
    if problems:
        raise ValueError("The catalogue entry is not valid: " + " ".join(problems))
    if cycles < 1:
        raise ValueError("Generate at least one cycle of sessions.")
    counts = default_plan(entry) if plan is None else dict(plan)
    templates: list[SessionTemplate] = []
    for _ in range(cycles):
        for module in entry["modules"]:
            count = counts.get(module["number"], 0)
            if count < 0:
                raise ValueError(f"Module {module['number']} cannot have a negative number of sessions.")
            for _ in range(count):
                templates.append(
                    SessionTemplate(
                        number=len(templates) + 1,
                        module=module["number"],
                        module_title=module["title"],
                        block=module.get("block"),
                        duration_minutes=entry["session_minutes"],
                    )
                )
    return templates


_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low} to {high}"


def _is_int(value: object, minimum: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


Problem = tuple[str, str]


def _module_sessions(
    label: str, module: Mapping[str, Any], problems: list[str]
) -> tuple[int, int, int] | None:
    """A module's (fewest, most, default) sessions: a fixed number, or a range with an optional default inside
    it; None with the problem appended when they are not usable."""
    fixed: Any = module.get("sessions")
    lo: Any = module.get("sessions_min")
    hi: Any = module.get("sessions_max")
    if lo is None and hi is None:
        if not _is_int(fixed, 1):
            problems.append(f"{label} needs a number of sessions of at least 1.")
            return None
        return fixed, fixed, fixed
    if not (_is_int(lo, 1) and _is_int(hi, 1) and lo <= hi):
        problems.append(f"{label} needs a session range whose minimum (at least 1) is not above its maximum.")
        return None
    if fixed is not None and not (_is_int(fixed, 1) and lo <= fixed <= hi):
        problems.append(f"{label}'s default of {fixed} sessions must lie within its range of {lo} to {hi}.")
        return None
    return lo, hi, fixed if fixed is not None else lo


def _one_module(position: int, module: Any, problems: list[str]) -> tuple[int, int, int] | None:
    """Module `position`: numbered in order, titled, its sessions and block; its (fewest, most, default)."""
    if not isinstance(module, Mapping):
        problems.append(f"Module {position} must be a set of fields (number, title, sessions).")
        return None
    label = f"Module {position}"
    if module.get("number") != position:
        problems.append(f"{label} must have number {position}: modules are numbered 1, 2, 3... in order.")
    if not isinstance(module.get("title"), str) or not module["title"].strip():
        problems.append(f"{label} needs a title.")
    sessions = _module_sessions(label, module, problems)
    if sessions is None:
        return None
    block = module.get("block")
    if block is not None and not _is_int(block, 1):
        problems.append(f"{label}'s block must be a whole number of at least 1.")
    return sessions


def _module_total_problems(entry: Mapping[str, Any], low: int, high: int, default: int) -> list[str]:
    """The modules' sessions must be able to meet the programme's, and do by default."""
    s_min, s_max = entry["sessions_min"], entry["sessions_max"]
    if not (_is_int(s_min, 1) and _is_int(s_max, 1)):
        return []
    if low > s_max or high < s_min:
        return [
            f"The modules add up to {_span(low, high)} sessions, which cannot meet the programme's "
            f"{_span(s_min, s_max)}."
        ]
    if not s_min <= default <= s_max:
        return [
            f"The modules add up to {default} sessions by default, outside the programme's {_span(s_min, s_max)}."
        ]
    return []


def _module_problems(entry: Mapping[str, Any]) -> list[str]:
    modules = entry["modules"]
    if not isinstance(modules, list) or not modules:
        return ["Add at least one module."]
    problems: list[str] = []
    low_total = high_total = default_total = 0
    for position, module in enumerate(modules, 1):
        sessions = _one_module(position, module, problems)
        if sessions is not None:
            low_total, high_total, default_total = (
                low_total + sessions[0],
                high_total + sessions[1],
                default_total + sessions[2],
            )
    if problems:
        return problems
    problems += _module_total_problems(entry, low_total, high_total, default_total)
    rule = entry["restart_rule"]
    needs_blocks = (
        (isinstance(rule, Mapping) and rule.get("kind") == "missed_per_block")
        or entry["join_rule"] == "block_boundary"
        or entry["delivery"] == "rolling"
    )
    if needs_blocks and any(m.get("block") is None for m in modules):
        problems.append("Every module needs a block number: this programme joins or restarts by block.")
    return problems


def validate_entry(entry: Mapping[str, Any]) -> list[str]:
    """Plain-English problems with a catalogue entry; an empty list means it is usable."""
    return [message for _key, message in entry_problems(entry)]


def entry_problems(entry: Mapping[str, Any]) -> list[Problem]:
    """Each problem with a catalogue entry with the entry key it is about (``modules`` for a module's), so a form
    can mark the figure that is wrong (issue 13). Plain English: no notation such as ``min <= max``."""
    missing = [key for key in ENTRY_KEYS if key not in entry]
    if missing:
        return [(key, f"Missing field: {key}.") for key in missing]
    return (
        _identity_problems(entry)
        + _length_problems(entry)
        + _size_problems(entry)
        + _age_problems(entry)
        + _rule_problems(entry)
        + _timing_problems(entry)
        + _source_problems(entry)
        + [("modules", problem) for problem in _module_problems(entry)]
    )


def _identity_problems(entry: Mapping[str, Any]) -> list[Problem]:
    """Codes, name, delivery, cadence and join rule."""
    problems: list[Problem] = []
    for key in ("code", "programme", "format"):
        if not isinstance(entry[key], str) or not _CODE_RE.match(entry[key]):
            problems.append(
                (key, f"The {key} must be lower-case letters, digits and underscores, e.g. isotp_group.")
            )
    if not isinstance(entry["name"], str) or not entry["name"].strip():
        problems.append(("name", "The programme needs a name."))
    enumerations = (("delivery", DELIVERY_MODES), ("cadence", CADENCES), ("join_rule", JOIN_RULES))
    for key, allowed in enumerations:
        if entry[key] not in allowed:
            problems.append((key, f"The {key.replace('_', ' ')} must be one of: {', '.join(allowed)}."))
    return problems


def _length_problems(entry: Mapping[str, Any]) -> list[Problem]:
    """Session length, treatment minutes and the programme's number of sessions."""
    problems: list[Problem] = []
    if not _is_int(entry["session_minutes"], 1):
        problems.append(("session_minutes", "Session length must be a whole number of minutes, at least 1."))
    elif not _is_int(entry["work_minutes"], 1) or entry["work_minutes"] > entry["session_minutes"]:
        problems.append(
            ("work_minutes", "Treatment minutes must be at least 1 and no more than the session length.")
        )
    if not (_is_int(entry["sessions_min"], 1) and _is_int(entry["sessions_max"], 1)):
        problems.append(
            (
                "sessions_min",
                "The programme's minimum and maximum sessions must be whole numbers of at least 1.",
            )
        )
    elif entry["sessions_min"] > entry["sessions_max"]:
        problems.append(("sessions_min", "The minimum number of sessions must not be above the maximum."))
    return problems


def _age_problems(entry: Mapping[str, Any]) -> list[Problem]:
    """The age limits and the young adults' band."""
    problems: list[Problem] = []
    if not _is_int(entry["min_age"], 10):
        problems.append(("min_age", "The minimum age must be a whole number of years, at least 10."))
    elif entry["max_age"] is not None and not (
        _is_int(entry["max_age"]) and entry["max_age"] >= entry["min_age"]
    ):
        problems.append(("max_age", "The maximum age must be empty or not below the minimum age."))
    band = entry["young_adult_band"]
    if band is not None and not (
        isinstance(band, Mapping)
        and _is_int(band.get("min_age"), 10)
        and _is_int(band.get("max_age"))
        and band["min_age"] <= band["max_age"]
    ):
        problems.append(
            (
                "young_adult_band",
                "The band for young adults needs a youngest and an oldest age, youngest first.",
            )
        )
    return problems


def _rule_problems(entry: Mapping[str, Any]) -> list[Problem]:
    """Catch-ups, the restart rule, facilitators per session and the yes/no settings."""
    problems: list[Problem] = []
    if entry["max_catch_ups"] is not None and not _is_int(entry["max_catch_ups"]):
        problems.append(("max_catch_ups", "The catch-up limit must be empty or a whole number, 0 or more."))
    rule = entry["restart_rule"]
    if not isinstance(rule, Mapping) or rule.get("kind") not in RESTART_KINDS:
        problems.append(
            ("restart_rule", f"The restart rule's kind must be one of: {', '.join(RESTART_KINDS)}.")
        )
    elif (rule["kind"] == "none") != (rule.get("limit") is None) or (
        rule["kind"] != "none" and not _is_int(rule.get("limit"))
    ):
        problems.append(
            ("restart_rule", "The restart rule needs a limit of 0 or more, or none when the kind is none.")
        )
    if not _is_int(entry["facilitators_per_session"], 1):
        problems.append(("facilitators_per_session", "At least one facilitator per session is needed."))
    for key in ("homework_required", "voluntary", "optional_suite"):
        if not isinstance(entry[key], bool):
            problems.append((key, f"{key.replace('_', ' ').capitalize()} must be true or false."))
    return problems


def _timing_problems(entry: Mapping[str, Any]) -> list[Problem]:
    """The default start time (ending before midnight) and sessions per week."""
    problems: list[Problem] = []
    start = entry["default_start_time"]
    match = _TIME_RE.match(start) if isinstance(start, str) else None
    if match is None:
        problems.append(
            ("default_start_time", "The default start time must be a time on the 24-hour clock, like 10:00.")
        )
    elif _is_int(entry["session_minutes"], 1) and (
        int(match[1]) * 60 + int(match[2]) + entry["session_minutes"] >= 24 * 60
    ):
        problems.append(
            ("default_start_time", "A session starting at the default time must end before midnight.")
        )
    slots = entry["max_slots_per_week"]
    # domain.md §5: one or two weekdays
    if not (_is_int(slots, 1) and slots <= 2):
        problems.append(("max_slots_per_week", "Sessions per week must be 1 or 2."))
    elif entry["cadence"] == "monthly" and slots != 1:
        problems.append(("max_slots_per_week", "A monthly programme meets on one slot."))
    return problems


def _source_problems(entry: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if not (
        isinstance(entry["source"], list)
        and entry["source"]
        and all(isinstance(s, str) for s in entry["source"])
    ):
        problems.append(("source", "Name at least one source document."))
    if not isinstance(entry["source_note"], str) or not entry["source_note"].strip():
        problems.append(("source_note", "Add a source note saying where the figures come from."))
    return problems


def _size_problems(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Group sizes: whole numbers, the minimum not above the optimum and the optimum not above the maximum; a
    one-to-one programme has one participant. Each problem names the size that is out of place."""
    keys = ("group_min", "group_optimum", "group_max")
    words = {"group_min": "minimum", "group_optimum": "optimum", "group_max": "maximum"}
    for key in keys:
        if not _is_int(entry[key], 1):
            return [(key, f"The {words[key]} group size must be a whole number, at least 1.")]
    low, best, high = (entry[k] for k in keys)
    if low > best:
        return [("group_min", f"The minimum group size ({low}) must not be above the optimum ({best}).")]
    if best > high:
        return [("group_max", f"The maximum group size ({high}) must not be below the optimum ({best}).")]
    if entry["delivery"] == "one_to_one" and high != 1:
        return [("group_max", "A one-to-one programme has exactly one participant.")]
    return []
