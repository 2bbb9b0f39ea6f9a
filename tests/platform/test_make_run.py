"""`make run` serves the demo as production serves it: DJANGO_DEBUG off, so Django's technical pages never appear.

The environment is read from the Makefile itself (its RUN_ENV) and a fresh Python process is started with it: a
host not in ALLOWED_HOSTS answers the service's 400 page (with DEBUG on it was Django's traceback, listing the
settings), an unknown address or static file the service's 404 page, and the collected CSS is served.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
pages = {}
for name, path, host in [
    ("bad_host", "/", "evil.example"),
    ("unknown_page", "/no-such-page/", "127.0.0.1"),
    ("unknown_static", "/static/nope.css", "127.0.0.1"),
    ("css", "/static/css/application.css", "127.0.0.1"),
    ("healthz", "/healthz", "127.0.0.1"),
]:
    response = client.get(path, HTTP_HOST=host)
    body = b"".join(response) if response.streaming else response.content
    pages[name] = {"status": response.status_code, "body": body.decode(errors="replace")[:20000]}
print(json.dumps({
    "debug": settings.DEBUG,
    "demo": settings.DEMO,
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "finders": settings.WHITENOISE_USE_FINDERS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "secure_cookies": settings.SESSION_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "hosts": settings.ALLOWED_HOSTS,
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "email": settings.EMAIL_BACKEND,
    "pages": pages,
}))
"""


def _run_env(tmp_path: Path) -> dict[str, str]:
    """RUN_ENV exactly as the Makefile spells it (the secret key is read from a file the test replaces)."""
    printed = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "--eval",
            "print-run-env: ; @printf '%s\\n' '$(RUN_ENV)'",
            "print-run-env",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    printed = re.sub(r"\$\(cat ([^)]+)\)", r"<file:\1>", printed)
    env = dict(word.split("=", 1) for word in shlex.split(printed))
    assert env["DJANGO_SECRET_KEY"] == "<file:.run-secret-key>"  # generated once, never in the repository
    env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(64)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return env


def test_make_run_keeps_its_secret_key_out_of_git():
    assert ".run-secret-key" in (ROOT / ".gitignore").read_text().split()


def test_make_run_serves_without_debug_and_shows_only_the_service_pages(tmp_path: Path):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **_run_env(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "isotp.settings"
    result = subprocess.run(  # noqa: PLW1510 - the test reads the return code itself
        [sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False and seen["demo"] is True
    assert (
        seen["static_storage"].endswith("CompressedManifestStaticFilesStorage") and seen["finders"] is False
    )
    assert (seen["ssl_redirect"], seen["secure_cookies"], seen["hsts"]) == (False, False, 0)
    assert seen["hosts"] == ["127.0.0.1", "localhost"]
    assert seen["engine"] == "django.db.backends.sqlite3" and seen["eager"] is True
    assert seen["email"] == "django.core.mail.backends.console.EmailBackend"
    pages = seen["pages"]
    assert pages["bad_host"]["status"] == 400
    assert "Sorry, there is a problem with that request" in pages["bad_host"]["body"]
    for name in ("unknown_page", "unknown_static"):
        assert pages[name]["status"] == 404, name
        assert "Page not found" in pages[name]["body"] and "govuk-template" in pages[name]["body"], name
    for page in pages.values():
        for technical in ("DisallowedHost", "Traceback", "URLconf", "SECRET_KEY", "Request Method"):
            assert technical not in page["body"]
    assert pages["css"]["status"] == 200 and ".govuk-" in pages["css"]["body"]
    assert pages["healthz"]["status"] == 200
