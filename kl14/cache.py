"""The cache degrades instead of failing: with Redis down, a read is a miss and a write is skipped
(logged once a minute), so no page or API call answers 500 because of the cache. Nothing that
must hold lives in the cache: sign-in limits and password-reset limits are in the database
(django-axes, accounts.PasswordResetRequest), sessions too. `/readyz` says when it is down."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
_last_logged = 0.0


def _log(operation: str, error: Exception) -> None:
    global _last_logged  # a rate limit on one log line, per process
    now = time.monotonic()
    if now - _last_logged > 60:
        _last_logged = now
        logger.warning("cache unavailable (%s): %s; degrading to no cache", operation, error)


class ResilientRedisCache(RedisCache):
    def ping(self) -> bool:
        """Raises when Redis does not answer (for /readyz): the one call that does not degrade."""
        return self._cache.get_client(write=True).ping()

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except DOWN as error:
            _log("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except DOWN as error:
            _log("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except DOWN as error:
            _log("has_key", error)
            return False

    def _write(self, operation, call, failed):
        try:
            return call()
        except DOWN as error:
            _log(operation, error)
            return failed

    def set(self, key, value, timeout=None, version=None):
        self._write(
            "set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None
        )

    def add(self, key, value, timeout=None, version=None):
        return self._write(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def set_many(self, data, timeout=None, version=None):
        return self._write(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            list(data),
        )

    def touch(self, key, timeout=None, version=None):
        return self._write(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._write(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys, version=None):
        self._write(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def clear(self):
        return self._write("clear", lambda: super(ResilientRedisCache, self).clear(), False)
