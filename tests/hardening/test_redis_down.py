"""Redis stopped and started for real: pages and the API keep serving, /healthz names the failed dependency."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.hardening.redis_server import ThrowawayRedis
from tests.referrals.test_api import RM2000

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(settings) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "isotp.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    try:
        yield server
    finally:
        server.stop()


def test_redis_stopped_and_started(own_redis, login, api, tm, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "calculators": "100/minute"}
    page, token = login(tm), api(tm)
    cache.set("probe", "1")
    assert cache.get("probe") == "1"
    assert page.get("/healthz").status_code == 200
    assert token.post(reverse("api-rm2000-score"), RM2000, format="json").status_code == 200

    own_redis.stop()
    assert cache.get("probe") is None  # degrades to a miss
    assert page.get("/").status_code == 200
    assert page.get(reverse("accounts:staff_list")).status_code == 200
    assert token.get("/api/v1/me/").status_code == 200
    # The calculators' rate limit lives in the cache: without it they still answer.
    assert token.post(reverse("api-rm2000-score"), RM2000, format="json").status_code == 200
    health = page.get("/healthz")
    assert health.status_code == 503
    assert health.json()["failed"] == ["redis"]
    assert health.json()["checks"]["redis"] == "unavailable"
    assert health.json()["checks"]["database"] == "ok"

    own_redis.start()
    assert page.get("/healthz").status_code == 200
    cache.set("probe", "2")
    assert cache.get("probe") == "2"


def test_healthz_names_the_broker_when_it_fails(client, settings):
    def answers(url: str) -> bool:
        if url == settings.CELERY_BROKER_URL:
            raise ConnectionError("down")
        return True

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    with mock.patch("isotp.views._redis_answers", side_effect=answers):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
