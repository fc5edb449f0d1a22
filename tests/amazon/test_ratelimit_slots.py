"""Taking a rate-limit slot only when it is free soon enough (max_wait), and buckets on the simulator's clock when
it runs faster than real time."""
from __future__ import annotations

import uuid
from functools import partial

import pytest
import redis

from connector.amazon.client import SlotNotFree, SPAPIClient
from connector.amazon.models import RateLimitBucket
from connector.amazon.ratelimit import DatabaseBuckets, RedisBuckets, SimulatedTimeBuckets, buckets_for_app
from connector.extensions import db
from test_ratelimit import REDIS_URL, FakeTime


def _check_max_wait(buckets, now: FakeTime) -> None:
    assert [buckets.acquire("S:searchOrders", 0.0056, 2, max_wait=5.0) for _ in range(2)] == [0.0, 0.0]
    refused = buckets.acquire("S:searchOrders", 0.0056, 2, max_wait=5.0)
    assert refused == pytest.approx(1 / 0.0056)
    # Nothing was reserved: asking again costs the same wait, and a caller willing to wait takes that slot.
    assert buckets.acquire("S:searchOrders", 0.0056, 2, max_wait=5.0) == pytest.approx(refused)
    assert buckets.acquire("S:searchOrders", 0.0056, 2) == pytest.approx(refused)
    now.value += 2 / 0.0056
    assert buckets.acquire("S:searchOrders", 0.0056, 2, max_wait=5.0) == pytest.approx(0.0, abs=1e-6)


def test_database_buckets_reserve_nothing_beyond_max_wait(app):
    now = FakeTime()
    _check_max_wait(DatabaseBuckets(db.engine, now=now), now)


def test_redis_buckets_reserve_nothing_beyond_max_wait():
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"connector-test:{uuid.uuid4().hex}:"
    now = FakeTime()
    try:
        _check_max_wait(RedisBuckets(client, prefix=prefix, now=now), now)
    finally:
        keys = list(client.scan_iter(prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_simulated_time_buckets_refill_per_simulated_second(app):
    buckets = SimulatedTimeBuckets(partial(DatabaseBuckets, db.engine), 1000.0)
    assert buckets.acquire("S:searchOrders", 0.0056, 1) == 0.0
    # One slot every 178.6 simulated seconds is one every 0.18 real seconds at 1000x.
    assert buckets.acquire("S:searchOrders", 0.0056, 1, max_wait=0.05) == pytest.approx(0.1786, abs=0.01)
    assert buckets.acquire("S:searchOrders", 0.0056, 1, max_wait=1.0) == pytest.approx(0.1786, abs=0.01)
    assert db.session.get(RateLimitBucket, "S:searchOrders@1000x") is not None  # apart from real-time buckets


def test_the_simulator_speed_applies_only_to_the_simulator(app):
    app.config["SIMULATOR_CLOCK_SPEED"] = 1000.0
    assert isinstance(buckets_for_app(), SimulatedTimeBuckets)
    app.config["AMAZON_TARGET"] = "amazon"
    assert isinstance(buckets_for_app(), DatabaseBuckets)


def test_a_call_that_would_wait_too_long_is_not_sent(account, simulator):
    client = SPAPIClient.for_account(account)
    for _ in range(15):
        client.get_marketplace_participations()
    with pytest.raises(SlotNotFree) as busy:
        client.call("getMarketplaceParticipations", max_wait=5.0)
    assert busy.value.seconds == pytest.approx(1 / 0.016, abs=1)
    assert len(simulator.calls("getMarketplaceParticipations")) == 15
