"""Hand-written hostile input (issue 12), table-driven over every write endpoint of the API and every CSV export.

The table of endpoints is not written by hand: it is every POST, PUT and PATCH operation of the committed schema
(openapi.yaml), each called on a real record of the area (the permission matrix's own builders,
tests/<app>/matrix*.py) by a role the matrix lets through. The request body is built from the operation's schema,
with the hostile value put into every field of the kind it attacks. A new endpoint joins the table by itself.

Each answer must be a refusal on the right field, never a 5xx and never a stored value.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from tests.conftest import token_client, verified_client
from tests.test_permission_matrix import ROUTES

pytestmark = pytest.mark.django_db

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
WRITES = ("post", "put", "patch")
MEGABYTE = "x" * 1_000_000


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = SCHEMA["components"]["schemas"][name]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


def _properties(path: str, method: str) -> dict[str, dict[str, Any]]:
    """The request body's top-level properties (resolved), from the JSON schema of the operation."""
    body = SCHEMA["paths"][path][method].get("requestBody", {})
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    if not schema:
        return {}
    return {name: _resolve(prop) for name, prop in _resolve(schema).get("properties", {}).items()}


def _is(prop: dict[str, Any], kind: str) -> bool:
    if kind == "date":
        return prop.get("type") == "string" and prop.get("format") == "date"
    if kind == "text":
        return prop.get("type") == "string" and "format" not in prop and "enum" not in prop
    if kind == "integer":
        return prop.get("type") == "integer"
    return False


def _operations() -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, item in SCHEMA["paths"].items()
        for method in item
        if method in WRITES and "requestBody" in item[method]
    ]


def _route_for(path: str, method: str):
    """The matrix route (URL name) whose URL fits `path`, with a role it lets through."""
    for route in ROUTES:
        if not route.api or route.method != method:
            continue
        if _path_of(route) == path:
            return route
    return None


def _path_of(route) -> str:
    """The schema path of a matrix route: its URL pattern with {name} for each argument."""
    from django.urls import get_resolver

    resolver = get_resolver()
    possibilities = resolver.reverse_dict.getlist(route.name)
    for possibility, _pattern, _defaults, _converters in possibilities:
        for result, params in possibility:
            return "/" + (result % {p: "{" + p + "}" for p in params})
    return ""


def _table() -> list[Any]:
    rows = []
    for path, method in _operations():
        route = _route_for(path, method)
        if route is None:
            continue
        rows.append(pytest.param(path, method, route, id=f"{method.upper()} {path}"))
    return rows


TABLE = _table()


# Endpoints a token may not call (a token is issued from a signed-in browser session): called with the session.
SESSION_ONLY = {"api-token-list"}


def _client_and_url(route, area, personas):
    role = sorted(route.roles)[0] if route.roles else "treatment_manager"
    with transaction.atomic():
        kwargs = route.kwargs(area, personas) if route.kwargs else {}
    user = personas[role]
    client = verified_client(user) if route.name in SESSION_ONLY else token_client(user)
    return client, reverse(route.name, kwargs=kwargs)


def _base_body(path: str, method: str) -> dict[str, Any]:
    """A body with every property given a plausible value (the attack then replaces some)."""
    body: dict[str, Any] = {}
    for name, prop in _properties(path, method).items():
        if prop.get("readOnly"):
            continue
        if prop.get("enum"):
            body[name] = next(v for v in prop["enum"] if v is not None and v != "")
        elif _is(prop, "date"):
            body[name] = "2026-01-05"
        elif prop.get("type") == "string":
            body[name] = "A note"
        elif prop.get("type") == "integer":
            body[name] = 1
        elif prop.get("type") == "boolean":
            body[name] = False
    return body


def _fields(path: str, method: str, kind: str) -> list[str]:
    return [n for n, p in _properties(path, method).items() if _is(p, kind) and not p.get("readOnly")]


def test_the_table_covers_every_write_endpoint():
    """Every write operation of the schema has a matrix route to call it through (so the table misses none)."""
    covered = {(p.values[0], p.values[1]) for p in TABLE}
    assert covered == set(_operations())


# (attack, field kind, value, statuses allowed, message expected on each attacked field)
ATTACKS: list[tuple[str, str | None, Any, set[int], str | None]] = [
    ("malformed JSON", None, '{"notes": "unterminated', {400}, None),
    ("1 MB string", "text", MEGABYTE, {400, 413}, "no more than"),  # 413: several fields, over the body limit
    ("NUL byte", "text", "before\x00after", {400}, "Null characters"),
    ("year 1", "date", "0001-01-01", {400}, ""),
    ("year 9999", "date", "9999-12-31", {400}, ""),
    ("huge number", "integer", 10**30, {400, 409}, None),
    ("past int32", "integer", 2**31, {400, 409}, None),
    ("below int32", "integer", -(2**31) - 1, {400, 409}, None),
    # Last: these may be accepted (a negative count a rule refuses; control characters are text), never a 5xx.
    ("negative number", "integer", -1, set(range(200, 500)), None),
    ("control characters", "text", "bell\x07 escape\x1b[31m tab\t cr\r del\x7f", set(range(200, 500)), None),
]


@pytest.mark.parametrize(("path", "method", "route"), TABLE)
def test_hostile_input_is_refused_on_its_field(path, method, route, area, personas):
    """Every attack on every write endpoint: the answer is the refusal expected (a role the matrix lets through
    sends it), each attacked field is named in the 400, and nothing answers 5xx."""
    client, url = _client_and_url(route, area, personas)
    problems = []
    for name, kind, value, allowed, message in ATTACKS:
        if kind is None:
            payload = value
            attacked: list[str] = []
        else:
            attacked = _fields(path, method, kind)
            if not attacked:
                continue
            payload = json.dumps({**_base_body(path, method), **dict.fromkeys(attacked, value)})
        response = getattr(client, method)(url, payload, content_type="application/json")
        if response.status_code not in allowed:
            problems.append(f"{name}: {response.status_code} {response.content[:200]!r}")
            continue
        if response.status_code == 400 and message is not None and attacked:
            errors = response.json()
            missing = [f for f in attacked if f not in errors]
            if missing:
                problems.append(f"{name}: no error on {missing}: {str(errors)[:200]}")
            elif message and not all(any(message in m for m in errors[f]) for f in attacked):
                problems.append(f"{name}: {str(errors)[:200]}")
    assert not problems, problems


MASS_ASSIGNMENT = ("area", "status", "created_by", "role", "public_id")


def test_no_request_schema_lets_a_client_set_who_owns_a_record():
    """`area`, `created_by`, `role` and `public_id` are never writable; `status` only where it is the request
    itself (a status change names the status it asks for, and the service checks the move)."""
    allowed_status = {"/api/v1/referrals/{public_id}/transitions/"}
    found = []
    for path, method in _operations():
        for name, prop in _properties(path, method).items():
            if name in MASS_ASSIGNMENT and not prop.get("readOnly"):
                if name == "status" and path in allowed_status:
                    continue
                found.append(f"{method.upper()} {path}: {name}")
    assert not found, found


def test_mass_assignment_on_a_person_is_ignored(api, om, area, other_area, personas, other_om):
    from referrals.models import Person
    from tests.referrals.matrix_api import _person

    public_id = _person(area, personas)["public_id"]
    person = Person.objects.get(public_id=public_id)
    hostile = {
        "iq": 99,
        "area": other_area.pk,
        "status": "closed",
        "created_by": other_om.pk,
        "role": "area_admin",
        "public_id": "00000000-0000-0000-0000-000000000001",
    }
    response = api(om).patch(
        reverse("api-person-detail", kwargs={"public_id": public_id}), hostile, format="json"
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.iq == 99
    assert person.area_id == area.pk
    assert str(person.public_id) == str(public_id)
    om.refresh_from_db()
    assert om.role == "offender_manager"


def test_mass_assignment_on_a_referral_draft_is_ignored(api, om, area, other_area, personas):
    from referrals.models import Referral
    from tests.referrals.matrix_api import _referral

    public_id = _referral("draft")(area, personas)["public_id"]
    hostile = {"notes": "Seen on Tuesday", "status": "accepted", "area": other_area.pk, "public_id": "x"}
    response = api(om).patch(
        reverse("api-referral-detail", kwargs={"public_id": public_id}), hostile, format="json"
    )
    assert response.status_code in (200, 400)
    referral = Referral.objects.get(public_id=public_id)
    assert referral.status == "draft"
    assert str(referral.public_id) == str(public_id)


# --- CSV exports: every URL whose view answers text/csv, found by asking every GET route of the matrix ----------

FORMULAS = ("=", "+", "-", "@")


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def test_every_csv_export_neutralises_formulas(login, area, personas, tm):
    """Discover the CSV exports (any page route answering text/csv to the TM) and check no cell starts a formula.

    The person's names are made formulas first, so an export that lists people would carry them."""
    from referrals.models import Person

    exports = []
    for route in ROUTES:
        if route.api or route.method != "get" or route.public or "treatment_manager" not in route.roles:
            continue
        try:
            with transaction.atomic():
                kwargs = route.kwargs(area, personas) if route.kwargs else {}
        except Exception:  # builders of different routes may clash; each export is reached by some route
            continue
        Person.objects.update(first_name="=HYPERLINK(1)", last_name="@SUM(1+1)")
        url = reverse(route.name, kwargs=kwargs) + route.query
        response = login(tm).get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/csv"):
            exports.append(url)
            cells = _csv_cells(response.content)
            bad = [c for c in cells if c.startswith(FORMULAS)]
            assert not bad, (url, bad[:5])
    assert exports, "no CSV export found"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "plain", "", "1-2"])
def test_the_csv_helper_neutralises_each_formula_start(cell):
    from quality.tables import safe_cell

    out = safe_cell(cell)
    assert not out.startswith((*FORMULAS, "\t", "\r"))
    assert out.lstrip("'") == cell


# --- HTML and script in every text field, rendered back on its page ---------------------------------------------

SCRIPT = '<script>alert("isotp")</script><img src=x onerror=alert(1)>'
# The database refuses UPDATE on the audit trail, the access log and an issued report's versions.
APPEND_ONLY = {"audit", "reports.reportversion"}


def _fill_every_text_field_with_script() -> int:
    """Every free-text column of every row (and people's names) becomes the script; returns the columns filled."""
    from django.apps import apps

    from isotp.fields import BoundedTextField
    from referrals.models import Person

    filled = 0
    for model in apps.get_models():
        if {model._meta.app_label, model._meta.label_lower} & APPEND_ONLY or model.__module__.startswith(
            "django."
        ):
            continue
        names = [f.name for f in model._meta.local_fields if isinstance(f, BoundedTextField)]
        if names:
            model.objects.update(**dict.fromkeys(names, SCRIPT))
            filled += len(names)
    Person.objects.update(first_name=SCRIPT[:100], last_name=SCRIPT[:100])
    return filled + 2


def test_html_and_script_in_every_text_field_is_escaped_on_every_page(login, area, personas):
    """Every page a TM or an OM can open, on records whose every text field (and names) holds a script: the
    script never reaches the HTML unescaped."""
    pages = [
        r
        for r in ROUTES
        if not r.api
        and r.method == "get"
        and not r.public
        and r.roles & {"treatment_manager", "offender_manager"}
    ]
    urls = []
    for route in pages:
        try:
            with transaction.atomic():
                kwargs = route.kwargs(area, personas) if route.kwargs else {}
        except Exception:  # builders of different routes may clash; skip that page
            continue
        urls.append((route, reverse(route.name, kwargs=kwargs) + route.query))
    assert _fill_every_text_field_with_script() > 20
    escaped_somewhere = False
    for route, url in urls:
        role = "treatment_manager" if "treatment_manager" in route.roles else "offender_manager"
        response = login(personas[role]).get(url)
        assert response.status_code < 500, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        assert '<script>alert("isotp")' not in html, url
        assert "<img src=x onerror" not in html, url
        escaped_somewhere = escaped_somewhere or "&lt;script&gt;alert(" in html
    assert escaped_somewhere, "no page showed the text back: the test reached no record"
