"""Token buckets shared by every web and job process, so together they stay under Amazon's usage plans.

Reservation, not rejection: a caller always takes a token, even one the bucket does not have yet, and is told how
long to wait for it. Concurrent callers thereby line up one slot apart instead of all retrying at once, and Amazon
never sees more than its bucket allows, so it never answers 429 because of us.
"""
from __future__ import annotations

import time
from typing import Callable, Protocol

import redis
from flask import Flask, current_app
from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .models import RateLimitBucket

Clock = Callable[[], float]


def reserve(tokens: float, updated_at: float, now: float, rate: float, burst: int) -> tuple[float, float]:
    """Refill the bucket up to `now`, take one token; returns (tokens left, possibly negative; seconds to wait)."""
    left = min(float(burst), tokens + max(0.0, now - updated_at) * rate) - 1.0
    return left, (-left / rate if left < 0 else 0.0)


class Buckets(Protocol):
    def acquire(self, key: str, rate: float, burst: int) -> float: ...


class DatabaseBuckets:
    """Buckets in `rate_limit_buckets`, each update in its own short transaction holding the row (PostgreSQL
    FOR UPDATE) or the database write lock (SQLite BEGIN IMMEDIATE) while it reads and writes."""

    def __init__(self, engine: Engine, now: Clock = time.time) -> None:
        self.engine = engine
        self.now = now

    def acquire(self, key: str, rate: float, burst: int) -> float:
        table = RateLimitBucket.__table__
        dialect = self.engine.dialect.name
        with self.engine.connect() as connection:
            if dialect == "sqlite":
                # pysqlite would start a deferred transaction; reading first and then writing could fail
                # with SQLITE_BUSY under WAL, so take the write lock before reading.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            insert = (postgresql if dialect == "postgresql" else sqlite).insert
            connection.execute(
                insert(table).values(key=key, tokens=float(burst), updated_at=self.now()).on_conflict_do_nothing()
            )
            tokens, updated_at = connection.execute(
                select(table.c.tokens, table.c.updated_at).where(table.c.key == key).with_for_update()
            ).one()
            now = self.now()  # read once the lock is ours: waiting for it took time
            left, wait = reserve(tokens, updated_at, now, rate, burst)
            connection.execute(
                update(table).where(table.c.key == key).values(tokens=left, updated_at=max(now, updated_at))
            )
            connection.commit()
        return wait


# Same arithmetic as reserve(), atomic inside Redis. Returned as a string: Redis truncates Lua numbers to integers.
_RESERVE_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated_at')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or now
local left = math.min(burst, tokens + math.max(0, now - updated) * rate) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(left), 'updated_at', tostring(math.max(now, updated)))
-- A bucket that has refilled completely carries no information; let Redis forget it.
redis.call('EXPIRE', KEYS[1], math.ceil((burst - left) / rate) + 60)
local wait = 0
if left < 0 then wait = -left / rate end
return tostring(wait)
"""


class RedisBuckets:
    """Buckets as Redis hashes under `prefix`, updated by one Lua script so no two callers get the same token."""

    def __init__(self, client: redis.Redis, prefix: str = "connector:ratelimit:", now: Clock = time.time) -> None:
        self.client = client
        self.prefix = prefix
        self.now = now
        self._script = client.register_script(_RESERVE_LUA)

    def acquire(self, key: str, rate: float, burst: int) -> float:
        return float(self._script(keys=[self.prefix + key], args=[repr(rate), burst, repr(self.now())]))


def redis_client(app: Flask) -> redis.Redis:
    """One client (and connection pool) per app for REDIS_URL."""
    if "amazon_redis" not in app.extensions:
        app.extensions["amazon_redis"] = redis.Redis.from_url(app.config["REDIS_URL"])
    return app.extensions["amazon_redis"]


def buckets_for_app(app: Flask | None = None) -> Buckets:
    """Redis when REDIS_URL is configured (cheaper, no database write per call), else the database."""
    app = app or current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        return RedisBuckets(redis_client(app))
    return DatabaseBuckets(db.engine)
