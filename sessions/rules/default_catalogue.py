"""The default programme catalogue (domain.md §2), as typed plain data citing its sources; version 1 of every
area's catalogue is seeded from it. The checks on an entry are in ``catalogue`` (``validate_entry``)."""

from __future__ import annotations

from .catalogue import PROGRAMME_ISOTP, PROGRAMME_NSOGP, CatalogueEntry, CatalogueModule

# 000, 001: the six i-SOTP modules; the group and one-to-one formats share the titles.
_ISOTP_TITLES = {
    1: "Motivation to Change",
    2: "What Needs did Offending Meet?",
    3: "Victim Awareness and Taking Responsibility",
    4: "Emotional Self-Regulation, Self-Management and Relationship Skills",
    5: "Community, Collecting and Compulsivity",
    6: "Relapse Prevention and New Life Goals",
}


def _isotp_group() -> CatalogueEntry:
    # 000: group module sessions 4 / 8 / 3-4 / 13 / 4 / 3; domain.md §2.1: module 3 at 3 keeps the total at 35.
    counts = {1: 4, 2: 8, 3: 3, 4: 13, 5: 4, 6: 3}
    modules: list[CatalogueModule] = [
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


def _isotp_one_to_one() -> CatalogueEntry:
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


def _nsogp_core_group() -> CatalogueEntry:
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


def _nsogp_relapse_prevention() -> CatalogueEntry:
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


def _nsogp_ltms() -> CatalogueEntry:
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


def _suite_entry(code: str, name: str, titles: list[str], counts: list[int], note: str) -> CatalogueEntry:
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


def _li_group() -> CatalogueEntry:
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


def _hi_group() -> CatalogueEntry:
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


DEFAULT_CATALOGUE: list[CatalogueEntry] = [
    _isotp_group(),
    _isotp_one_to_one(),
    _nsogp_core_group(),
    _nsogp_relapse_prevention(),
    _nsogp_ltms(),
    _li_group(),
    _hi_group(),
]
