"""The default programme catalogue, as plain data, and the rules that check an edited entry.

The Django layer seeds versioned catalogue rows from ``DEFAULT_CATALOGUE`` and administrators edit them afterwards
(domain.md §2: the catalogue is configurable and versioned), so every entry is JSON-serialisable and every entry
has the same keys. ``validate_entry`` checks an edited entry and answers in plain English;
``session_templates`` expands an entry's modules into the numbered sessions that the scheduler places.

Catch-up limits share one convention: ``restart_rule["limit"]`` is the most that may be missed (and caught up);
one more means a restart — of the programme for ``total_catch_ups`` (003: no more than four catch-ups), of the block
for ``missed_per_block`` (domain.md §2.4, §6: more than two missed in a block restarts it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PROGRAMME_ISOTP = "isotp"
PROGRAMME_NSOGP = "nsogp"
DELIVERY_MODES = ("closed", "rolling", "open_ended", "one_to_one")
CADENCES = ("weekly", "monthly")
RESTART_KINDS = ("total_catch_ups", "missed_per_block", "none")
JOIN_RULES = ("start_only", "block_boundary", "any_time")

ENTRY_KEYS = (
    "code",
    "programme",
    "format",
    "name",
    "delivery",
    "session_minutes",
    "work_minutes",
    "sessions_min",
    "sessions_max",
    "modules",
    "group_min",
    "group_optimum",
    "group_max",
    "min_age",
    "max_age",
    "young_adult_band",
    "max_catch_ups",
    "restart_rule",
    "facilitators_per_session",
    "homework_required",
    "join_rule",
    "voluntary",
    "optional_suite",
    "default_start_time",
    "cadence",
    "max_slots_per_week",
    "source",
    "source_note",
)

# 000, 001: the six i-SOTP modules; the group and one-to-one formats share the titles.
_ISOTP_TITLES = {
    1: "Motivation to Change",
    2: "What Needs did Offending Meet?",
    3: "Victim Awareness and Taking Responsibility",
    4: "Emotional Self-Regulation, Self-Management and Relationship Skills",
    5: "Community, Collecting and Compulsivity",
    6: "Relapse Prevention and New Life Goals",
}


def _isotp_group() -> dict[str, Any]:
    # 000: group module sessions 4 / 8 / 3-4 / 13 / 4 / 3; domain.md §2.1: module 3 at 3 keeps the total at 35.
    counts = {1: 4, 2: 8, 3: 3, 4: 13, 5: 4, 6: 3}
    modules: list[dict[str, Any]] = [
        {"number": n, "title": _ISOTP_TITLES[n], "sessions": c} for n, c in counts.items()
    ]
    modules[2]["note"] = "000 gives 3-4 sessions; 3 keeps the programme at 35 sessions (domain.md §2.1)."
    return {
        "code": "isotp_group",
        "programme": PROGRAMME_ISOTP,
        "format": "group",
        "name": "i-SOTP (group)",
        "delivery": "closed",
        "session_minutes": 120,
        "work_minutes": 120,  # 000: 35 sessions of 2 hours (70 hours)
        "sessions_min": 35,
        "sessions_max": 35,
        "modules": modules,
        "group_min": 8,
        "group_optimum": 8,
        "group_max": 10,  # 000: optimum 8, eight to 10; 003: up to 10
        "min_age": 21,
        "max_age": None,  # 000: group format for over-21s
        "young_adult_band": {"min_age": 17, "max_age": 21},  # 003: groups by age band, 17-21 and 21+
        "max_catch_ups": 4,
        "restart_rule": {"kind": "total_catch_ups", "limit": 4},  # 003: no more than four
        "facilitators_per_session": 2,  # domain.md §5: at least two facilitators for a group
        "homework_required": True,  # 003: work in between sessions
        "join_rule": "start_only",
        "voluntary": False,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,  # 000: once or twice a week
        "source": ["000", "001", "003"],
        "source_note": "35 two-hour sessions, once or twice a week, 8-10 men aged 21+ (000, 003). Module 3 is "
        "3-4 sessions in 000; the default uses 3 so the total stays 35 (domain.md §2.1). The sources give no "
        "start time: 10:00 is a default to edit per group.",
    }


def _isotp_one_to_one() -> dict[str, Any]:
    # 000: one-to-one module ranges 1 (4-6), 2 (4), 3 (4-5), 4 (8-10), 5 (3-6), 6 (5).
    ranges = {1: (4, 6), 2: (4, 4), 3: (4, 5), 4: (8, 10), 5: (3, 6), 6: (5, 5)}
    return {
        "code": "isotp_one_to_one",
        "programme": PROGRAMME_ISOTP,
        "format": "one_to_one",
        "name": "i-SOTP (one-to-one)",
        "delivery": "one_to_one",
        "session_minutes": 90,
        "work_minutes": 90,  # 000: 20 to 30 sessions of 1.5 hours, up to 45 hours
        "sessions_min": 20,
        "sessions_max": 30,
        "modules": [
            {"number": n, "title": _ISOTP_TITLES[n], "sessions_min": lo, "sessions_max": hi}
            for n, (lo, hi) in ranges.items()
        ],
        "group_min": 1,
        "group_optimum": 1,
        "group_max": 1,
        "min_age": 17,
        "max_age": None,  # 000: one-to-one suitable for over-17s
        "young_adult_band": None,
        "max_catch_ups": 4,
        "restart_rule": {"kind": "total_catch_ups", "limit": 4},  # 003
        "facilitators_per_session": 1,  # domain.md §5: one-to-ones need one facilitator
        "homework_required": True,  # 003 (between-session work is part of i-SOTP)
        "join_rule": "start_only",
        "voluntary": False,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["000", "001", "003"],
        "source_note": "20-30 sessions of 90 minutes chosen by treatment need (000). The module ranges add to "
        "28-36, so the total (20-30) is the hard rule and the ranges are guidance; a plan outside a module "
        "range needs a treatment manager's rationale (domain.md §2.2). Frequency is not given for one-to-ones: "
        "up to two a week, as for the group.",
    }


def _nsogp_core_group() -> dict[str, Any]:
    # 002: four blocks, 144-162 hours; days of 4.5 hours' work -> 32-36 days. Default 8 days a block (144 hours);
    # a block may run to 9 days (162 hours in all) "depending on group numbers".
    return {
        "code": "nsogp_core_group",
        "programme": PROGRAMME_NSOGP,
        "format": "core_group",
        "name": "N-SOGP Core Group",
        "delivery": "rolling",  # 002: a rolling group in four blocks
        "session_minutes": 330,
        "work_minutes": 270,  # 002: 10:00-15:30, 4.5 hours of work a day
        "sessions_min": 32,
        "sessions_max": 36,
        "modules": [
            {
                "number": b,
                "title": f"Core Group block {b}",
                "sessions": 8,
                "sessions_min": 8,
                "sessions_max": 9,
                "block": b,
            }
            for b in range(1, 5)
        ],
        "group_min": 6,
        "group_optimum": 8,
        "group_max": 10,  # 002: six to ten; "eight to ten" in the outline
        "min_age": 21,
        "max_age": None,  # 002 (one page says 18+: configurable, domain.md §2.4)
        "young_adult_band": None,
        "max_catch_ups": None,  # no programme-wide limit: the per-block rule governs
        "restart_rule": {
            "kind": "missed_per_block",
            "limit": 2,
        },  # domain.md §2.4: >2 missed restarts the block
        "facilitators_per_session": 2,
        "homework_required": False,
        "join_rule": "block_boundary",  # 002: new members join at a block boundary
        "voluntary": False,
        "optional_suite": False,
        "default_start_time": "10:00",  # 002: group days 10:00-15:30
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["002"],
        "source_note": "Rolling Core Group in four blocks of full days, 10:00-15:30 with 4.5 hours of work "
        "(002). 002 gives 144-162 hours: the default is 8 days a block (36 hours; 32 days, 144 hours), and a "
        "block may run to 9 days (162 hours in all). Each block holds introductory, assessment, personal-work, "
        "thematic and process exercises.",
    }


def _nsogp_relapse_prevention() -> dict[str, Any]:
    return {
        "code": "nsogp_relapse_prevention",
        "programme": PROGRAMME_NSOGP,
        "format": "relapse_prevention",
        "name": "N-SOGP Relapse Prevention / Better Lives",
        "delivery": "closed",  # 002: a closed group of 12
        "session_minutes": 180,
        "work_minutes": 180,  # 002: a further 36 hours over 12 sessions -> 3 hours each
        "sessions_min": 12,
        "sessions_max": 12,
        "modules": [
            {"number": 1, "title": "Relapse Prevention and Better Lives", "sessions": 12, "block": 1}
        ],
        "group_min": 6,
        "group_optimum": 8,
        "group_max": 10,  # 002
        "min_age": 21,
        "max_age": None,
        "young_adult_band": None,
        "max_catch_ups": 2,
        "restart_rule": {"kind": "missed_per_block", "limit": 2},
        "facilitators_per_session": 2,
        "homework_required": False,
        "join_rule": "start_only",
        "voluntary": False,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["002"],
        "source_note": "Closed group of 12 sessions; 36 hours in all (002), so 3 hours a session. Open to Core "
        "Group completers and men who completed prison SOTP. The sources give no catch-up limit: the SOGP "
        "block rule (more than two missed restarts) is applied, the 12 sessions being one block.",
    }


def _nsogp_ltms() -> dict[str, Any]:
    return {
        "code": "nsogp_ltms",
        "programme": PROGRAMME_NSOGP,
        "format": "ltms",
        "name": "N-SOGP Long Term Monitoring and Support",
        "delivery": "open_ended",
        "session_minutes": 120,
        "work_minutes": 120,
        "sessions_min": 12,
        "sessions_max": 12,
        "modules": [{"number": 1, "title": "Monitoring and support", "sessions": 12}],
        "group_min": 6,
        "group_optimum": 8,
        "group_max": 10,  # 002: group size six to ten
        "min_age": 21,
        "max_age": None,
        "young_adult_band": None,
        "max_catch_ups": None,
        "restart_rule": {"kind": "none", "limit": None},  # 002: voluntary
        "facilitators_per_session": 2,
        "homework_required": False,
        "join_rule": "any_time",
        "voluntary": True,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "monthly",
        "max_slots_per_week": 1,  # 002: meets once a month
        "source": ["002"],
        "source_note": "Voluntary, monthly and open-ended; content follows the issues members bring (002). 002 "
        "gives no length: 12 sessions (a year) are generated at a time and 2 hours is a default. Members may "
        "join at any time and there is no catch-up rule.",
    }


def _suite_entry(code: str, name: str, titles: list[str], counts: list[int], note: str) -> dict[str, Any]:
    total = sum(counts)
    return {
        "code": code,
        "programme": code.split("_", maxsplit=1)[0],
        "format": "group",
        "name": name,
        "delivery": "closed",
        "session_minutes": 150,
        "work_minutes": 150,
        "sessions_min": total,
        "sessions_max": total,
        "modules": [
            {"number": i, "title": t, "sessions": c}
            for i, (t, c) in enumerate(zip(titles, counts, strict=True), 1)
        ],
        "group_min": 6,
        "group_optimum": 8,
        "group_max": 10,
        "min_age": 21,
        "max_age": None,
        "young_adult_band": None,
        "max_catch_ups": 4,
        "restart_rule": {"kind": "total_catch_ups", "limit": 4},
        "facilitators_per_session": 2,
        "homework_required": True,
        "join_rule": "start_only",
        "voluntary": False,
        "optional_suite": True,  # domain.md §2.5: an optional suite an area switches on
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["004"],
        "source_note": "ILLUSTRATIVE: 004 gives no dosage, session length, module list or group size. "
        + note
        + " Replace with the accredited manual's figures before use.",
    }


def _li_group() -> dict[str, Any]:
    return _suite_entry(
        "li_group",
        "Low Intensity programme (group)",
        [
            "Engagement and treatment targets",
            "Sexual thinking and interests",
            "Relationships and intimacy",
            "Self-management",
            "Moving forward",
        ],
        [4, 5, 5, 5, 5],
        "004: dosage differs by risk (medium shorter than high/very high); this default is the full dose.",
    )


def _hi_group() -> dict[str, Any]:
    return _suite_entry(
        "hi_group",
        "High Intensity programme (group)",
        [
            "Understanding my offending",
            "Ways of thinking",
            "Skills and behaviour",
            "Strengths and support networks",
            "A better, offence-free life",
        ],
        [8, 12, 14, 10, 8],
        "Module titles follow the programme aims in 004 (thinking, skills and behaviour, strengths, support "
        "networks, offence-free lives).",
    )


DEFAULT_CATALOGUE: list[dict[str, Any]] = [
    _isotp_group(),
    _isotp_one_to_one(),
    _nsogp_core_group(),
    _nsogp_relapse_prevention(),
    _nsogp_ltms(),
    _li_group(),
    _hi_group(),
]


@dataclass(frozen=True)
class SessionTemplate:
    """One numbered session of a programme, before it has a date."""

    number: int
    module: int
    module_title: str
    block: int | None
    duration_minutes: int


def entry_by_code(code: str, catalogue: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The catalogue entry with this code (from the default catalogue unless another is given)."""
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


def _module_problems(entry: Mapping[str, Any]) -> list[str]:  # noqa: C901 - written before the complexity limit; to split (issue 7)
    modules = entry["modules"]
    if not isinstance(modules, list) or not modules:
        return ["Add at least one module."]
    problems: list[str] = []
    low_total = high_total = default_total = 0
    for position, module in enumerate(modules, 1):
        if not isinstance(module, Mapping):
            problems.append(f"Module {position} must be a set of fields (number, title, sessions).")
            continue
        label = f"Module {position}"
        if module.get("number") != position:
            problems.append(f"{label} must have number {position}: modules are numbered 1, 2, 3... in order.")
        if not isinstance(module.get("title"), str) or not module["title"].strip():
            problems.append(f"{label} needs a title.")
        fixed: Any = module.get("sessions")
        lo: Any = module.get("sessions_min")
        hi: Any = module.get("sessions_max")
        if lo is None and hi is None:
            if not _is_int(fixed, 1):
                problems.append(f"{label} needs a number of sessions of at least 1.")
                continue
            lo = hi = fixed
        elif not (_is_int(lo, 1) and _is_int(hi, 1) and lo <= hi):
            problems.append(
                f"{label} needs a session range whose minimum (at least 1) is not above its maximum."
            )
            continue
        elif fixed is not None and not (_is_int(fixed, 1) and lo <= fixed <= hi):
            problems.append(
                f"{label}'s default of {fixed} sessions must lie within its range of {lo} to {hi}."
            )
            continue
        block = module.get("block")
        if block is not None and not _is_int(block, 1):
            problems.append(f"{label}'s block must be a whole number of at least 1.")
        low_total, high_total = low_total + lo, high_total + hi
        default_total += fixed if fixed is not None else lo
    if problems:
        return problems
    s_min, s_max = entry["sessions_min"], entry["sessions_max"]
    if _is_int(s_min, 1) and _is_int(s_max, 1):
        if low_total > s_max or high_total < s_min:
            problems.append(
                f"The modules add up to {_span(low_total, high_total)} sessions, which cannot meet the "
                f"programme's {_span(s_min, s_max)}."
            )
        elif not s_min <= default_total <= s_max:
            problems.append(
                f"The modules add up to {default_total} sessions by default, outside the programme's "
                f"{_span(s_min, s_max)}."
            )
    rule = entry["restart_rule"]
    needs_blocks = (
        (isinstance(rule, Mapping) and rule.get("kind") == "missed_per_block")
        or entry["join_rule"] == "block_boundary"
        or entry["delivery"] == "rolling"
    )
    if needs_blocks and any(m.get("block") is None for m in modules):
        problems.append("Every module needs a block number: this programme joins or restarts by block.")
    return problems


def validate_entry(entry: Mapping[str, Any]) -> list[str]:  # noqa: C901 - written before the complexity limit; to split (issue 7)
    """Plain-English problems with a catalogue entry; an empty list means it is usable."""
    missing = [key for key in ENTRY_KEYS if key not in entry]
    if missing:
        return [f"Missing field: {key}." for key in missing]
    problems: list[str] = []
    for key in ("code", "programme", "format"):
        if not isinstance(entry[key], str) or not _CODE_RE.match(entry[key]):
            problems.append(
                f"The {key} must be lower-case letters, digits and underscores, e.g. isotp_group."
            )
    if not isinstance(entry["name"], str) or not entry["name"].strip():
        problems.append("The programme needs a name.")
    enumerations = (("delivery", DELIVERY_MODES), ("cadence", CADENCES), ("join_rule", JOIN_RULES))
    for key, allowed in enumerations:
        if entry[key] not in allowed:
            problems.append(f"The {key.replace('_', ' ')} must be one of: {', '.join(allowed)}.")
    if not _is_int(entry["session_minutes"], 1):
        problems.append("Session length must be a whole number of minutes, at least 1.")
    elif not _is_int(entry["work_minutes"], 1) or entry["work_minutes"] > entry["session_minutes"]:
        problems.append("Treatment minutes must be at least 1 and no more than the session length.")
    if not (_is_int(entry["sessions_min"], 1) and _is_int(entry["sessions_max"], 1)):
        problems.append("The programme's minimum and maximum sessions must be whole numbers of at least 1.")
    elif entry["sessions_min"] > entry["sessions_max"]:
        problems.append("The minimum number of sessions must not be above the maximum.")
    sizes = [entry[k] for k in ("group_min", "group_optimum", "group_max")]
    if not all(_is_int(s, 1) for s in sizes) or not sizes[0] <= sizes[1] <= sizes[2]:
        problems.append("Group sizes must be whole numbers with minimum <= optimum <= maximum.")
    elif entry["delivery"] == "one_to_one" and sizes[2] != 1:
        problems.append("A one-to-one programme has exactly one participant.")
    if not _is_int(entry["min_age"], 10):
        problems.append("The minimum age must be a whole number of years, at least 10.")
    elif entry["max_age"] is not None and not (
        _is_int(entry["max_age"]) and entry["max_age"] >= entry["min_age"]
    ):
        problems.append("The maximum age must be empty or not below the minimum age.")
    band = entry["young_adult_band"]
    if band is not None and not (
        isinstance(band, Mapping)
        and _is_int(band.get("min_age"), 10)
        and _is_int(band.get("max_age"))
        and band["min_age"] <= band["max_age"]
    ):
        problems.append("The young-adult band needs a minimum and maximum age, minimum first.")
    if entry["max_catch_ups"] is not None and not _is_int(entry["max_catch_ups"]):
        problems.append("The catch-up limit must be empty or a whole number, 0 or more.")
    rule = entry["restart_rule"]
    if not isinstance(rule, Mapping) or rule.get("kind") not in RESTART_KINDS:
        problems.append(f"The restart rule's kind must be one of: {', '.join(RESTART_KINDS)}.")
    elif (rule["kind"] == "none") != (rule.get("limit") is None) or (
        rule["kind"] != "none" and not _is_int(rule.get("limit"))
    ):
        problems.append("The restart rule needs a limit of 0 or more, or none when the kind is none.")
    if not _is_int(entry["facilitators_per_session"], 1):
        problems.append("At least one facilitator per session is needed.")
    for key in ("homework_required", "voluntary", "optional_suite"):
        if not isinstance(entry[key], bool):
            problems.append(f"{key.replace('_', ' ').capitalize()} must be true or false.")
    start = entry["default_start_time"]
    match = _TIME_RE.match(start) if isinstance(start, str) else None
    if match is None:
        problems.append("The default start time must be HH:MM on the 24-hour clock, e.g. 10:00.")
    elif _is_int(entry["session_minutes"], 1) and (
        int(match[1]) * 60 + int(match[2]) + entry["session_minutes"] >= 24 * 60
    ):
        problems.append("A session starting at the default time must end before midnight.")
    slots = entry["max_slots_per_week"]
    if not (_is_int(slots, 1) and slots <= 2):
        problems.append("Sessions per week must be 1 or 2 (domain.md §5: one or two weekdays).")
    elif entry["cadence"] == "monthly" and slots != 1:
        problems.append("A monthly programme meets on one slot.")
    if not (
        isinstance(entry["source"], list)
        and entry["source"]
        and all(isinstance(s, str) for s in entry["source"])
    ):
        problems.append("Name at least one source document.")
    if not isinstance(entry["source_note"], str) or not entry["source_note"].strip():
        problems.append("Add a source note saying where the figures come from.")
    return problems + _module_problems(entry)
