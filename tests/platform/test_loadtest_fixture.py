"""`manage.py loadtest_fixture` (issue 11) signs staff in and gives them API tokens, so it runs only on a load data
set: a database the load test harness names (`_load_`) in which every staff account is a generated one."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import ApiToken, Role, User
from isotp.management.commands import loadtest_fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("database", "staff", "generated", "refused"),
    [
        ("isotp_load_1_0_run", 4200, 4200, None),  # the harness's copy of the data set at scale 1
        ("isotp_lt3_load_0_01", 252, 252, None),  # a generated data set itself
        ("isotp", 4200, 4200, "is not one the load test makes"),  # the demo or a real database: by name
        ("isotp_lt3", 12, 12, "is not one the load test makes"),
        ("test_isotp", 252, 252, "is not one the load test makes"),
        ("isotp_loader", 252, 252, "is not one the load test makes"),
        (
            "isotp_load_1_0_run",
            4201,
            4200,
            "1 of its 4201 staff accounts are not generated ones",
        ),  # a real one
        ("isotp_load_1_0_run", 3, 0, "3 of its 3 staff accounts are not generated ones"),
        ("isotp_load_1_0_run", 0, 0, "no staff accounts"),
    ],
)
def test_the_fixture_runs_only_on_a_load_data_set(database, staff, generated, refused):
    reason = loadtest_fixture.refusal(database, staff=staff, generated=generated)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason


def _generated_area() -> None:
    call_command("generate_load_data", "--scale", "0.0001", "--today", "2026-11-30", stdout=io.StringIO())


def test_the_command_refuses_a_database_not_named_by_the_harness(tmp_path):
    _generated_area()  # generated staff only, but the test database's name holds no _load_
    with pytest.raises(CommandError, match="is not one the load test makes"):
        call_command("loadtest_fixture", "--users", "2", "--out", str(tmp_path / "users.json"))
    assert not ApiToken.objects.exists()


def test_the_command_refuses_a_load_database_holding_a_real_account(tmp_path, monkeypatch):
    monkeypatch.setattr(loadtest_fixture, "database_name", lambda: "isotp_load_0_0001_run")
    _generated_area()
    out = tmp_path / "users.json"
    call_command("loadtest_fixture", "--users", "8", "--out", str(out), stdout=io.StringIO())
    assert len(json.loads(out.read_text())["users"]) == 8  # generated staff only: it runs
    tokens = ApiToken.objects.count()
    User.objects.create_user(
        "real.person@probation.example", role=Role.OFFENDER_MANAGER, area=User.objects.first().area
    )
    with pytest.raises(CommandError, match=r"1 of its \d+ staff accounts are not generated ones"):
        call_command("loadtest_fixture", "--users", "8", "--out", str(out))
    assert ApiToken.objects.count() == tokens  # nothing issued
