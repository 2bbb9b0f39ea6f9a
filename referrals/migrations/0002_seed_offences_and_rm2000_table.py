"""Seed the offence reference table (003, domain.md §3) and the first RM2000 scoring table (domain.md §4).

Both are frozen here as literals, not imported, so that this migration means the same thing whatever the rules
module says later. Categories are the eligibility codes of referrals.rules.OFFENCE_CATEGORIES.
"""

from django.db import migrations

OFFENCES = [
    (
        "pca1978_s1_1a",
        "Taking or making an indecent photograph or pseudo-photograph of a child",
        "Protection of Children Act 1978 s.1(1)(a)",
        "iioc_take_make",
    ),
    (
        "pca1978_s1_1b",
        "Distributing or showing indecent photographs or pseudo-photographs of a child",
        "Protection of Children Act 1978 s.1(1)(b)",
        "iioc_distribute",
    ),
    (
        "pca1978_s1_1c",
        "Possessing indecent photographs of a child with a view to their being distributed or shown",
        "Protection of Children Act 1978 s.1(1)(c)",
        "iioc_distribute",
    ),
    (
        "pca1978_s1_1d",
        "Publishing an advertisement for indecent photographs of a child",
        "Protection of Children Act 1978 s.1(1)(d)",
        "iioc_distribute",
    ),
    (
        "cja1988_s160",
        "Possession of an indecent photograph or pseudo-photograph of a child",
        "Criminal Justice Act 1988 s.160",
        "iioc_possess",
    ),
    (
        "soa2003_s48",
        "Causing or inciting sexual exploitation of a child (formerly child prostitution or pornography)",
        "Sexual Offences Act 2003 s.48",
        "csec_cause_incite",
    ),
    (
        "soa2003_s49",
        "Controlling a child in relation to sexual exploitation (formerly a child prostitute or a child involved in "
        "pornography)",
        "Sexual Offences Act 2003 s.49",
        "csec_control",
    ),
    (
        "soa2003_s50",
        "Arranging or facilitating sexual exploitation of a child (formerly child prostitution or pornography)",
        "Sexual Offences Act 2003 s.50",
        "csec_arrange_facilitate",
    ),
    (
        "soa2003_s15",
        "Meeting a child following sexual grooming",
        "Sexual Offences Act 2003 s.15",
        "grooming_meeting_child",
    ),
    (
        "soa2003_s15a",
        "Sexual communication with a child",
        "Sexual Offences Act 2003 s.15A",
        "non_contact_other",
    ),
    ("soa2003_s5", "Rape of a child under 13", "Sexual Offences Act 2003 s.5", "contact_sexual_child"),
    (
        "soa2003_s7",
        "Sexual assault of a child under 13",
        "Sexual Offences Act 2003 s.7",
        "contact_sexual_child",
    ),
    (
        "soa2003_s8",
        "Causing or inciting a child under 13 to engage in sexual activity",
        "Sexual Offences Act 2003 s.8",
        "contact_sexual_child",
    ),
    ("soa2003_s9", "Sexual activity with a child", "Sexual Offences Act 2003 s.9", "contact_sexual_child"),
    (
        "soa2003_s10",
        "Causing or inciting a child to engage in sexual activity",
        "Sexual Offences Act 2003 s.10",
        "contact_sexual_child",
    ),
    (
        "soa2003_s11",
        "Engaging in sexual activity in the presence of a child",
        "Sexual Offences Act 2003 s.11",
        "non_contact_other",
    ),
    (
        "soa2003_s12",
        "Causing a child to watch a sexual act",
        "Sexual Offences Act 2003 s.12",
        "non_contact_other",
    ),
    ("soa2003_s1", "Rape", "Sexual Offences Act 2003 s.1", "contact_sexual_adult"),
    ("soa2003_s2", "Assault by penetration", "Sexual Offences Act 2003 s.2", "contact_sexual_adult"),
    ("soa2003_s3", "Sexual assault", "Sexual Offences Act 2003 s.3", "contact_sexual_adult"),
    (
        "soa2003_s4",
        "Causing a person to engage in sexual activity without consent",
        "Sexual Offences Act 2003 s.4",
        "contact_sexual_adult",
    ),
    ("soa2003_s66", "Exposure", "Sexual Offences Act 2003 s.66", "non_contact_other"),
    ("soa2003_s67", "Voyeurism", "Sexual Offences Act 2003 s.67", "non_contact_other"),
]

SCORING_TABLE = {
    "version": "2003-commonly-cited-1",
    "source_note": "The commonly cited Risk Matrix 2000 point tables (Thornton et al. 2003), as summarised in the "
    "product's domain reference (domain.md §4). They have not been checked against the official scoring "
    "guide: each area should check them against §13-15 of Thornton (2007), Risk Matrix 2000 scoring "
    "guide, and save a corrected table as a new version where they differ.",
    "s": {
        "age_at_commencement": [
            {"min": 18, "max": 24, "points": 2},
            {"min": 25, "max": 34, "points": 1},
            {"min": 35, "max": None, "points": 0},
        ],
        "sexual_appearances": [
            {"min": 1, "max": 1, "points": 0},
            {"min": 2, "max": 2, "points": 1},
            {"min": 3, "max": 4, "points": 2},
            {"min": 5, "max": None, "points": 3},
        ],
        "criminal_appearances": [{"min": 1, "max": 4, "points": 0}, {"min": 5, "max": None, "points": 1}],
        "categories": [
            {"min": 0, "max": 0, "category": "low"},
            {"min": 1, "max": 2, "category": "medium"},
            {"min": 3, "max": 4, "category": "high"},
            {"min": 5, "max": None, "category": "very_high"},
        ],
        "aggravating_factors": ["male_victim", "stranger_victim", "non_contact_offence", "single"],
        "uplift": [
            {"min": 0, "max": 1, "steps": 0},
            {"min": 2, "max": 3, "steps": 1},
            {"min": 4, "max": None, "steps": 2},
        ],
    },
    "v": {
        "age_at_commencement": [
            {"min": 18, "max": 24, "points": 3},
            {"min": 25, "max": 34, "points": 2},
            {"min": 35, "max": 44, "points": 1},
            {"min": 45, "max": None, "points": 0},
        ],
        "violent_appearances": [
            {"min": 0, "max": 0, "points": 0},
            {"min": 1, "max": 1, "points": 1},
            {"min": 2, "max": 3, "points": 2},
            {"min": 4, "max": None, "points": 3},
        ],
        "burglary_points": 2,
        "categories": [
            {"min": 0, "max": 1, "category": "low"},
            {"min": 2, "max": 3, "category": "medium"},
            {"min": 4, "max": 5, "category": "high"},
            {"min": 6, "max": None, "category": "very_high"},
        ],
    },
    "c": {
        "category_points": {"low": 0, "medium": 1, "high": 2, "very_high": 3},
        "categories": [
            {"min": 0, "max": 0, "category": "low"},
            {"min": 1, "max": 2, "category": "medium"},
            {"min": 3, "max": 4, "category": "high"},
            {"min": 5, "max": None, "category": "very_high"},
        ],
    },
}


def seed(apps, schema_editor):
    Offence = apps.get_model("referrals", "Offence")
    Rm2000ScoringTable = apps.get_model("referrals", "Rm2000ScoringTable")
    for code, title, legislation, category in OFFENCES:
        Offence.objects.update_or_create(
            code=code, defaults={"title": title, "legislation": legislation, "category": category}
        )
    if not Rm2000ScoringTable.objects.filter(version=SCORING_TABLE["version"]).exists():
        Rm2000ScoringTable.objects.create(
            version=SCORING_TABLE["version"],
            table=SCORING_TABLE,
            source_note=SCORING_TABLE["source_note"],
            active=not Rm2000ScoringTable.objects.filter(active=True).exists(),
        )


def unseed(apps, schema_editor):
    apps.get_model("referrals", "Rm2000ScoringTable").objects.filter(
        version=SCORING_TABLE["version"]
    ).delete()
    apps.get_model("referrals", "Offence").objects.filter(code__in=[o[0] for o in OFFENCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
