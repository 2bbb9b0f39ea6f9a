"""Load data set (issue 11): probation areas, their venues and staff, training, supervision, second factors.

All 42 areas at every scale. Staff per area at scale 1: 2 administrators, 6 treatment managers, 24 facilitators
and 68 offender managers; each role shrinks with the scale, down to one per area (enough facilitators for the
area's group and plan lanes), so each role can still sign in (`isotp.loadgen.area_counts`). Staff have an unusable password: the load test signs them in by
creating their session directly (`manage.py loadtest_fixture`), never through the sign-in form.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import FacilitatorTraining, ProbationArea, Role, Supervision, User, Venue
from isotp.loadgen import Context, Rows

AREA_NAMES = [
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "Cleveland", "Cumbria", "Derbyshire",
    "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex", "Gloucestershire", "Greater Manchester",
    "Gwent", "Hampshire", "Hertfordshire", "Humberside", "Kent", "Lancashire", "Leicestershire", "Lincolnshire",
    "London", "Merseyside", "Norfolk", "North Wales", "North Yorkshire", "Northamptonshire", "Northumbria",
    "Nottinghamshire", "South Wales", "South Yorkshire", "Staffordshire", "Suffolk", "Surrey", "Sussex",
    "Thames Valley", "Warwickshire", "West Mercia", "West Midlands", "West Yorkshire", "Northern Ireland",
]  # fmt: skip
WELSH = {"Dyfed-Powys", "Gwent", "North Wales", "South Wales"}
FIRST = [
    "Alex", "Sam", "Priya", "Gareth", "Helen", "Tom", "Aisha", "Rachel", "Daniel", "Fiona", "Claire", "Ian",
    "Megan", "Paul", "Leah", "Kieran", "Sarah", "Mark", "Nadia", "Jordan", "Owen", "Chloe", "Imran", "Ruth",
]  # fmt: skip
LAST = [
    "Morgan", "Shah", "Lloyd", "Okafor", "Brooks", "Whitfield", "Begum", "Green", "Hughes", "Marsh", "Robson",
    "Charlton", "Armstrong", "Dodds", "Milburn", "Wilson", "Hall", "Bell", "Hussain", "Reed", "Evans", "Patel",
]  # fmt: skip
VENUES_PER_AREA = 10
ROLES = [Role.AREA_ADMIN, Role.TREATMENT_MANAGER, Role.FACILITATOR, Role.OFFENDER_MANAGER]


def generate(ctx: Context) -> None:
    """Areas, venues, staff (with TOTP devices), facilitator training and supervision."""
    rng, today = ctx.rng, ctx.today
    n_areas = ctx.counts["areas"]
    if n_areas != len(AREA_NAMES):
        raise ValueError(f"The data set has the {len(AREA_NAMES)} probation areas at every scale.")
    names = AREA_NAMES
    area_ids = list(ctx.new_ids(ProbationArea, n_areas))
    codes, jurisdictions = {}, {}
    rows: Rows = []
    for area_id, name in zip(area_ids, names, strict=True):
        code = name.lower().replace(" and ", "-").replace(" ", "-")[:20]
        codes[area_id] = code
        if name == "Northern Ireland":
            jurisdiction, subdivision = "northern_ireland", "NIR"
        else:
            jurisdiction, subdivision = "england_and_wales", "WLS" if name in WELSH else "ENG"
        jurisdictions[area_id] = jurisdiction
        rows.append((area_id, name, code, jurisdiction, subdivision, rng.random() < 0.2))
    ctx.copy(
        ProbationArea, ["id", "name", "code", "jurisdiction", "holiday_subdivision", "lihi_enabled"], rows
    )

    venue_ids: dict[int, list[int]] = {}
    rows = []
    for area_id in area_ids:
        ids = list(ctx.new_ids(Venue, VENUES_PER_AREA))
        venue_ids[area_id] = ids
        for k, venue_id in enumerate(ids, start=1):
            rows.append((venue_id, area_id, f"Probation office {k}", f"{k} High Street", "", 12))
    ctx.copy(Venue, ["id", "area_id", "name", "address", "postcode", "capacity"], rows)

    staff: dict[int, dict[str, list[int]]] = {}
    user_rows: Rows = []
    device_rows: Rows = []
    joined = ctx.at(today.replace(year=today.year - 11))
    for area_id, counts in zip(area_ids, ctx.per_area, strict=True):
        staff[area_id] = {}
        for role in ROLES:
            n = counts[role]
            ids = list(ctx.new_ids(User, n))
            staff[area_id][role] = ids
            for k, user_id in enumerate(ids, start=1):
                email = f"{role.replace('_', '-')}{k}@{codes[area_id]}.load.example"
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                user_rows.append(
                    (user_id, ctx.uuid(), UNUSABLE_PASSWORD_PREFIX, email, name, role, area_id, joined, False,
                     ctx.uuid())
                )  # fmt: skip
                key = hashlib.sha1(f"{ctx.seed}:{user_id}".encode()).hexdigest()  # noqa: S324 (not a secret)
                device_rows.append((user_id, "Authenticator", True, key, joined))
    ctx.copy(
        User,
        [
            "id",
            "public_id",
            "password",
            "email",
            "full_name",
            "role",
            "area_id",
            "date_joined",
            "is_superuser",
            "security_stamp",
        ],
        user_rows,
    )
    ctx.copy(TOTPDevice, ["user_id", "name", "confirmed", "key", "created_at"], device_rows)

    training: Rows = []
    supervision: Rows = []
    passed = today.replace(year=today.year - 11)
    for area_id in area_ids:
        tms = staff[area_id][Role.TREATMENT_MANAGER]
        for k, user_id in enumerate(staff[area_id][Role.FACILITATOR]):
            tm = tms[k % len(tms)]
            training.append((user_id, "assessment_centre", "", passed, tm, ctx.at(passed)))
            for programme in ("isotp", "nsogp", "li", "hi"):
                training.append((user_id, "core_programme_training", programme, passed, tm, ctx.at(passed)))
            training.append((user_id, "isotp_training", "isotp", passed, tm, ctx.at(passed)))
            supervision.append((tm, user_id, passed))
    ctx.copy(
        FacilitatorTraining,
        ["facilitator_id", "kind", "programme", "date_passed", "recorded_by_id", "recorded_at"],
        training,
    )
    ctx.copy(Supervision, ["treatment_manager_id", "facilitator_id", "started_on"], supervision)
    ctx.ids.update(
        areas=area_ids, area_codes=codes, jurisdictions=jurisdictions, venues=venue_ids, staff=staff
    )
