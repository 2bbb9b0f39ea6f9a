"""`manage.py loadtest_fixture --users N --out FILE`: signed-in staff and the records they open, for the load test.

Only for a load data set (`generate_load_data`): it refuses any other database, since it gives staff accounts
second-factor-verified sessions and API tokens. It runs only on a database whose name is one the load test
harness makes (`<db>_load_<scale>` or its `_run` copy: the name holds `_load_`) and in which every staff account
is a generated one (its email address ends in `.load.example`); a database holding any other account, or none,
is refused whatever its name. Each virtual user is a member
of staff of the data set with a verified session (created directly, as the sign-in and second-factor pages
would leave it), an API token, and a sample of the records their role opens, all from their own area or caseload.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions
from accounts import services as account_services
from accounts.models import ProbationArea, Role, User
from referrals.models import Person, Referral
from reports.load_data import PLACEHOLDER_PDF
from reports.models import PostProgrammeReport, ReportVersion, report_storage
from sessions.models import Attendance, FeedToken, Membership, OneToOnePlan, ProgrammeGroup, ScheduledSession

# The mix of roles among the virtual users (offender managers are the most numerous staff).
ROLE_MIX = [Role.OFFENDER_MANAGER, Role.FACILITATOR, Role.TREATMENT_MANAGER, Role.OFFENDER_MANAGER,
            Role.FACILITATOR, Role.TREATMENT_MANAGER, Role.OFFENDER_MANAGER, Role.AREA_ADMIN]  # fmt: skip
SAMPLE = 15
GENERATED_EMAIL = ".load.example"  # accounts/load_data.py: every generated member of staff's address ends so
LOAD_DATABASE = re.compile(r"_load_")  # bench/loadtest/harness.py: db_url() names `<db>_load_<scale>[_run]`


def refusal(database: str, staff: int, generated: int) -> str | None:
    """Why the fixture must not run on this database (None: it is a load data set). `staff` counts every account,
    `generated` those with a generated address: the fixture signs accounts in, so one real account refuses."""
    if not LOAD_DATABASE.search(database):
        return (
            f"Not a load data set: the database {database!r} is not one the load test makes "
            "(its name holds _load_)."
        )
    if staff == 0:
        return "Not a load data set: no staff accounts; run generate_load_data first."
    if generated != staff:
        return (
            f"Not a load data set: {staff - generated} of its {staff} staff accounts are not generated ones "
            f"(an address ending in {GENERATED_EMAIL}); the fixture signs staff in, so it refuses."
        )
    return None


def database_name() -> str:
    return str(connection.settings_dict["NAME"])


def _ids(queryset: Any, n: int = SAMPLE) -> list[str]:
    return [str(v) for v in queryset.values_list("public_id", flat=True)[:n]]


def _current_versions(reports: Any) -> list[ReportVersion]:
    return list(
        ReportVersion.objects.filter(report__in=list(reports), superseded_at__isnull=True)
        .select_related("report")
        .order_by("id")
    )


def _area_rows(area_id: int) -> dict[str, Any]:
    """How many rows the measured area holds (the harness prints them per phase, so the ratio shows)."""
    return {
        "id": area_id,
        "name": ProbationArea.objects.get(pk=area_id).name,
        "people": Person.objects.filter(area=area_id).count(),
        "referrals": Referral.objects.filter(area=area_id).count(),
        "groups": ProgrammeGroup.objects.filter(area=area_id).count(),
        "plans": OneToOnePlan.objects.filter(area=area_id).count(),
        "attendance": Attendance.objects.filter(session__group__area=area_id).count()
        + Attendance.objects.filter(session__plan__area=area_id).count(),
    }


class Command(BaseCommand):
    help = "Write signed-in load-test users (sessions, tokens, records to open) to a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--out", required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        reason = refusal(
            database_name(),
            staff=User.objects.count(),
            generated=User.objects.filter(email__endswith=GENERATED_EMAIL).count(),
        )
        if reason:
            raise CommandError(reason)
        rng = random.Random(options["seed"])  # noqa: S311 (picks records; the feed token below is test-only)
        # The busiest area of the data set (the most groups): the pages at their heaviest.
        area_id = (
            ProgrammeGroup.objects.values("area").annotate(n=Count("id")).order_by("-n", "area")[0]["area"]
        )
        staff: dict[str, list[User]] = {
            role: list(User.objects.filter(area_id=area_id, role=role).order_by("id")) for role in Role.values
        }
        # Facilitators of a running group first: they have registers to submit.
        running = set(
            ProgrammeGroup.objects.filter(area_id=area_id, status="running").values_list(
                "facilitator_links__facilitator", flat=True
            )
        )
        staff[Role.FACILITATOR].sort(key=lambda u: u.pk not in running)
        users = []
        for k in range(options["users"]):
            role = ROLE_MIX[k % len(ROLE_MIX)]
            pool = staff[role]
            user = pool[(k // len(ROLE_MIX)) % len(pool)]
            users.append(self._user(user, rng))
        with open(options["out"], "w") as out:
            json.dump({"area": _area_rows(area_id), "users": users}, out, indent=1)
        self.stdout.write(f"{len(users)} load-test users in area {area_id} written to {options['out']}")

    def _user(self, user: User, rng: random.Random) -> dict[str, Any]:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"Staff member {user.pk} has no second factor.")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        _token, key = account_services.issue_api_token(actor=user, name="Load test", lifetime_days=1)
        out: dict[str, Any] = {"role": user.role, "session": session.session_key, "token": key}
        if permissions.is_offender_manager(user):
            out["people"] = _ids(Person.objects.filter(offender_manager=user).order_by("?"))
            # A draft's page is its task list (the referral page redirects there): the mix opens submitted ones.
            referrals = Referral.objects.filter(person__offender_manager=user).exclude(status="draft")
            out["referrals"] = _ids(referrals.order_by("?"))
        elif permissions.is_treatment_manager(user):
            # The national statistics grant (as a named reader holds it), so that the mix measures
            # `?scope=national`; a manager's statistics stay the area's by default (`default_statistics_national`).
            user.user_permissions.add(Permission.objects.get(codename="view_national_statistics"))
            out["people"] = _ids(Person.objects.filter(area=user.area_id).order_by("?"))
            out["referrals"] = _ids(
                Referral.objects.filter(area=user.area_id).exclude(status="draft").order_by("?")
            )
            out["groups"] = _ids(ProgrammeGroup.objects.filter(area=user.area_id).order_by("?"))
            # The area's OMs with a caseload: the people list filtered by one (`?offender_manager=`).
            out["offender_managers"] = _ids(
                User.objects.filter(area=user.area_id, role=Role.OFFENDER_MANAGER, caseload__isnull=False)
                .distinct()
                .order_by("id")
            )
            out["plans"] = _ids(OneToOnePlan.objects.filter(area=user.area_id).order_by("?"))
            out["memberships"] = _ids(
                Membership.objects.filter(
                    group__area=user.area_id, psychometric_administrations__isnull=False
                )
                .distinct()
                .order_by("-id")
            )
            issued = PostProgrammeReport.objects.filter(area=user.area_id, status="issued").order_by("?")
            out["reports"] = _ids(issued)
            out["downloads"] = [self._placeholder(version) for version in _current_versions(issued[:5])]
        elif permissions.is_facilitator(user):
            groups = ProgrammeGroup.objects.filter(facilitator_links__facilitator=user).order_by("?")
            out["groups"] = _ids(groups)
            running = ScheduledSession.objects.filter(
                group__in=groups.filter(status="running"), status="delivered", facilitators=user
            ).order_by("-date")
            registers = []
            for session_id in _ids(running, 5):
                members = Membership.objects.filter(
                    group__sessions__public_id=session_id, status="active"
                ).values_list("public_id", flat=True)
                registers.append({"session": session_id, "members": [str(m) for m in members]})
            out["registers"] = [r for r in registers if r["members"]]
            out["memberships"] = _ids(
                Membership.objects.filter(group__in=groups, status="active").order_by("id")
            )
            feed = FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
            if feed is None:
                feed = FeedToken.objects.create(user=user, token=f"load{rng.getrandbits(160):040x}")
            out["feed"] = feed.token
        elif permissions.is_area_admin(user):
            out["facilitators"] = _ids(
                User.objects.filter(area=user.area_id, role=Role.FACILITATOR).order_by("id")
            )
        return out

    def _placeholder(self, version: ReportVersion) -> str:
        """The data set's versions are metadata; give the ones the load test downloads their placeholder file."""
        storage = report_storage()
        name = str(version.file.name)
        if not storage.exists(name):
            storage.save(name, ContentFile(PLACEHOLDER_PDF))
        return f"{version.report.public_id}/versions/{version.number}"
