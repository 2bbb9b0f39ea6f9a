"""Demo data for accounts: two areas, their staff, training, supervision, venues and closure dates.

Idempotent: every row is found by its natural key first, so re-running changes nothing.
"""

from __future__ import annotations

import binascii
import datetime as dt

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import (
    ApiToken,
    AreaClosure,
    FacilitatorTraining,
    ProbationArea,
    Role,
    Supervision,
    User,
    Venue,
)

DEMO_PASSWORD = "isotp-demo-2026"
# The demo accounts share one authenticator key so a person trying the demo needs to add it only once.
DEMO_TOTP_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_TOTP_HEX = binascii.hexlify(__import__("base64").b32decode(DEMO_TOTP_BASE32)).decode()

AREAS = [
    {
        "code": "cheshire",
        "name": "Cheshire",
        "jurisdiction": "england_and_wales",
        "holiday_subdivision": "ENG",
    },
    {
        "code": "northumbria",
        "name": "Northumbria",
        "jurisdiction": "england_and_wales",
        "holiday_subdivision": "ENG",
    },
]

STAFF = {
    "cheshire": [
        ("admin", Role.AREA_ADMIN, "Alex Morgan"),
        ("tm", Role.TREATMENT_MANAGER, "Priya Shah"),
        ("tm2", Role.TREATMENT_MANAGER, "Gareth Lloyd"),
        ("facilitator", Role.FACILITATOR, "Sam Okafor"),
        ("facilitator2", Role.FACILITATOR, "Helen Brooks"),
        ("facilitator3", Role.FACILITATOR, "Tom Whitfield"),
        ("facilitator4", Role.FACILITATOR, "Aisha Begum"),
        ("om", Role.OFFENDER_MANAGER, "Rachel Green"),
        ("om2", Role.OFFENDER_MANAGER, "Daniel Hughes"),
        ("om3", Role.OFFENDER_MANAGER, "Fiona Marsh"),
    ],
    "northumbria": [
        ("admin", Role.AREA_ADMIN, "Jordan Reed"),
        ("tm", Role.TREATMENT_MANAGER, "Claire Robson"),
        ("tm2", Role.TREATMENT_MANAGER, "Ian Charlton"),
        ("facilitator", Role.FACILITATOR, "Megan Armstrong"),
        ("facilitator2", Role.FACILITATOR, "Paul Dodds"),
        ("facilitator3", Role.FACILITATOR, "Leah Milburn"),
        ("facilitator4", Role.FACILITATOR, "Kieran Wilson"),
        ("om", Role.OFFENDER_MANAGER, "Sarah Hall"),
        ("om2", Role.OFFENDER_MANAGER, "Mark Bell"),
        ("om3", Role.OFFENDER_MANAGER, "Nadia Hussain"),
    ],
}

VENUES = {
    "cheshire": [
        (
            "Chester Probation Office, Group Room 2",
            "Beech House, Park West, Sealand Road, Chester",
            "CH1 4RJ",
            12,
        ),
        ("Crewe Community Hub", "Delamere Street, Crewe", "CW1 2JH", 10),
    ],
    "northumbria": [
        ("Newcastle, Pilgrim Street", "Pilgrim Street, Newcastle upon Tyne", "NE1 6QF", 12),
        ("Ashington Probation Office", "Station Road, Ashington", "NE63 9UZ", 10),
    ],
}

CLOSURES = [(dt.date(2027, 1, 15), "Staff training day"), (dt.date(2027, 6, 18), "Office move")]


def demo_email(local: str, area_code: str) -> str:
    return f"{local}@{area_code}.example"


def seed(log: list[str]) -> None:
    """Create (or leave alone) the demo areas and staff."""
    for spec in AREAS:
        area, _ = ProbationArea.objects.get_or_create(code=spec["code"], defaults=spec)
        for local, role, name in STAFF[area.code]:
            email = demo_email(local, area.code)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role, area=area)
                log.append(f"created {email}")
            TOTPDevice.objects.get_or_create(
                user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_HEX, "confirmed": True}
            )
        for name, address, postcode, capacity in VENUES[area.code]:
            Venue.objects.get_or_create(
                area=area,
                name=name,
                defaults={"address": address, "postcode": postcode, "capacity": capacity},
            )
        for date, reason in CLOSURES:
            AreaClosure.objects.get_or_create(area=area, date=date, defaults={"reason": reason})
        _seed_training(area)
        _seed_api_token(area)


def _seed_api_token(area: ProbationArea) -> None:
    """The treatment manager has one named API token (its key is random and never shown: issue your own)."""
    from accounts.services import issue_api_token

    tm = User.objects.get(email=demo_email("tm", area.code))
    if not ApiToken.objects.filter(user=tm, name="Case management integration").exists():
        issue_api_token(actor=tm, name="Case management integration", lifetime_days=60)


def _seed_training(area: ProbationArea) -> None:
    admin = User.objects.get(email=demo_email("admin", area.code))
    tms = [User.objects.get(email=demo_email(x, area.code)) for x in ("tm", "tm2")]
    for index, local in enumerate(("facilitator", "facilitator2", "facilitator3", "facilitator4")):
        facilitator = User.objects.get(email=demo_email(local, area.code))
        records = [
            ("assessment_centre", "", dt.date(2019, 3, 12)),
            ("core_programme_training", "nsogp", dt.date(2019, 9, 20)),
            ("isotp_training", "isotp", dt.date(2020, 5, 8)),
        ]
        for kind, programme, date in records:
            FacilitatorTraining.objects.get_or_create(
                facilitator=facilitator,
                kind=kind,
                programme=programme,
                defaults={"date_passed": date + dt.timedelta(days=30 * index), "recorded_by": admin},
            )
        if not Supervision.objects.filter(facilitator=facilitator, ended_on__isnull=True).exists():
            Supervision.objects.create(
                treatment_manager=tms[index // 2], facilitator=facilitator, started_on=dt.date(2024, 4, 1)
            )
