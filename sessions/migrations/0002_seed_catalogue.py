"""Seed version 1 of the national catalogue from `sessions.rules.DEFAULT_CATALOGUE`.

The entries are copied here as they stood when this migration was written, so that later edits to the defaults
cannot change what an old migration did: a changed default needs a new data migration (or an administrator's
new version).
"""

import datetime

from django.db import migrations

VALID_FROM = datetime.date(2017, 1, 1)  # 000 is dated 2017; nothing in the product is scheduled before it

CATALOGUE = [
    {
        "code": "isotp_group",
        "programme": "isotp",
        "format": "group",
        "name": "i-SOTP (group)",
        "delivery": "closed",
        "session_minutes": 120,
        "work_minutes": 120,
        "sessions_min": 35,
        "sessions_max": 35,
        "modules": [
            {"number": 1, "title": "Motivation to Change", "sessions": 4},
            {"number": 2, "title": "What Needs did Offending Meet?", "sessions": 8},
            {
                "number": 3,
                "title": "Victim Awareness and Taking Responsibility",
                "sessions": 3,
                "note": "000 gives 3-4 sessions; 3 keeps the programme at 35 sessions (domain.md §2.1).",
            },
            {
                "number": 4,
                "title": "Emotional Self-Regulation, Self-Management and Relationship Skills",
                "sessions": 13,
            },
            {"number": 5, "title": "Community, Collecting and Compulsivity", "sessions": 4},
            {"number": 6, "title": "Relapse Prevention and New Life Goals", "sessions": 3},
        ],
        "group_min": 8,
        "group_optimum": 8,
        "group_max": 10,
        "min_age": 21,
        "max_age": None,
        "young_adult_band": {"min_age": 17, "max_age": 21},
        "max_catch_ups": 4,
        "restart_rule": {"kind": "total_catch_ups", "limit": 4},
        "facilitators_per_session": 2,
        "homework_required": True,
        "join_rule": "start_only",
        "voluntary": False,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["000", "001", "003"],
        "source_note": "35 two-hour sessions, once or twice a week, 8-10 men aged 21+ (000, 003). Module 3 is 3-4 "
        "sessions in 000; the default uses 3 so the total stays 35 (domain.md §2.1). The sources "
        "give no start time: 10:00 is a default to edit per group.",
    },
    {
        "code": "isotp_one_to_one",
        "programme": "isotp",
        "format": "one_to_one",
        "name": "i-SOTP (one-to-one)",
        "delivery": "one_to_one",
        "session_minutes": 90,
        "work_minutes": 90,
        "sessions_min": 20,
        "sessions_max": 30,
        "modules": [
            {"number": 1, "title": "Motivation to Change", "sessions_min": 4, "sessions_max": 6},
            {"number": 2, "title": "What Needs did Offending Meet?", "sessions_min": 4, "sessions_max": 4},
            {
                "number": 3,
                "title": "Victim Awareness and Taking Responsibility",
                "sessions_min": 4,
                "sessions_max": 5,
            },
            {
                "number": 4,
                "title": "Emotional Self-Regulation, Self-Management and Relationship Skills",
                "sessions_min": 8,
                "sessions_max": 10,
            },
            {
                "number": 5,
                "title": "Community, Collecting and Compulsivity",
                "sessions_min": 3,
                "sessions_max": 6,
            },
            {
                "number": 6,
                "title": "Relapse Prevention and New Life Goals",
                "sessions_min": 5,
                "sessions_max": 5,
            },
        ],
        "group_min": 1,
        "group_optimum": 1,
        "group_max": 1,
        "min_age": 17,
        "max_age": None,
        "young_adult_band": None,
        "max_catch_ups": 4,
        "restart_rule": {"kind": "total_catch_ups", "limit": 4},
        "facilitators_per_session": 1,
        "homework_required": True,
        "join_rule": "start_only",
        "voluntary": False,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["000", "001", "003"],
        "source_note": "20-30 sessions of 90 minutes chosen by treatment need (000). The module ranges add to "
        "28-36, so the total (20-30) is the hard rule and the ranges are guidance; a plan outside a "
        "module range needs a treatment manager's rationale (domain.md §2.2). Frequency is not "
        "given for one-to-ones: up to two a week, as for the group.",
    },
    {
        "code": "nsogp_core_group",
        "programme": "nsogp",
        "format": "core_group",
        "name": "N-SOGP Core Group",
        "delivery": "rolling",
        "session_minutes": 330,
        "work_minutes": 270,
        "sessions_min": 32,
        "sessions_max": 36,
        "modules": [
            {
                "number": 1,
                "title": "Core Group block 1",
                "sessions": 8,
                "sessions_min": 8,
                "sessions_max": 9,
                "block": 1,
            },
            {
                "number": 2,
                "title": "Core Group block 2",
                "sessions": 8,
                "sessions_min": 8,
                "sessions_max": 9,
                "block": 2,
            },
            {
                "number": 3,
                "title": "Core Group block 3",
                "sessions": 8,
                "sessions_min": 8,
                "sessions_max": 9,
                "block": 3,
            },
            {
                "number": 4,
                "title": "Core Group block 4",
                "sessions": 8,
                "sessions_min": 8,
                "sessions_max": 9,
                "block": 4,
            },
        ],
        "group_min": 6,
        "group_optimum": 8,
        "group_max": 10,
        "min_age": 21,
        "max_age": None,
        "young_adult_band": None,
        "max_catch_ups": None,
        "restart_rule": {"kind": "missed_per_block", "limit": 2},
        "facilitators_per_session": 2,
        "homework_required": False,
        "join_rule": "block_boundary",
        "voluntary": False,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["002"],
        "source_note": "Rolling Core Group in four blocks of full days, 10:00-15:30 with 4.5 hours of work (002). "
        "002 gives 144-162 hours: the default is 8 days a block (36 hours; 32 days, 144 hours), and "
        "a block may run to 9 days (162 hours in all). Each block holds introductory, assessment, "
        "personal-work, thematic and process exercises.",
    },
    {
        "code": "nsogp_relapse_prevention",
        "programme": "nsogp",
        "format": "relapse_prevention",
        "name": "N-SOGP Relapse Prevention / Better Lives",
        "delivery": "closed",
        "session_minutes": 180,
        "work_minutes": 180,
        "sessions_min": 12,
        "sessions_max": 12,
        "modules": [
            {"number": 1, "title": "Relapse Prevention and Better Lives", "sessions": 12, "block": 1}
        ],
        "group_min": 6,
        "group_optimum": 8,
        "group_max": 10,
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
        "Group completers and men who completed prison SOTP. The sources give no catch-up limit: "
        "the SOGP block rule (more than two missed restarts) is applied, the 12 sessions being one "
        "block.",
    },
    {
        "code": "nsogp_ltms",
        "programme": "nsogp",
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
        "group_max": 10,
        "min_age": 21,
        "max_age": None,
        "young_adult_band": None,
        "max_catch_ups": None,
        "restart_rule": {"kind": "none", "limit": None},
        "facilitators_per_session": 2,
        "homework_required": False,
        "join_rule": "any_time",
        "voluntary": True,
        "optional_suite": False,
        "default_start_time": "10:00",
        "cadence": "monthly",
        "max_slots_per_week": 1,
        "source": ["002"],
        "source_note": "Voluntary, monthly and open-ended; content follows the issues members bring (002). 002 "
        "gives no length: 12 sessions (a year) are generated at a time and 2 hours is a default. "
        "Members may join at any time and there is no catch-up rule.",
    },
    {
        "code": "li_group",
        "programme": "li",
        "format": "group",
        "name": "Low Intensity programme (group)",
        "delivery": "closed",
        "session_minutes": 150,
        "work_minutes": 150,
        "sessions_min": 24,
        "sessions_max": 24,
        "modules": [
            {"number": 1, "title": "Engagement and treatment targets", "sessions": 4},
            {"number": 2, "title": "Sexual thinking and interests", "sessions": 5},
            {"number": 3, "title": "Relationships and intimacy", "sessions": 5},
            {"number": 4, "title": "Self-management", "sessions": 5},
            {"number": 5, "title": "Moving forward", "sessions": 5},
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
        "optional_suite": True,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["004"],
        "source_note": "ILLUSTRATIVE: 004 gives no dosage, session length, module list or group size. 004: dosage "
        "differs by risk (medium shorter than high/very high); this default is the full dose. "
        "Replace with the accredited manual's figures before use.",
    },
    {
        "code": "hi_group",
        "programme": "hi",
        "format": "group",
        "name": "High Intensity programme (group)",
        "delivery": "closed",
        "session_minutes": 150,
        "work_minutes": 150,
        "sessions_min": 52,
        "sessions_max": 52,
        "modules": [
            {"number": 1, "title": "Understanding my offending", "sessions": 8},
            {"number": 2, "title": "Ways of thinking", "sessions": 12},
            {"number": 3, "title": "Skills and behaviour", "sessions": 14},
            {"number": 4, "title": "Strengths and support networks", "sessions": 10},
            {"number": 5, "title": "A better, offence-free life", "sessions": 8},
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
        "optional_suite": True,
        "default_start_time": "10:00",
        "cadence": "weekly",
        "max_slots_per_week": 2,
        "source": ["004"],
        "source_note": "ILLUSTRATIVE: 004 gives no dosage, session length, module list or group size. Module "
        "titles follow the programme aims in 004 (thinking, skills and behaviour, strengths, "
        "support networks, offence-free lives). Replace with the accredited manual's figures before "
        "use.",
    },
]


def seed(apps, schema_editor):
    Programme = apps.get_model("programme_sessions", "Programme")
    for entry in CATALOGUE:
        if Programme.objects.filter(code=entry["code"]).exists():
            continue
        hours, minutes = (int(x) for x in entry["default_start_time"].split(":"))
        Programme.objects.create(
            code=entry["code"],
            programme=entry["programme"],
            format=entry["format"],
            name=entry["name"],
            version=1,
            area=None,
            valid_from=VALID_FROM,
            valid_until=None,
            delivery=entry["delivery"],
            session_minutes=entry["session_minutes"],
            work_minutes=entry["work_minutes"],
            sessions_min=entry["sessions_min"],
            sessions_max=entry["sessions_max"],
            modules=entry["modules"],
            group_min=entry["group_min"],
            group_optimum=entry["group_optimum"],
            group_max=entry["group_max"],
            min_age=entry["min_age"],
            max_age=entry["max_age"],
            young_adult_band=entry["young_adult_band"],
            max_catch_ups=entry["max_catch_ups"],
            restart_kind=entry["restart_rule"]["kind"],
            restart_limit=entry["restart_rule"]["limit"],
            facilitators_per_session=entry["facilitators_per_session"],
            homework_required=entry["homework_required"],
            join_rule=entry["join_rule"],
            voluntary=entry["voluntary"],
            optional_suite=entry["optional_suite"],
            default_start_time=datetime.time(hours, minutes),
            cadence=entry["cadence"],
            max_slots_per_week=entry["max_slots_per_week"],
            source=entry["source"],
            source_note=entry["source_note"],
            change_reason="Seeded from the default catalogue.",
        )


def unseed(apps, schema_editor):
    Programme = apps.get_model("programme_sessions", "Programme")
    Programme.objects.filter(version=1, area=None, code__in=[e["code"] for e in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("programme_sessions", "0001_catalogue_groups_sessions")]

    operations = [migrations.RunPython(seed, unseed)]
