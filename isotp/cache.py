"""A Redis cache that degrades instead of failing: with Redis down, pages and the API keep serving.

The cache only ever holds what can be recomputed (throttle counters, short-lived values), so a miss is always a
safe answer. Every operation that cannot reach Redis logs the error type (never a key: keys may name a person)
and answers as if the cache were empty; `/healthz` still reports Redis as failed, with its own direct ping.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _degraded(operation: str, exc: Exception) -> None:
    logger.warning("cache %s failed, serving without the cache (%s)", operation, type(exc).__name__)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache; a Redis error is a cache miss (reads) or a no-op (writes)."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            _degraded("get", exc)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            _degraded("get_many", exc)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            _degraded("has_key", exc)
            return False

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            _degraded("set", exc)

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            _degraded("add", exc)
            return False

    def set_many(self, data: Any, timeout: Any = 300, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            _degraded("set_many", exc)
            return list(data)

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            _degraded("touch", exc)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except RedisError as exc:
            _degraded("delete", exc)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as exc:
            _degraded("delete_many", exc)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            _degraded("incr", exc)
            raise ValueError("Key not available: the cache is unreachable") from None

    def clear(self) -> None:
        try:
            super().clear()
        except RedisError as exc:
            _degraded("clear", exc)
