"""Every public service × every role × two areas (see tests/service_matrix.py for the rules)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

import tests
from isotp.errors import DomainConflict
from tests.factories import UserFactory
from tests.service_matrix import NotAService, Service

ROLES = ["treatment_manager", "facilitator", "offender_manager", "area_admin"]


def _tables() -> tuple[list[Service], list[NotAService]]:
    """Every `SERVICES` and `NOT_SERVICES` list in tests/<app>/service_matrix.py."""
    services: list[Service] = []
    others: list[NotAService] = []
    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{package.name}.service_matrix")
        except ModuleNotFoundError as missing:
            if missing.name != f"tests.{package.name}.service_matrix":
                raise
            continue
        services.extend(getattr(module, "SERVICES", []))
        others.extend(getattr(module, "NOT_SERVICES", []))
    return services, others


SERVICES, NOT_SERVICES = _tables()


def _service_modules() -> list[ModuleType]:
    """`<app>.services` of every app of this project, and every module inside it when it is a package."""
    found: list[ModuleType] = []
    base = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if base not in Path(config.path).resolve().parents:
            continue
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.services":
                raise
            continue
        found.append(module)
        if hasattr(module, "__path__"):
            for sub in pkgutil.iter_modules(module.__path__):
                found.append(importlib.import_module(f"{module.__name__}.{sub.name}"))
    return found


def _public_functions() -> set[str]:
    names: set[str] = set()
    for module in _service_modules():
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module.__name__:
                names.add(f"{module.__name__}.{name}")
    return names


def test_every_public_service_is_in_the_matrix():
    listed = {s.name for s in SERVICES} | {n.name for n in NOT_SERVICES}
    missing = sorted(_public_functions() - listed)
    assert not missing, (
        "Add these public service functions to a tests/<app>/service_matrix.py (SERVICES with the roles that may "
        f"call them, or NOT_SERVICES saying why they are not gated): {missing}"
    )


def test_the_matrix_lists_each_service_once():
    names = [s.name for s in SERVICES] + [n.name for n in NOT_SERVICES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_service_takes_the_acting_user(service):
    parameter = inspect.signature(service.func).parameters.get("actor")
    assert parameter is not None and parameter.kind is inspect.Parameter.KEYWORD_ONLY, (
        f"{service.name} must take the acting user as the keyword-only argument `actor`"
    )


@pytest.fixture(autouse=True)
def _today(time_machine):
    """Before the factories' default start dates (January 2027), so a schedule can still be written."""
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)


def _call(service: Service, actor, area, personas):
    build = service.kwargs
    if build is None:
        kwargs = {}
    elif (
        len(inspect.signature(build).parameters) == 3
    ):  # records of the actor's own (their device, their note)
        kwargs = build(area, personas, actor)
    else:
        kwargs = build(area, personas)
    return service.func(actor=actor, **kwargs)


def _params(services: list[Service], *, area: bool = False) -> list[Any]:
    def marks(s: Service) -> list[Any]:
        gap = s.known_gap or (s.area_gap if area else "")
        return [pytest.mark.xfail(reason=gap, strict=False)] if gap else []

    return [pytest.param(s, id=s.name, marks=marks(s)) for s in services]


def _outcome(service: Service, actor, area, personas) -> str:
    """ "through" when the gate let `actor` pass (a rule may still refuse: ValidationError, DomainConflict),
    "refused" on PermissionDenied (403), "not found" on Http404."""
    try:
        _call(service, actor, area, personas)
    except PermissionDenied:
        return "refused"
    except Http404:
        return "not found"
    except (ValidationError, DomainConflict):
        pass
    return "through"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", _params(SERVICES))
def test_role_matrix_in_home_area(service, role, area, personas):
    allowed = role in service.roles and not service.superuser
    outcome = _outcome(service, personas[role], area, personas)
    if allowed:
        assert outcome == "through", f"{role} should get through {service.name}: {outcome}"
    else:  # a wrong role is refused; a record that is not theirs (someone else's notification) is not found
        assert outcome in ("refused", "not found"), f"{role} must not get through {service.name}"


@pytest.mark.django_db
@pytest.mark.parametrize("service", [s for s in SERVICES if s.superuser], ids=lambda s: s.name)
def test_configuration_is_for_superusers(service, area, personas):
    superuser = UserFactory(is_superuser=True, is_staff=True, area=area, role="area_admin")
    assert _outcome(service, superuser, area, personas) == "through"


@pytest.mark.django_db
@pytest.mark.parametrize("service", _params([s for s in SERVICES if s.scoped], area=True))
def test_other_area_gets_404(service, area, personas, other_tm, other_facilitator, other_om, other_admin):
    others = {
        "treatment_manager": other_tm,
        "facilitator": other_facilitator,
        "offender_manager": other_om,
        "area_admin": other_admin,
    }
    assert service.roles, f"{service.name} is scoped but no role may call it"
    for role in service.roles:
        with pytest.raises(Http404):
            _call(service, others[role], area, personas)


def test_no_view_or_endpoint_writes_the_access_log_by_hand():
    """Issue 7: reading a person's record through a selector for a user writes the access log; a view that logs it
    by hand can forget (three past fixes were forgotten calls)."""
    base = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(base))
        for pattern in ("*/views/*.py", "*/views.py", "*/api.py")
        for path in base.glob(pattern)
        if "record_access(" in path.read_text()
    ]
    assert not offenders, f"Read the record through a `*_record_for` selector instead: {offenders}"
