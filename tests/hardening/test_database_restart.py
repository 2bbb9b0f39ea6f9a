"""PostgreSQL going away under load (issue 12): requests fail cleanly (503 page or JSON with Retry-After, never a
500 or a traceback), and the service recovers by itself once the database is back (CONN_HEALTH_CHECKS).

The live server's database connections go through a TCP proxy this test owns (tests/hardening/tcp_proxy.py):
cutting it drops every connection and refuses new ones, as a restarting server does; the machine's PostgreSQL is
never touched. Several threads keep requesting pages and the API the whole time. Waits are bounded polls on
conditions, never assertions about time.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from django.db import connections

from tests.conftest import token_client, verified_client
from tests.hardening.tcp_proxy import CuttableProxy

pytestmark = pytest.mark.django_db(transaction=True)

LOAD_THREADS = 4


@pytest.fixture
def proxied_database() -> Iterator[CuttableProxy]:
    """Every new connection to the default database (the live server's threads) goes through a cuttable proxy."""
    shared = connections["default"].settings_dict  # the dict each thread's connection is made from
    host, port = shared["HOST"], shared["PORT"]
    proxy = CuttableProxy(host or "127.0.0.1", int(port or 5432))
    shared["HOST"], shared["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        yield proxy
    finally:
        proxy.restore()
        shared["HOST"], shared["PORT"] = host, port
        proxy.close()


def _get(url: str, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_requests_fail_cleanly_while_the_database_is_down_and_recover(live_server, tm, proxied_database):
    cookie = verified_client(tm).cookies["sessionid"].value
    token = token_client(tm)._credentials["HTTP_AUTHORIZATION"]
    targets = [
        (live_server.url + "/people/", {"Cookie": f"sessionid={cookie}"}),
        (live_server.url + "/api/v1/people/", {"Authorization": token}),
    ]
    for url, headers in targets:
        assert _get(url, headers)[0] == 200, url

    seen: list[tuple[str, int, str, dict[str, str]]] = []
    stop = threading.Event()

    def load(url: str, headers: dict[str, str]) -> None:
        while not stop.is_set():
            status, body, response_headers = _get(url, headers)
            seen.append((url, status, body, response_headers))

    threads = [
        threading.Thread(target=load, args=targets[i % len(targets)], daemon=True)
        for i in range(LOAD_THREADS)
    ]
    for thread in threads:
        thread.start()
    every = {url for url, _ in targets}
    try:
        proxied_database.cut()  # down: every target answers 503 at least once
        _until(lambda: {url for url, status, *_ in seen if status == 503} == every, "a 503 from each target")
        proxied_database.restore()  # back: every target answers 200 again, by itself
        mark = len(seen)
        _until(lambda: {url for url, status, *_ in seen[mark:] if status == 200} == every, "recovery")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)

    assert {status for _, status, *_ in seen} <= {200, 503}  # never a 500
    for url, status, body, headers in seen:
        if status == 503:
            _assert_clean_503(url, body, headers)


def _until(condition: Callable[[], bool], what: str) -> None:
    """Poll (bounded by attempts, not asserting speed)."""
    pause = threading.Event()
    for _ in range(2000):
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def _assert_clean_503(url: str, body: str, headers: dict[str, str]) -> None:
    assert headers.get("Retry-After") == "30"
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body
    if "/api/" in url:
        assert '"code":"SERVICE_UNAVAILABLE"' in body.replace(" ", "")
    else:
        assert "Sorry, the service is unavailable" in body
