"""gunicorn.conf.py's warm-up (issue 11): a worker pays before its first request what that request would pay."""

from __future__ import annotations

import gc
import importlib.util
from pathlib import Path

from django.template import engines

from sessions.rules.schedule import _year_holidays

ROOT = Path(__file__).resolve().parents[2]


def _config():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_worker_warms_bank_holidays_urls_and_templates_before_its_first_request():
    _year_holidays.cache_clear()
    _config().post_worker_init(None)
    assert _year_holidays.cache_info().currsize >= 3 * 7  # three jurisdictions, seven years
    loader = engines["django"].engine.template_loaders[0]
    cached = getattr(loader, "get_template_cache", {})
    every = {str(path.relative_to(ROOT / "templates")) for path in (ROOT / "templates").rglob("*.html")}
    assert every <= set(cached), "every template of the project is compiled ahead"


def test_a_worker_freezes_what_it_loaded_out_of_full_garbage_collections():
    """A full collection in a worker looks only at what its requests made, not at the ~150,000 objects of its
    modules and compiled templates (issue 11: a 60-100 ms pause in about one request in fifty)."""
    try:
        _config().post_worker_init(None)
        assert gc.get_freeze_count() > 10_000
        assert (
            len(gc.get_objects(generation=2)) < 1_000
        )  # the oldest generation, which a full collection scans
    finally:
        gc.unfreeze()
