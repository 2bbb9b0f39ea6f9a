"""Reference data that the migrations seed (offences, the RM2000 table, the programme catalogue).

A transactional test (browser tests, the worker and concurrency tests) ends with a flush that empties every table,
seeded ones included; the next test on that worker would then find no offences or programmes. `ensure()` puts
them back by running the same idempotent seed functions the migrations run.
"""

from __future__ import annotations

import importlib

from django.apps import apps

SEEDS = (
    ("referrals.migrations.0002_seed_offences_and_rm2000_table", ("referrals", "Offence")),
    ("sessions.migrations.0002_seed_catalogue", ("programme_sessions", "Programme")),
)
# Data migrations that later changed seeded rows, run again after their seed (module, function): the notes of the
# scoring tables in words (without them a browser test would show the seed's old "domain.md §4").
AFTER_SEED = {
    "referrals.migrations.0002_seed_offences_and_rm2000_table": (
        ("referrals.migrations.0008_plain_table_notes", "plain_notes"),
        ("referrals.migrations.0011_plain_table_json_notes", "plain_table_notes"),
    ),
}


def ensure() -> None:
    """Re-run each seed whose table is empty (three cheap queries when nothing is missing)."""
    for module_name, (app_label, model_name) in SEEDS:
        if not apps.get_model(app_label, model_name).objects.exists():
            importlib.import_module(module_name).seed(apps, None)
            for later, function in AFTER_SEED.get(module_name, ()):
                getattr(importlib.import_module(later), function)(apps, None)
