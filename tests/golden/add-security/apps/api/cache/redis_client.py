"""The one Redis connection of the app, behind a small key-value `Store` that rate limits, OTPs,
refresh tokens and the response cache share.

`get_store()` is Redis at `settings.redis_url`. Only when REDIS_URL was not set at all and the
environment is development or test does it fall back to `MemoryStore` (one process, lost on
restart): staging and production always use Redis, and a Redis that is down raises
`StoreUnavailable` instead of silently forgetting."""

import fnmatch
import threading
import time
from functools import lru_cache
from typing import Protocol

from config import Settings, get_settings


class StoreUnavailable(RuntimeError):
    """Redis did not answer."""


class Store(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: int) -> None: ...
    def pop(self, key: str) -> str | None: ...
    def incr_window(self, key: str, window: int) -> tuple[int, int]: ...
    def hincr(self, key: str, field: str) -> None: ...
    def hgetall(self, key: str) -> dict[str, str]: ...
    def delete_matching(self, pattern: str) -> int: ...
    def keys(self, pattern: str) -> list[str]: ...
    def ping(self) -> bool: ...


class RedisStore:
    def __init__(self, url: str, timeout: float = 2.0) -> None:
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=timeout, socket_timeout=timeout
        )

    def _call(self, name: str, *args: object, **kwargs: object) -> object:
        try:
            return getattr(self.client, name)(*args, **kwargs)
        except self.errors as exc:
            raise StoreUnavailable(f"redis {name}: {type(exc).__name__}") from exc

    def get(self, key: str) -> str | None:
        return self._call("get", key)  # type: ignore[return-value]

    def set(self, key: str, value: str, ttl: int) -> None:
        self._call("set", key, value, ex=ttl)

    def pop(self, key: str) -> str | None:
        return self._call("getdel", key)  # type: ignore[return-value]

    def incr_window(self, key: str, window: int) -> tuple[int, int]:
        """Count one more call in a fixed window: (calls so far, seconds the window has left)."""
        try:
            pipe = self.client.pipeline()
            pipe.incr(key)
            pipe.expire(key, window, nx=True)
            pipe.ttl(key)
            count, _, ttl = pipe.execute()
        except self.errors as exc:
            raise StoreUnavailable(f"redis incr: {type(exc).__name__}") from exc
        return int(count), max(int(ttl), 1)

    def hincr(self, key: str, field: str) -> None:
        self._call("hincrby", key, field, 1)

    def hgetall(self, key: str) -> dict[str, str]:
        return self._call("hgetall", key)  # type: ignore[return-value]

    def keys(self, pattern: str) -> list[str]:
        return list(self._call("scan_iter", match=pattern, count=500))  # type: ignore[call-overload]

    def delete_matching(self, pattern: str) -> int:
        found = self.keys(pattern)
        return int(self._call("delete", *found)) if found else 0  # type: ignore[call-overload]

    def ping(self) -> bool:
        return bool(self._call("ping"))


class MemoryStore:
    """Development/test stand-in with the same semantics (expiry included), one process only."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[object, float | None]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> object | None:
        value, expires = self._data.get(key, (None, None))
        if expires is not None and expires <= time.monotonic():
            self._data.pop(key, None)
            return None
        return value

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._live(key)
            return value if isinstance(value, str) else None

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            self._data[key] = (value, time.monotonic() + ttl)

    def pop(self, key: str) -> str | None:
        with self._lock:
            value = self._live(key)
            self._data.pop(key, None)
            return value if isinstance(value, str) else None

    def incr_window(self, key: str, window: int) -> tuple[int, int]:
        with self._lock:
            now = time.monotonic()
            count = self._live(key)
            expires = self._data[key][1] if count is not None else now + window
            count = int(count or 0) + 1  # type: ignore[call-overload]
            self._data[key] = (str(count), expires)
            return count, max(int((expires or now) - now), 1)

    def hincr(self, key: str, field: str) -> None:
        with self._lock:
            table = self._live(key)
            table = dict(table) if isinstance(table, dict) else {}
            table[field] = str(int(table.get(field, "0")) + 1)
            self._data[key] = (table, None)

    def hgetall(self, key: str) -> dict[str, str]:
        with self._lock:
            table = self._live(key)
            return dict(table) if isinstance(table, dict) else {}

    def keys(self, pattern: str) -> list[str]:
        with self._lock:
            return [
                k
                for k in list(self._data)
                if fnmatch.fnmatchcase(k, pattern) and self._live(k) is not None
            ]

    def delete_matching(self, pattern: str) -> int:
        found = self.keys(pattern)
        with self._lock:
            for key in found:
                self._data.pop(key, None)
        return len(found)

    def ping(self) -> bool:
        return True


def uses_memory(settings: Settings) -> bool:
    return "redis_url" not in settings.model_fields_set and settings.environment in (
        "development",
        "test",
    )


@lru_cache(maxsize=4)
def _store(url: str | None) -> Store:
    return MemoryStore() if url is None else RedisStore(url)


def get_store(settings: Settings | None = None) -> Store:
    settings = settings or get_settings()
    return _store(None if uses_memory(settings) else settings.redis_url)
