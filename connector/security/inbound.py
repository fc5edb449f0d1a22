"""Inbound rate limits: per shop and per address on webhooks, per address on admin launches, answered with a clear
429 and Retry-After.

Token buckets in Redis (shared by every web process) when CONNECTOR_REDIS_URL is set, else in the process (each
web process then allows the configured rate on its own). If Redis cannot be reached the request is let through:
refusing webhooks because the limiter is down would lose more than it protects.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import redis
from flask import Flask, current_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens per second
    burst: int


@dataclass(frozen=True)
class Check:
    key: str
    limit: Limit
    take: bool = True  # False: only look whether a token is there


class Limiter(Protocol):
    def take(self, key: str, limit: Limit) -> float:
        """Take a token; 0 if allowed, else the seconds until one is available (nothing taken)."""

    def available(self, key: str, limit: Limit) -> float:
        """Like take() but takes nothing."""

    def admit(self, checks: list[Check]) -> tuple[int, float]:
        """Apply the checks in order, in one step; (-1, 0) when all pass, else (index of the first that failed,
        seconds to wait)."""


class MemoryLimiter:
    """Buckets in this process, the least recently used forgotten beyond `capacity` keys."""

    def __init__(self, capacity: int = 100_000, now=time.monotonic) -> None:
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.capacity = capacity
        self.lock = threading.Lock()
        self.now = now

    def _level(self, key: str, limit: Limit, now: float) -> float:
        tokens, updated = self.buckets.get(key, (float(limit.burst), now))
        return min(float(limit.burst), tokens + (now - updated) * limit.rate)

    def take(self, key: str, limit: Limit) -> float:
        with self.lock:
            now = self.now()
            tokens = self._level(key, limit, now)
            if tokens < 1:
                return (1 - tokens) / limit.rate
            self.buckets[key] = (tokens - 1, now)
            self.buckets.move_to_end(key)
            if len(self.buckets) > self.capacity:
                self.buckets.popitem(last=False)
            return 0.0

    def available(self, key: str, limit: Limit) -> float:
        with self.lock:
            tokens = self._level(key, limit, self.now())
        return 0.0 if tokens >= 1 else (1 - tokens) / limit.rate

    def admit(self, checks: list[Check]) -> tuple[int, float]:
        for index, check in enumerate(checks):
            wait = self.take(check.key, check.limit) if check.take else self.available(check.key, check.limit)
            if wait:
                return index, wait
        return -1, 0.0


_TAKE_LUA = """
local rate, burst, now, take = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated_at')
local tokens = math.min(burst, (tonumber(state[1]) or burst) + math.max(0, now - (tonumber(state[2]) or now)) * rate)
if tokens < 1 then return tostring((1 - tokens) / rate) end
if take == 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'updated_at', tostring(now))
  redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
end
return '0'
"""


# Several checks in one round trip, all or nothing: KEYS are the buckets, ARGV now, then rate, burst and the tokens
# wanted for each (0: only look). Returns {-1, '0', tokens granted or seen per bucket} or {index failed, wait}.
_LEASE_LUA = """
local now = tonumber(ARGV[1])
local levels = {}
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  local state = redis.call('HMGET', key, 'tokens', 'updated_at')
  local tokens = math.min(burst, (tonumber(state[1]) or burst) + math.max(0, now - (tonumber(state[2]) or now)) * rate)
  if tokens < 1 then return {i - 1, tostring((1 - tokens) / rate)} end
  levels[i] = tokens
end
local answer = {-1, '0'}
for i, key in ipairs(KEYS) do
  local rate, burst, want = tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3]), tonumber(ARGV[i * 3 + 1])
  local granted = math.floor(levels[i])
  if want > 0 then
    granted = math.min(want, granted)
    redis.call('HSET', key, 'tokens', tostring(levels[i] - granted), 'updated_at', tostring(now))
    redis.call('EXPIRE', key, math.ceil(burst / rate) + 60)
  end
  answer[i + 2] = granted
end
return answer
"""

LEASE_SECONDS = 1.0  # leased tokens not used by then are dropped; a look is trusted this long
LEASE_SHARE, LEASE_MAX = 0.005, 50


def lease_size(limit: Limit) -> int:
    """Tokens a process takes from a shared bucket at once: one where the burst is small, so small limits stay
    exact; up to LEASE_MAX where it is large, so a busy shop costs one Redis call per many deliveries."""
    return max(1, min(LEASE_MAX, int(limit.burst * LEASE_SHARE)))


class RedisLimiter:
    """Buckets in Redis, shared by every web process. admit() leases tokens: a process takes several at once and
    spends them locally within LEASE_SECONDS, so most requests need no Redis call. Tokens come only from the
    shared bucket, so together the processes never admit more than the limit; leased tokens left unused expire,
    which can only admit less. A look at a bucket (take=False) is trusted for LEASE_SECONDS, and forgotten at once
    when this process takes from that bucket."""

    def __init__(self, client: redis.Redis, prefix: str = "connector:inbound:", now=time.time,
                 clock=time.monotonic) -> None:
        self.script = client.register_script(_TAKE_LUA)
        self.lease_script = client.register_script(_LEASE_LUA)
        self.prefix = prefix
        self.now = now
        self.clock = clock
        self.leases: dict[str, tuple[int, float]] = {}  # key: (tokens left, or looks trusted; until)
        self.lock = threading.Lock()

    def _run(self, key: str, limit: Limit, take: int) -> float:
        try:
            return float(self.script(keys=[self.prefix + key], args=[repr(limit.rate), limit.burst, repr(self.now()), take]))
        except redis.RedisError:
            logger.warning("Inbound rate limiter unavailable (Redis); letting the request through", exc_info=True)
            return 0.0

    def take(self, key: str, limit: Limit) -> float:
        with self.lock:
            self.leases.pop(key, None)
        return self._run(key, limit, 1)

    def available(self, key: str, limit: Limit) -> float:
        return self._run(key, limit, 0)

    def admit(self, checks: list[Check]) -> tuple[int, float]:
        if self._admit_locally(checks):
            return -1, 0.0
        args = [repr(self.now())]
        for check in checks:
            args += [repr(check.limit.rate), check.limit.burst, lease_size(check.limit) if check.take else 0]
        try:
            answer = self.lease_script(keys=[self.prefix + check.key for check in checks], args=args)
        except redis.RedisError:
            logger.warning("Inbound rate limiter unavailable (Redis); letting the request through", exc_info=True)
            return -1, 0.0
        if int(answer[0]) >= 0:
            return int(answer[0]), float(answer[1])
        until = self.clock() + LEASE_SECONDS
        with self.lock:
            if len(self.leases) > 100_000:
                self.leases.clear()
            for check, granted in zip(checks, answer[2:]):
                granted = int(granted)
                if check.take:
                    held = self._held(check.key)
                    self.leases[check.key] = (held + granted - 1, until)  # one of them is this request's
                elif granted >= 2:  # at the edge of its limit a bucket is looked at every time
                    self.leases[check.key] = (1, until)
        return -1, 0.0

    def _admit_locally(self, checks: list[Check]) -> bool:
        with self.lock:
            if not all(self._held(check.key) >= 1 for check in checks):
                return False
            for check in checks:
                if check.take:
                    tokens, until = self.leases[check.key]
                    self.leases[check.key] = (tokens - 1, until)
            return True

    def _held(self, key: str) -> int:
        tokens, until = self.leases.get(key, (0, 0.0))
        return tokens if until > self.clock() else 0


def limiter() -> Limiter:
    app = current_app._get_current_object()
    return app.extensions["inbound_limiter"]


def limit(name: str) -> Limit:
    return _limit(*current_app.config["INBOUND_LIMITS"][name])


@functools.lru_cache(maxsize=64)
def _limit(rate: float, burst: int) -> Limit:
    return Limit(rate, burst)


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        app.extensions["inbound_limiter"] = RedisLimiter(redis.Redis.from_url(app.config["REDIS_URL"]))
    else:
        app.extensions["inbound_limiter"] = MemoryLimiter()
