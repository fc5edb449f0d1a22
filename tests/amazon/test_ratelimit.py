"""Shared token buckets: the reservation arithmetic and both backends (database and Redis)."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis

from connector.amazon.models import RateLimitBucket
from connector.amazon.operations import LISTINGS_FEED_SUBMISSIONS
from connector.amazon.ratelimit import (
    DatabaseBuckets,
    RedisBuckets,
    available_in,
    buckets_for_app,
    reserve,
    window_grant,
)
from connector.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"


class FakeTime:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value


def test_reservation_math():
    tokens, updated = 15.0, 0.0
    waits = []
    for _ in range(17):
        tokens, wait = reserve(tokens, updated, 0.0, 0.016, 15)
        waits.append(wait)
    assert waits[:15] == [0.0] * 15
    assert waits[15] == pytest.approx(1 / 0.016) and waits[16] == pytest.approx(2 / 0.016)
    # Time refills at `rate`, never beyond the burst.
    assert reserve(-2.0, 0.0, 125.0, 0.016, 15) == pytest.approx((-1.0, 62.5))
    assert reserve(0.0, 0.0, 10_000.0, 0.016, 15) == (14.0, 0.0)
    # A clock that went backwards (another process) refills nothing instead of draining.
    assert reserve(5.0, 100.0, 90.0, 1.0, 15) == (4.0, 0.0)


def test_available_in_reserves_nothing():
    assert available_in(15.0, 0.0, 0.0, 0.016, 15) == 0.0
    assert available_in(0.5, 0.0, 0.0, 1.0, 5) == pytest.approx(0.5)
    # A queue of reservations (negative tokens) is waited out before the next free token.
    assert available_in(-2.0, 0.0, 1.0, 1.0, 5) == pytest.approx(2.0)
    assert available_in(-2.0, 0.0, 100.0, 1.0, 5) == 0.0


def test_window_grants_follow_a_sliding_window():
    grants, waits = [], []
    for _ in range(7):
        grants, wait = window_grant(grants, 1000.0, 5, 300.0)
        waits.append(wait)
    # Five at once, then each later one waits for the grant five places before it to leave the window.
    assert waits == [0.0] * 5 + [300.0, 300.0]
    assert grants == [1000.0, 1000.0, 1000.0, 1300.0, 1300.0]
    assert window_grant([0.0, 10.0, 20.0, 30.0, 40.0], 305.0, 5, 300.0) == ([10.0, 20.0, 30.0, 40.0, 305.0], 0.0)
    assert window_grant([0.0, 10.0, 20.0, 30.0, 40.0], 200.0, 5, 300.0)[1] == pytest.approx(100.0)


def _check_peeking(buckets, now: FakeTime) -> None:
    assert buckets.peek("SELLER:createFeed", 0.0083, 15) == 0.0  # an unknown bucket is full
    for _ in range(15):
        assert buckets.acquire("SELLER:createFeed", 0.0083, 15) == 0.0
    waiting = buckets.peek("SELLER:createFeed", 0.0083, 15)
    assert waiting == pytest.approx(1 / 0.0083)
    assert buckets.peek("SELLER:createFeed", 0.0083, 15) == pytest.approx(waiting)  # peeking took nothing
    now.value += 60
    assert buckets.peek("SELLER:createFeed", 0.0083, 15) == pytest.approx(1 / 0.0083 - 60)


def _check_window(buckets, now: FakeTime) -> None:
    limit = LISTINGS_FEED_SUBMISSIONS
    key = limit.key("SELLER", "NA")
    assert buckets.peek_window(key, limit.limit, limit.window) == 0.0
    waits = [buckets.acquire_window(key, limit.limit, limit.window) for _ in range(6)]
    assert waits == [0.0] * 5 + [pytest.approx(limit.window)]
    now.value += 100
    # The sixth caller holds the slot after the first five; a seventh would wait for the second one's.
    assert buckets.peek_window(key, limit.limit, limit.window) == pytest.approx(limit.window - 100)
    assert buckets.peek_window(limit.key("SELLER", "EU"), limit.limit, limit.window) == 0.0


def test_database_buckets_peek_and_windows(app):
    now = FakeTime()
    buckets = DatabaseBuckets(db.engine, now=now)
    _check_peeking(buckets, now)
    _check_window(buckets, now)


def test_redis_buckets_peek_and_windows(redis_buckets):
    buckets, now = redis_buckets
    _check_peeking(buckets, now)
    _check_window(buckets, now)


def _check_queueing(buckets, now: FakeTime) -> None:
    waits = [buckets.acquire("SELLER:getMarketplaceParticipations", 0.016, 15) for _ in range(17)]
    assert waits[:15] == [0.0] * 15
    assert waits[15] == pytest.approx(62.5) and waits[16] == pytest.approx(125.0)
    now.value += 62.5
    assert buckets.acquire("SELLER:getMarketplaceParticipations", 0.016, 15) == pytest.approx(125.0)
    # Buckets are per key: another operation or seller is not held up.
    assert buckets.acquire("SELLER:createFeed", 0.0083, 15) == 0.0
    assert buckets.acquire("OTHER:getMarketplaceParticipations", 0.016, 15) == 0.0


def test_database_buckets_queue_callers(app):
    now = FakeTime()
    _check_queueing(DatabaseBuckets(db.engine, now=now), now)
    row = db.session.get(RateLimitBucket, "SELLER:getMarketplaceParticipations")
    assert row.tokens == pytest.approx(-2.0) and row.updated_at == now.value


def test_database_buckets_concurrent_consumers_get_distinct_slots(app):
    buckets = DatabaseBuckets(db.engine)
    waits: list[float] = []
    errors: list[BaseException] = []

    def consumer():
        with app.app_context():
            try:
                waits.append(buckets.acquire("SELLER:patchListingsItem", 1.0, 3))
            except BaseException as error:  # noqa: BLE001 - surfaced by the assertion below
                errors.append(error)

    threads = [threading.Thread(target=consumer) for _ in range(10)]
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    assert not errors
    waits.sort()
    assert waits[:3] == [0.0, 0.0, 0.0]
    # Seven queued callers, one per second of refill: no two share a slot.
    for slot, wait in enumerate(waits[3:], start=1):
        assert slot - elapsed - 0.05 <= wait <= slot + 0.05


@pytest.fixture
def redis_buckets():
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"connector-test:{uuid.uuid4().hex}:"
    now = FakeTime()
    yield RedisBuckets(client, prefix=prefix, now=now), now
    keys = list(client.scan_iter(prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_redis_buckets_queue_callers(redis_buckets):
    buckets, now = redis_buckets
    _check_queueing(buckets, now)
    state = buckets.client.hgetall(buckets.prefix + "SELLER:getMarketplaceParticipations")
    assert float(state[b"tokens"]) == pytest.approx(-2.0)
    assert 0 < buckets.client.ttl(buckets.prefix + "SELLER:getMarketplaceParticipations") <= 17 / 0.016 + 61


def test_redis_fractional_waits_survive_lua(redis_buckets):
    buckets, _ = redis_buckets
    assert buckets.acquire("k", 3.0, 1) == 0.0
    assert buckets.acquire("k", 3.0, 1) == pytest.approx(1 / 3)


def test_backend_follows_redis_url(app):
    assert isinstance(buckets_for_app(), DatabaseBuckets)
    app.config["REDIS_URL"] = REDIS_URL
    assert isinstance(buckets_for_app(), RedisBuckets)
