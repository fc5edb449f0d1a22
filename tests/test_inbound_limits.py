"""Inbound rate limits: per shop and per address on webhooks, per address on launches; clear 429 answers."""
from __future__ import annotations

import pytest
import redis

import hostwebhooks as send
from connector.security.inbound import Limit, MemoryLimiter, RedisLimiter
from connector.shops.launch import make_launch_token
from helpers import make_shop

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_a_shop_over_its_limit_gets_429_and_other_shops_do_not(app):
    app.config["INBOUND_LIMITS"] = {**app.config["INBOUND_LIMITS"], "webhook_shop": (0.001, 3)}
    busy, quiet = make_shop("Busy"), make_shop("Quiet", origin="https://quiet.example")
    client = app.test_client()
    answers = [send.woocommerce(client, busy, "coupon.created", {"id": n}).status_code for n in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    refused = send.woocommerce(client, busy, "coupon.created", {"id": 9})
    assert refused.json["error"] == "rate limited" and int(refused.headers["Retry-After"]) >= 1
    assert "for this shop" in refused.json["detail"]
    assert send.woocommerce(client, quiet, "coupon.created", {"id": 1}).status_code == 200


def test_an_address_whose_deliveries_keep_being_refused_is_stopped_before_any_work(app):
    app.config["INBOUND_LIMITS"] = {**app.config["INBOUND_LIMITS"], "webhook_refused": (0.001, 3)}
    shop = make_shop()
    client = app.test_client()
    codes = [send.woocommerce(client, shop, "coupon.created", {"id": n}, secret="guess").status_code for n in range(3)]
    assert codes == [401, 401, 401]
    assert client.post("/webhooks/woocommerce/no-such-shop", data=b"{}").status_code == 429
    blocked = send.woocommerce(client, shop, "coupon.created", {"id": 4})  # even a valid one, from this address
    assert blocked.status_code == 429 and "refused deliveries from your address" in blocked.json["detail"]
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert send.woocommerce(elsewhere, shop, "coupon.created", {"id": 5}).status_code == 200


def test_too_many_launches_from_one_address(app):
    app.config["INBOUND_LIMITS"] = {**app.config["INBOUND_LIMITS"], "launch_address": (0.001, 2)}
    shop = make_shop()
    client = app.test_client()
    assert client.get(f"/admin/launch?token={make_launch_token(shop)}").status_code == 302
    assert client.get("/admin/launch?token=forged").status_code == 401
    answer = client.get(f"/admin/launch?token={make_launch_token(shop)}")
    assert answer.status_code == 429 and "Too many attempts" in answer.get_data(as_text=True)
    assert int(answer.headers["Retry-After"]) >= 1


def test_memory_buckets_refill():
    now = [0.0]
    limiter = MemoryLimiter(now=lambda: now[0])
    limit = Limit(rate=2, burst=2)
    assert [limiter.take("k", limit) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert limiter.available("k", limit) == 0.5
    now[0] += 0.5
    assert limiter.take("k", limit) == 0.0


def test_redis_buckets_are_shared_between_processes_and_fail_open():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    key, limit = "test-shared-bucket", Limit(rate=0.001, burst=2)
    client.delete("connector:inbound:" + key)
    web_one, web_two = RedisLimiter(client), RedisLimiter(redis.Redis.from_url(REDIS_URL))
    assert web_one.take(key, limit) == 0 and web_two.take(key, limit) == 0
    assert web_one.take(key, limit) > 0 and web_two.available(key, limit) > 0
    down = RedisLimiter(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    assert down.take(key, limit) == 0


def test_redis_admits_several_checks_in_one_step():
    from connector.security.inbound import Check

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    for key in ("refused", "address", "shop"):
        client.delete(f"connector:inbound:test-admit-{key}")
    limiter = RedisLimiter(client)
    checks = [Check("test-admit-refused", Limit(0.001, 1), take=False), Check("test-admit-address", Limit(0.001, 5)),
              Check("test-admit-shop", Limit(0.001, 2))]
    assert limiter.admit(checks) == (-1, 0.0) and limiter.admit(checks) == (-1, 0.0)
    failed, wait = limiter.admit(checks)
    assert failed == 2 and wait > 0  # the shop's bucket is empty; the address still has tokens
    limiter.take("test-admit-refused", Limit(0.001, 1))
    assert limiter.admit(checks)[0] == 0  # a refused address is stopped first, and only looked at


def _redis_or_skip(*keys: str) -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    for key in keys:
        client.delete("connector:inbound:" + key)
    return client


def _tokens(client: redis.Redis, key: str) -> float:
    return float(client.hget("connector:inbound:" + key, "tokens"))


def test_processes_lease_tokens_from_the_shared_bucket_and_never_admit_more_than_it_holds():
    from connector.security.inbound import LEASE_MAX, Check

    client = _redis_or_skip("test-lease-shop")
    checks = [Check("test-lease-shop", Limit(0.001, 10_000))]
    web_one, web_two = RedisLimiter(client), RedisLimiter(redis.Redis.from_url(REDIS_URL))
    assert web_one.admit(checks) == (-1, 0.0)
    assert _tokens(client, "test-lease-shop") == pytest.approx(10_000 - LEASE_MAX, abs=0.01)
    for _ in range(LEASE_MAX - 1):  # spent from the lease: no Redis call takes anything
        assert web_one.admit(checks) == (-1, 0.0)
    assert _tokens(client, "test-lease-shop") == pytest.approx(10_000 - LEASE_MAX, abs=0.01)
    assert web_two.admit(checks) == (-1, 0.0) and web_one.admit(checks) == (-1, 0.0)
    assert _tokens(client, "test-lease-shop") == pytest.approx(10_000 - 3 * LEASE_MAX, abs=0.01)

    small = [Check("test-lease-small", Limit(0.001, 3))]
    client.delete("connector:inbound:test-lease-small")
    admitted = [web.admit(small)[0] for web in (web_one, web_two, web_one, web_two, web_one)]
    assert admitted == [-1, -1, -1, 0, 0]  # a small bucket is taken one token at a time: exactly 3 admitted


def test_a_refused_check_takes_nothing_from_the_other_buckets():
    from connector.security.inbound import Check

    client = _redis_or_skip("test-all-address", "test-all-shop")
    limiter = RedisLimiter(client)
    checks = [Check("test-all-address", Limit(0.001, 1000)), Check("test-all-shop", Limit(0.001, 1))]
    assert limiter.admit(checks)[0] == -1
    limiter.leases.clear()  # as another process would: no lease of its own
    address_tokens = _tokens(client, "test-all-address")
    assert limiter.admit(checks)[0] == 1
    assert _tokens(client, "test-all-address") == pytest.approx(address_tokens, abs=0.01)


def test_a_look_is_trusted_briefly_and_forgotten_when_this_process_takes_from_that_bucket():
    from connector.security.inbound import LEASE_SECONDS, Check

    client = _redis_or_skip("test-look-refused", "test-look-address")
    now = [0.0]
    web_one = RedisLimiter(client, clock=lambda: now[0])
    web_two = RedisLimiter(redis.Redis.from_url(REDIS_URL))
    refused, checks = Limit(0.001, 3), [Check("test-look-refused", Limit(0.001, 3), take=False),
                                        Check("test-look-address", Limit(0.001, 1000))]
    assert web_one.admit(checks)[0] == -1
    for _ in range(3):
        web_two.take("test-look-refused", refused)
    assert web_one.admit(checks)[0] == -1  # another process's refusals are seen within LEASE_SECONDS
    now[0] += LEASE_SECONDS + 0.1
    assert web_one.admit(checks)[0] == 0
    client.delete("connector:inbound:test-look-refused")
    assert web_one.admit(checks)[0] == -1
    for _ in range(3):
        web_one.take("test-look-refused", refused)
    assert web_one.admit(checks)[0] == 0  # this process's own refusals count at once
