"""The SP-API client against the simulator: retries, throttling, token renewal, rate limits, logging."""
from __future__ import annotations

import logging
import time

import pytest

from connector.amazon.client import USER_AGENT_LIMIT, SPAPIClient, user_agent
from connector.amazon.errors import AccountPaused, AmazonAccessDenied, AmazonConnectionError, AmazonServerError
from connector.amazon.ratelimit import DatabaseBuckets
from connector.extensions import db


def test_marketplace_participations(app, account, simulator, sleeps):
    payload, request_id = SPAPIClient.for_account(account, sleep=sleeps.append).get_marketplace_participations()
    assert payload and {"marketplace", "participation"} <= set(payload[0])
    assert request_id
    assert sleeps == []


def test_with_access_token_right_after_authorization(app, grant, simulator):
    token_grant, seller = grant
    payload, _ = SPAPIClient.with_access_token("NA", seller, token_grant.access_token).get_marketplace_participations()
    assert payload


def test_server_error_is_retried(app, account, simulator, sleeps):
    simulator.fault("getMarketplaceParticipations", "500", count=2)
    payload, _ = SPAPIClient.for_account(account, sleep=sleeps.append).get_marketplace_participations()
    assert payload
    assert len(simulator.calls("getMarketplaceParticipations")) == 3
    assert len(sleeps) == 2 and all(0 <= wait <= 2 for wait in sleeps)


def test_server_errors_give_up_with_request_id(app, account, simulator, sleeps):
    app.config["AMAZON_MAX_ATTEMPTS"] = 3
    simulator.fault("getMarketplaceParticipations", "503", count=10)
    with pytest.raises(AmazonServerError) as caught:
        SPAPIClient.for_account(account, sleep=sleeps.append).get_marketplace_participations()
    assert caught.value.http_status == 503 and caught.value.request_id
    assert caught.value.request_id in str(caught.value)
    assert len(simulator.calls("getMarketplaceParticipations")) == 3


def test_throttling_is_retried(app, account, simulator, sleeps):
    simulator.fault("getMarketplaceParticipations", "throttle", count=1)
    payload, _ = SPAPIClient.for_account(account, sleep=sleeps.append).get_marketplace_participations()
    assert payload and len(sleeps) == 1


def test_timeouts_end_as_connection_error(app, account, simulator, sleeps):
    app.config["HTTP_TIMEOUT"] = 0.3
    app.config["AMAZON_MAX_ATTEMPTS"] = 3
    simulator.fault("getMarketplaceParticipations", "timeout", count=3, delay_seconds=1)
    with pytest.raises(AmazonConnectionError) as caught:
        SPAPIClient.for_account(account, sleep=sleeps.append).get_marketplace_participations()
    assert caught.value.retryable and len(sleeps) == 2


def test_expired_access_token_is_renewed_once(app, account, simulator, sleeps):
    client = SPAPIClient.for_account(account, sleep=sleeps.append)
    client.get_marketplace_participations()
    tokens_before = len(simulator.calls("token"))
    simulator.expire_access_tokens()
    payload, _ = client.get_marketplace_participations()
    assert payload
    assert len(simulator.calls("token")) == tokens_before + 1
    assert len(simulator.calls("getMarketplaceParticipations")) == 3  # ok, 403 expired, ok
    assert sleeps == []


def test_expired_fixed_token_is_not_renewed(app, grant, simulator):
    token_grant, seller = grant
    simulator.expire_access_tokens()
    with pytest.raises(AmazonAccessDenied) as caught:
        SPAPIClient.with_access_token("NA", seller, token_grant.access_token).get_marketplace_participations()
    assert caught.value.access_token_rejected and caught.value.http_status == 403


class SharedClock:
    """Stands in for time passing: the limiter's clock and the simulator's clock advance together."""

    def __init__(self, simulator, start: float) -> None:
        self.simulator = simulator
        self.now = start
        self.waits: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        self.simulator.advance(seconds)


def test_rate_limiter_keeps_calls_under_the_usage_plan(app, account, simulator):
    shared = SharedClock(simulator, time.time())
    client = SPAPIClient.for_account(account, sleep=shared.sleep, buckets=DatabaseBuckets(db.engine, now=shared.time))
    for _ in range(20):
        client.get_marketplace_participations()
    # Burst 15, then one slot every 1/0.016 s: the 16th caller is told to wait 62.5 s, and so on.
    assert shared.waits == pytest.approx([62.5] * 5)
    calls = simulator.calls("getMarketplaceParticipations")
    assert len(calls) == 20 and all(call.get("status") != 429 for call in calls)


def test_logs_never_contain_tokens(app, account, simulator, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    simulator.fault("getMarketplaceParticipations", "500", count=1)
    client = SPAPIClient.for_account(account, sleep=sleeps.append)
    client.get_marketplace_participations()
    simulator.expire_access_tokens()
    client.get_marketplace_participations()
    simulator.revoke(account.selling_partner_id)
    simulator.expire_access_tokens()
    with pytest.raises(AccountPaused):
        client.get_marketplace_participations()
    assert "request id" in caplog.text
    assert "Atza|" not in caplog.text and "Atzr|" not in caplog.text


def test_user_agent():
    agent = user_agent("Cart Connector")
    assert agent.startswith("Cart Connector/") and "(Language=Python/3.11" in agent and "Platform=" in agent
    assert len(user_agent("x" * 1000)) == USER_AGENT_LIMIT
