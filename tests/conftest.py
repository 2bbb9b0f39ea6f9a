"""Shared fixtures: two probation areas and a named persona per role in each, signed in with a second factor.

Personas: `tm`, `facilitator`, `om`, `area_admin` in Cheshire; `other_tm`, `other_facilitator`, `other_om`,
`other_admin` in Northumbria. `login(user)` gives a Django test client that has passed the second factor;
`api(user)` gives a DRF client authenticated with a token.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken, ProbationArea, Role, User
from accounts.rules import token_digest
from tests import reference_data
from tests.factories import ProbationAreaFactory, UserFactory, supervise, train_facilitator

# Property tests must not fail on a busy machine (issue 7: a `too_slow` health check failed `make test` once): no
# deadline and no too_slow check, so only a wrong answer fails them; with `CI` set the examples are the same on every
# run (derandomized), so a red build can be reproduced.
hypothesis_settings.register_profile(
    "isotp",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
    print_blob=True,
)
# The schemathesis fuzzing (tests/hardening/test_fuzz_api.py) draws whole HTTP requests: large and filtered data is its
# point, so it suppresses every health check; it starts from this profile (no deadline either).
hypothesis_settings.register_profile(
    "isotp-fuzz", hypothesis_settings.get_profile("isotp"), suppress_health_check=list(HealthCheck)
)
hypothesis_settings.load_profile("isotp")


@pytest.fixture(scope="session", autouse=True)
def _runs_on_postgresql() -> None:
    """The suite runs on PostgreSQL (row locks, triggers, constraints), never SQLite: refuse to run otherwise."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    assert "postgresql" in engine, f"Tests run on PostgreSQL; DATABASE_URL points at {engine}"


@pytest.fixture(autouse=True)
def _statistics_computed_each_time(settings) -> None:
    """The statistics cache (quality.tables.statistics_figures) is off: its entries outlive a test's data (the key
    is the question, the TTL bounds staleness). tests/quality/test_statistics_cache.py turns it on."""
    settings.STATISTICS_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hashing with PBKDF2 costs ~0.2 s a user; tests create many users and never test the hasher's strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Issued reports are written to a temporary private media root, never the checkout's."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.getbasetemp() / "private_media"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Tests that use the database find the migrations' reference data, even after a transactional flush."""
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
    elif names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    reference_data.ensure()


@pytest.fixture
def area(db: None) -> ProbationArea:
    return ProbationAreaFactory(code="cheshire", name="Cheshire")


@pytest.fixture
def other_area(db: None) -> ProbationArea:
    return ProbationAreaFactory(code="northumbria", name="Northumbria")


def _persona(area: ProbationArea, role: str, local: str) -> User:
    return UserFactory(email=f"{local}@{area.code}.test", role=role, area=area)


@pytest.fixture
def tm(area: ProbationArea) -> User:
    return _persona(area, Role.TREATMENT_MANAGER, "tm")


@pytest.fixture
def facilitator(area: ProbationArea, tm: User) -> User:
    """Trained, and supervised by the area's TM (000: facilitators deliver under supervision at all times)."""
    return supervise(tm, train_facilitator(_persona(area, Role.FACILITATOR, "facilitator"))).facilitator


@pytest.fixture
def om(area: ProbationArea) -> User:
    return _persona(area, Role.OFFENDER_MANAGER, "om")


@pytest.fixture
def area_admin(area: ProbationArea) -> User:
    return _persona(area, Role.AREA_ADMIN, "admin")


@pytest.fixture
def other_tm(other_area: ProbationArea) -> User:
    return _persona(other_area, Role.TREATMENT_MANAGER, "tm")


@pytest.fixture
def other_facilitator(other_area: ProbationArea, other_tm: User) -> User:
    return supervise(
        other_tm, train_facilitator(_persona(other_area, Role.FACILITATOR, "facilitator"))
    ).facilitator


@pytest.fixture
def other_om(other_area: ProbationArea) -> User:
    return _persona(other_area, Role.OFFENDER_MANAGER, "om")


@pytest.fixture
def other_admin(other_area: ProbationArea) -> User:
    return _persona(other_area, Role.AREA_ADMIN, "admin")


@pytest.fixture
def personas(tm: User, facilitator: User, om: User, area_admin: User) -> dict[str, User]:
    """One user per role in the home area, keyed by role code."""
    return {
        Role.TREATMENT_MANAGER: tm,
        Role.FACILITATOR: facilitator,
        Role.OFFENDER_MANAGER: om,
        Role.AREA_ADMIN: area_admin,
    }


def verified_client(user: User) -> Client:
    """A test client signed in as `user` who has passed the second factor."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login(db: None) -> Callable[[User], Client]:
    return verified_client


# Test tokens never expire within any time a test travels to, and count as just used: the authentication's
# occasional `last_used_at` write would otherwise add a query to query-count tests.
_FAR_FUTURE = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def token_client(user: User) -> APIClient:
    """A DRF client authenticated with a new API token of `user` (no audit event: test plumbing)."""
    key = secrets.token_hex(20)
    ApiToken.objects.create(
        user=user,
        name="test",
        key_digest=token_digest(key),
        prefix=key[:8],
        expires_at=_FAR_FUTURE,
        last_used_at=_FAR_FUTURE,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(db: None) -> Callable[[User], APIClient]:
    return token_client
