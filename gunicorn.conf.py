"""gunicorn's settings, one file for every way the web app is served: production (README), docker-compose.yml and
the load test (bench/loadtest/harness.py). `gunicorn -c gunicorn.conf.py isotp.wsgi:application`; a command-line
option (the load test's `--bind`) overrides what is set here.

- WEB_CONCURRENCY: worker processes (default 2 per CPU + 1).
- GUNICORN_THREADS: threads per worker (default 1: the plain sync worker). Above 1, the gthread worker: a request
  waiting on PostgreSQL holds a thread, not a whole process, and each thread has its own database connection.
  Chosen by measurement on the quiet 2-CPU load-test machine (bench/README.md, issue 11, 2026-12-01): with 5
  workers, 4 threads served the same requests a second flat out as 1 (54.5 against 52.5), but under 20 users every
  page was slower (the floor's p95 54 ms against 29 ms; the sum of the endpoints' p95 36 % higher): the threads
  contend for the GIL on 2 CPUs. Worth trying above 1 where PostgreSQL is remote and slow to answer.
- GUNICORN_TIMEOUT: seconds a request may take before its worker is restarted (default 60).
- GUNICORN_BIND: where to listen (default 0.0.0.0:8000).

Logs carry no personal data: the access log has the time, method, path (no query string: a search or filter can
hold a name or a CRN), status, size and duration, and no client address, user agent or referrer (which holds the
previous page's query string); messages of the error log lose any query string too.
"""

from __future__ import annotations

import logging
import os
import re

bind = os.environ.get("GUNICORN_BIND") or "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 20
keepalive = 5

accesslog = "-"
errorlog = "-"
# %(U)s is the path without its query string; no %(r)s (request line), %(q)s, %(f)s (referrer), %(h)s, %(a)s.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

_QUERY = re.compile(r"\?[^\s\"']*")


class _NoQueryStrings(logging.Filter):
    """Drops the query string from every message of gunicorn's error log (a request it could not parse, or an
    error handling one, is logged with its URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = _QUERY.sub("?[query removed]", message), ()
        return True


def on_starting(server: object) -> None:
    logging.getLogger("gunicorn.error").addFilter(_NoQueryStrings())


def post_worker_init(worker: object) -> None:
    """Before a worker takes its first request, pay what that request would otherwise pay (issue 11, seconds on
    a busy machine): the Redis client's import, the bank holidays package, which builds its calendars slowly
    (the waiting list's "must start by" and every schedule read them), the URLconf (the first `reverse`, about
    80 ms) and the templates (compiled once per process by the cached loader); then what it loaded is frozen out
    of the garbage collector's full collections. A failure here only leaves it to the first request."""
    import datetime as dt
    import gc

    try:
        from django.core.cache import cache

        from sessions.rules.schedule import bank_holidays

        cache.get("warm-up")
        year = dt.datetime.now(tz=dt.UTC).year
        for jurisdiction in ("ENG", "WLS", "NIR"):
            bank_holidays(jurisdiction, range(year - 1, year + 6))
        _warm_urls_and_templates()
    except Exception as exc:  # a warm-up must never stop a worker from serving
        logging.getLogger("gunicorn.error").warning("worker warm-up skipped (%s)", type(exc).__name__)
    # What the worker has loaded (modules, the URLconf, compiled templates, about 150,000 objects) lives as long as
    # it does: frozen out of the garbage collector's reach, so that a full collection looks only at what requests
    # made since. Before, one request in some fifty paused 60-100 ms for a full collection over all of it (issue
    # 11: run 9's p95 of the referral search, 139 ms against a p50 of 33; 63 ms measured in process, under 1 ms
    # once frozen).
    gc.collect()
    gc.freeze()


def _warm_urls_and_templates() -> None:
    """The URLconf resolved once and every template of the project compiled into the cached loader."""
    from pathlib import Path
    from typing import cast

    from django.conf import settings
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template
    from django.urls import reverse

    reverse("home")
    folders = cast("list[str | Path]", settings.TEMPLATES[0]["DIRS"])
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.html")):
            try:
                get_template(str(path.relative_to(folder)))
            except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment that is not a whole template
                continue
