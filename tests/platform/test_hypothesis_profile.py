"""Review of issue 7, no. 10: property tests run under the project's hypothesis profile (tests/conftest.py: no
deadline, no too_slow health check), so a busy machine never fails them. A test module that sets its own deadline or
health checks (even `suppress_health_check=[]`, which turns too_slow back on) would undo that."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
OVERRIDES = re.compile(r"\b(deadline|suppress_health_check)\s*=")


def test_no_test_module_overrides_the_profiles_deadline_or_health_checks():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != "conftest.py" or path.parent != TESTS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if OVERRIDES.search(line) and path != Path(__file__).resolve()
    ]
    assert not offenders, f"Leave deadline and health checks to the profile in tests/conftest.py: {offenders}"
