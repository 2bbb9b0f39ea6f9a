"""Every CSV export neutralises spreadsheet formulas (OWASP "CSV injection"): cells starting `=`, `+`, `-`, `@`,
a tab or a carriage return.

The exports are enumerated from the URLconf (every page URL ending `.csv`, every statistics table), and the
project has one CSV writer (isotp/csv_export.py): a second writer, or an export missing from `EXPORTS`, fails here.
Before each export is taken, every free-text and name column of every table holds a formula.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import verified_client
from tests.test_permission_matrix import ROUTES

STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ["=HYPERLINK(1)", "+SUM(1)", "-2+3", "@SUM(1)", "\t=1", "\r=1"]
STATISTICS_SLUGS = ["flow", "non-completions", "delivery", "psychometrics", "reports", "outcomes"]
# URL name → the argument sets to take it with (None: the permission matrix's builder).
EXPORTS = {
    "quality:statistics_csv": [{"slug": slug} for slug in STATISTICS_SLUGS],
    "referrals:waiting_list_csv": [None],
    "programme_sessions:group_schedule_csv": [None],
    "programme_sessions:session_register_csv": [None],
}
PROJECT_APPS = {"accounts", "referrals", "programme_sessions", "sessions", "assessments", "notifications"}
PROJECT_APPS |= {"reports", "quality", "transfers", "dataprotection"}


def _csv_url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _csv_url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name and str(pattern.pattern).endswith(".csv"):
            names.add(prefix + pattern.name)
    return names


def test_the_table_lists_every_csv_export():
    assert _csv_url_names() == set(EXPORTS)


def test_the_statistics_table_slugs_are_every_table():
    from quality import tables

    source = Path(tables.__file__).read_text()
    assert sorted(set(re.findall(r'slug="([\w-]+)"', source))) == sorted(STATISTICS_SLUGS)


def test_there_is_one_csv_writer():
    """Every export goes through isotp/csv_export.py (which neutralises each cell)."""
    base = Path(settings.BASE_DIR)
    writers = []
    for path in base.glob("*/**/*.py"):
        rel = path.relative_to(base).as_posix()
        if rel.startswith((".venv", ".tools", "tests/", "node_modules")) or rel == "isotp/csv_export.py":
            continue
        text = path.read_text()
        if re.search(r"csv\.(writer|DictWriter)|text/csv", text):
            writers.append(rel)
    assert not writers, writers


def _fill_text_with_formulas() -> None:
    """Every non-unique text column without choices, names included, of every project table holds a formula."""
    for n, model in enumerate(apps.get_models()):
        if model._meta.app_label not in PROJECT_APPS:
            continue
        names = [
            f
            for f in model._meta.local_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not f.unique
            # Staff keep their credentials: only their names are shown in exports.
            and (model._meta.app_label != "accounts" or f.name in {"first_name", "last_name", "name"})
        ]
        for f in names:
            value = FORMULAS[n % len(FORMULAS)][: f.max_length or 100]
            try:
                with transaction.atomic():
                    model._default_manager.update(**{f.name: value})
            except Exception:  # a column with a format constraint keeps its value
                continue


def _cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")) for cell in row]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_csv_export_neutralises_formulas(name, area, personas):
    route = next(r for r in ROUTES if r.name == name and r.method == "get")
    role = next(r for r in ("treatment_manager", "facilitator", "area_admin") if r in route.roles)
    built = route.kwargs(area, personas) if route.kwargs else {}
    _fill_text_with_formulas()
    client = verified_client(personas[role])
    taken = 0
    for kwargs in EXPORTS[name]:
        response = client.get(reverse(name, kwargs=kwargs or built) + route.query)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), name
        cells = _cells(response.content)
        bad = [c for c in cells if c.startswith(STARTS)]
        assert not bad, (name, kwargs, bad[:5])
        taken += 1
        assert cells, name
    assert taken == len(EXPORTS[name])


@pytest.mark.parametrize("name", ["schedule-\r=1.csv", 'a"b\nc.csv', "register-G 1/2.csv"])
def test_a_download_name_never_breaks_the_header(name):
    from isotp.csv_export import csv_response

    disposition = csv_response("x", name)["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"', disposition)
