"""Token buckets shared by every web and job process, so together they stay under Amazon's usage plans.

Reservation, not rejection: a caller always takes a token, even one the bucket does not have yet, and is told how
long to wait for it. Concurrent callers thereby line up one slot apart instead of all retrying at once, and Amazon
never sees more than its bucket allows, so it never answers 429 because of us. A caller that must not wait long
(a job holding a worker) passes `max_wait`: when the slot is further away, nothing is reserved and it learns when
to come back.

Some limits are not token buckets but sliding windows ("5 JSON_LISTINGS_FEED submissions per 5 minutes"): those
keep the times of the last grants. Both kinds can also be asked, without reserving anything, how long a caller
would wait now, so a job can plan a submission for later instead of holding a worker while it waits.
"""
from __future__ import annotations

import time
from functools import partial
from typing import Callable, Protocol

import redis
from flask import Flask, current_app
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .models import RateLimitBucket, RateLimitWindow

Clock = Callable[[], float]


def reserve(tokens: float, updated_at: float, now: float, rate: float, burst: int) -> tuple[float, float]:
    """Refill the bucket up to `now`, take one token; returns (tokens left, possibly negative; seconds to wait)."""
    left = min(float(burst), tokens + max(0.0, now - updated_at) * rate) - 1.0
    return left, (-left / rate if left < 0 else 0.0)


def available_in(tokens: float, updated_at: float, now: float, rate: float, burst: int) -> float:
    """Seconds until the bucket holds a whole token again (0 when one is there now); nothing is taken."""
    level = min(float(burst), tokens + max(0.0, now - updated_at) * rate)
    return 0.0 if level >= 1.0 else (1.0 - level) / rate


def window_grant(grants: list[float], now: float, limit: int, window: float) -> tuple[list[float], float]:
    """Take the next slot of a sliding window allowing `limit` grants per `window` seconds. `grants` are the times
    of the latest grants (reservations may lie in the future); returns (the grants to keep, seconds to wait)."""
    recent = sorted(grants)[-limit:]
    at = now if len(recent) < limit else max(now, recent[0] + window)
    return (recent + [at])[-limit:], at - now


def window_wait(grants: list[float], now: float, limit: int, window: float) -> float:
    """Seconds a caller asking now would wait for a slot of the window; nothing is reserved."""
    return window_grant(grants, now, limit, window)[1]


class Buckets(Protocol):
    def acquire(self, key: str, rate: float, burst: int, max_wait: float | None = None) -> float:
        """Seconds to wait for the reserved slot; a wait above `max_wait` means no slot was reserved."""

    def peek(self, key: str, rate: float, burst: int) -> float: ...

    def acquire_window(self, key: str, limit: int, window: float) -> float: ...

    def peek_window(self, key: str, limit: int, window: float) -> float: ...


class DatabaseBuckets:
    """Buckets in `rate_limit_buckets`, each update in its own short transaction holding the row (PostgreSQL
    FOR UPDATE) or the database write lock (SQLite BEGIN IMMEDIATE) while it reads and writes."""

    def __init__(self, engine: Engine, now: Clock = time.time) -> None:
        self.engine = engine
        self.now = now

    def acquire(self, key: str, rate: float, burst: int, max_wait: float | None = None) -> float:
        table = RateLimitBucket.__table__
        with self.engine.connect() as connection:
            self._begin_locked(connection, table, {"key": key, "tokens": float(burst), "updated_at": self.now()})
            tokens, updated_at = connection.execute(
                select(table.c.tokens, table.c.updated_at).where(table.c.key == key).with_for_update()
            ).one()
            now = self.now()  # read once the lock is ours: waiting for it took time
            left, wait = reserve(tokens, updated_at, now, rate, burst)
            if max_wait is not None and wait > max_wait:
                connection.commit()  # keeps a freshly inserted bucket; this caller reserves nothing
                return wait
            connection.execute(
                update(table).where(table.c.key == key).values(tokens=left, updated_at=max(now, updated_at))
            )
            connection.commit()
        return wait

    def peek(self, key: str, rate: float, burst: int) -> float:
        table = RateLimitBucket.__table__
        with self.engine.connect() as connection:
            row = connection.execute(select(table.c.tokens, table.c.updated_at).where(table.c.key == key)).first()
        return 0.0 if row is None else available_in(row.tokens, row.updated_at, self.now(), rate, burst)

    def acquire_window(self, key: str, limit: int, window: float) -> float:
        table = RateLimitWindow.__table__
        with self.engine.connect() as connection:
            self._begin_locked(connection, table, {"key": key, "grants": []})
            grants = connection.execute(select(table.c.grants).where(table.c.key == key).with_for_update()).scalar()
            kept, wait = window_grant(list(grants or []), self.now(), limit, window)
            connection.execute(update(table).where(table.c.key == key).values(grants=kept))
            connection.commit()
        return wait

    def peek_window(self, key: str, limit: int, window: float) -> float:
        table = RateLimitWindow.__table__
        with self.engine.connect() as connection:
            grants = connection.execute(select(table.c.grants).where(table.c.key == key)).scalar()
        return window_wait(list(grants or []), self.now(), limit, window)

    def _begin_locked(self, connection: Connection, table, initial: dict) -> None:
        """Begin the update: make sure the row exists; on SQLite hold the write lock before reading."""
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            # pysqlite would start a deferred transaction; reading first and then writing could fail
            # with SQLITE_BUSY under WAL, so take the write lock before reading.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        insert = (postgresql if dialect == "postgresql" else sqlite).insert
        connection.execute(insert(table).values(**initial).on_conflict_do_nothing())


# Same arithmetic as reserve(), atomic inside Redis. Returned as a string: Redis truncates Lua numbers to integers.
_RESERVE_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated_at')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
local max_wait = tonumber(ARGV[4])
local left = math.min(burst, tokens + math.max(0, now - updated) * rate) - 1
local wait = 0
if left < 0 then wait = -left / rate end
if max_wait >= 0 and wait > max_wait then return tostring(wait) end
redis.call('HSET', KEYS[1], 'tokens', tostring(left), 'updated_at', tostring(math.max(now, updated)))
-- A bucket that has refilled completely carries no information; let Redis forget it.
redis.call('EXPIRE', KEYS[1], math.ceil((burst - left) / rate) + 60)
return tostring(wait)
"""


# window_grant() inside Redis: the list holds the latest grant times, oldest first.
_WINDOW_LUA = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local grants = redis.call('LRANGE', KEYS[1], 0, -1)
local at = now
if #grants >= limit then
  at = math.max(now, tonumber(grants[#grants - limit + 1]) + window)
end
redis.call('RPUSH', KEYS[1], tostring(at))
redis.call('LTRIM', KEYS[1], -limit, -1)
redis.call('EXPIRE', KEYS[1], math.ceil(at - now + window) + 60)
return tostring(at - now)
"""


class RedisBuckets:
    """Buckets as Redis hashes under `prefix`, updated by one Lua script so no two callers get the same token;
    windows as lists of grant times."""

    def __init__(self, client: redis.Redis, prefix: str = "connector:ratelimit:", now: Clock = time.time) -> None:
        self.client = client
        self.prefix = prefix
        self.now = now
        self._script = client.register_script(_RESERVE_LUA)
        self._window_script = client.register_script(_WINDOW_LUA)

    def acquire(self, key: str, rate: float, burst: int, max_wait: float | None = None) -> float:
        limit = -1.0 if max_wait is None else max_wait
        return float(self._script(keys=[self.prefix + key], args=[repr(rate), burst, repr(self.now()), repr(limit)]))

    def peek(self, key: str, rate: float, burst: int) -> float:
        tokens, updated_at = self.client.hmget(self.prefix + key, "tokens", "updated_at")
        if tokens is None:
            return 0.0
        return available_in(float(tokens), float(updated_at), self.now(), rate, burst)

    def acquire_window(self, key: str, limit: int, window: float) -> float:
        return float(self._window_script(keys=[self.prefix + "window:" + key],
                                         args=[limit, repr(window), repr(self.now())]))

    def peek_window(self, key: str, limit: int, window: float) -> float:
        grants = [float(value) for value in self.client.lrange(self.prefix + "window:" + key, 0, -1)]
        return window_wait(grants, self.now(), limit, window)


class SimulatedTimeBuckets:
    """Buckets on the simulator's clock when it runs faster than real time (CONNECTOR_SIMULATOR_CLOCK_SPEED), so
    Amazon's rates apply per simulated second as the simulator applies them. Waits come back in real seconds.

    The speed is part of the key: a bucket written at another speed carries times on another scale."""

    def __init__(self, make: Callable[..., Buckets], speed: float) -> None:
        if not speed > 0:
            raise ValueError("the simulator clock speed must be above 0")
        self.speed = speed
        self.inner = make(now=lambda: time.time() * speed)

    def _key(self, key: str) -> str:
        return f"{key}@{self.speed:g}x"

    def acquire(self, key: str, rate: float, burst: int, max_wait: float | None = None) -> float:
        scaled_limit = None if max_wait is None else max_wait * self.speed
        return self.inner.acquire(self._key(key), rate, burst, scaled_limit) / self.speed

    def peek(self, key: str, rate: float, burst: int) -> float:
        return self.inner.peek(self._key(key), rate, burst) / self.speed

    def acquire_window(self, key: str, limit: int, window: float) -> float:
        return self.inner.acquire_window(self._key(key), limit, window) / self.speed

    def peek_window(self, key: str, limit: int, window: float) -> float:
        return self.inner.peek_window(self._key(key), limit, window) / self.speed



def redis_client(app: Flask) -> redis.Redis:
    """One client (and connection pool) per app for REDIS_URL."""
    if "amazon_redis" not in app.extensions:
        app.extensions["amazon_redis"] = redis.Redis.from_url(app.config["REDIS_URL"])
    return app.extensions["amazon_redis"]


def buckets_for_app(app: Flask | None = None) -> Buckets:
    """Redis when REDIS_URL is configured (cheaper, no database write per call), else the database; on the
    simulator's clock when the simulator runs at another speed than real time."""
    app = app or current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        make = partial(RedisBuckets, redis_client(app))
    else:
        make = partial(DatabaseBuckets, db.engine)
    speed = float(app.config.get("SIMULATOR_CLOCK_SPEED") or 1.0)
    if app.config.get("AMAZON_TARGET") == "simulator" and speed != 1.0:
        return SimulatedTimeBuckets(make, speed)
    return make()
