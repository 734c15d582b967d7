"""A Redis cache whose outage is a cache miss, not an outage of the site.

The cache only ever holds what can be rebuilt (built pages, listing summaries), so when
Redis is down, refusing connections or hanging, every read is a miss and every write is
dropped, and the page is served uncached. Three things keep that cheap:

- short connect and read timeouts (CACHE_URL's backend options, settings.cache_from_url),
  so a Redis that accepts connections but never answers costs a fraction of a second,
  not the five seconds and a 500 a red team measured;
- after a failure the cache is skipped entirely for `retry_seconds`, in every thread of
  the process, so an outage does not cost every request a timeout;
- the outage is logged once when it starts and once when it ends, not per request.

`health()` says what state the cache is in, for /healthz.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# What each operation answers while the cache is out: what it answers for a missing key.
_MISSING: dict[str, Callable[..., Any]] = {
    "get": lambda key, default: default,
    "add": lambda *args: False,
    "set": lambda *args: None,
    "touch": lambda *args: False,
    "delete": lambda *args: False,
    "get_many": lambda *args: {},
    "has_key": lambda *args: False,
    "set_many": lambda data, timeout: list(data),
    "delete_many": lambda *args: None,
    "clear": lambda *args: False,
}


class _Outage:
    """Whether the cache at one location is out, shared by every thread of the process."""

    def __init__(self, retry_seconds: float) -> None:
        self.retry_seconds = retry_seconds
        self.lock = threading.Lock()
        self.since: float | None = None  # when the current outage began
        self.retry_at = 0.0
        self.error = ""

    def skipping(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, location: str, error: Exception) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + self.retry_seconds
            self.error = f"{type(error).__name__}: {error}"
            if self.since is None:
                self.since = time.time()
                logger.error(
                    "Cache at %s unavailable (%s): serving pages uncached, retrying every %ss.",
                    location,
                    self.error,
                    self.retry_seconds,
                )

    def answered(self, location: str) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is not None:
                logger.warning(
                    "Cache at %s is back after %.0f s.", location, time.time() - self.since
                )
                self.since = None


def _without_password(url: str) -> str:
    """The server's address as logs and /healthz may show it: no credentials."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage(location: str, retry_seconds: float) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage(retry_seconds))


class ResilientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, answering a miss whenever Redis cannot answer."""

    def __init__(self, servers, *, retry_seconds: float = 10.0, **options) -> None:
        super().__init__(servers, **options)
        self.location = ",".join(_without_password(server) for server in servers)
        self.outage = _outage(self.location, retry_seconds)

    def _guarded(self, name: str, *args):
        from redis.exceptions import RedisError

        if self.outage.skipping():
            return self._missing(name, *args)
        try:
            result = getattr(super(), name)(*args)
        except RedisError as error:  # refused, timed out, reset, or an error reply
            self.outage.failed(self.location, error)
            return self._missing(name, *args)
        self.outage.answered(self.location)
        return result

    @staticmethod
    def _missing(name: str, *args):
        if name == "incr":
            raise ValueError("Key not found: the cache is unavailable.")
        return _MISSING[name](*args)

    def add(self, key, value, timeout):
        return self._guarded("add", key, value, timeout)

    def get(self, key, default):
        return self._guarded("get", key, default)

    def set(self, key, value, timeout):
        return self._guarded("set", key, value, timeout)

    def touch(self, key, timeout):
        return self._guarded("touch", key, timeout)

    def delete(self, key):
        return self._guarded("delete", key)

    def get_many(self, keys):
        return self._guarded("get_many", keys)

    def has_key(self, key):
        return self._guarded("has_key", key)

    def incr(self, key, delta):
        return self._guarded("incr", key, delta)

    def set_many(self, data, timeout):
        return self._guarded("set_many", data, timeout)

    def delete_many(self, keys):
        return self._guarded("delete_many", keys)

    def clear(self):
        return self._guarded("clear")

    def health(self) -> str:
        """ "ok", or why not: pings Redis unless an outage is already known."""
        from redis.exceptions import RedisError

        if not self.outage.skipping():
            try:
                self.get_client(write=True).ping()
            except RedisError as error:
                self.outage.failed(self.location, error)
            else:
                self.outage.answered(self.location)
                return "ok"
        wait = max(0.0, self.outage.retry_at - time.monotonic())
        return f"unavailable ({self.outage.error}); pages served uncached, retry in {wait:.0f} s"


class ResilientRedisCache(RedisCache):
    """settings.CACHES backend for Redis: an outage is a miss (see the module)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    def health(self) -> str:
        """The cache's state for /healthz: "ok" or why not."""
        return self._cache.health()
