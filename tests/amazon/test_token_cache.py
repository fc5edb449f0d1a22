"""Cached access tokens: reused for the hour, refreshed a minute early, once, whatever the number of consumers."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from connector import clock
from connector.accounts.models import AmazonAccount, TokenState
from connector.amazon import token_cache
from connector.amazon.client import SPAPIClient
from connector.amazon.errors import AccountPaused
from connector.amazon.models import CachedAccessToken
from connector.extensions import db
from connector.synclog.models import LogEntry

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["database", "redis"])
def lock_backend(request, app):
    if request.param == "redis":
        app.config["REDIS_URL"] = REDIS_URL
    return request.param


def test_token_is_reused_across_calls(app, account, simulator, sleeps):
    before = len(simulator.calls("token"))
    client = SPAPIClient.for_account(account, sleep=sleeps.append)
    for _ in range(5):
        client.get_marketplace_participations()
    assert len(simulator.calls("token")) == before + 1
    assert len(simulator.calls("getMarketplaceParticipations")) == 5


def test_refreshed_one_minute_before_expiry(app, account, simulator):
    first = token_cache.get_access_token(account)
    clock.advance(timedelta(minutes=58, seconds=59))
    assert token_cache.get_access_token(account) == first
    clock.advance(timedelta(seconds=2))  # 59:01 old: inside the last minute
    second = token_cache.get_access_token(account)
    assert second != first
    cached = db.session.get(CachedAccessToken, account.id)
    assert cached.expires_at - clock.utcnow() > timedelta(minutes=59)


def test_concurrent_consumers_refresh_once(app, account, simulator, lock_backend):
    before = len(simulator.calls("token"))
    account_id = account.id  # the fixture's object belongs to the main thread's session
    barrier = threading.Barrier(4)
    tokens, errors = [], []

    def consumer():
        with app.app_context():
            try:
                mine = db.session.get(AmazonAccount, account_id)
                barrier.wait(timeout=30)
                tokens.append(token_cache.get_access_token(mine))
            except BaseException as error:  # noqa: BLE001 - surfaced by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=consumer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(tokens)) == 1 and len(tokens) == 4
    assert len(simulator.calls("token")) == before + 1


def test_revoked_authorization_pauses_account_once(app, account, simulator, lock_backend):
    simulator.revoke(account.selling_partner_id)
    before = len(simulator.calls("token"))
    for _ in range(5):
        with pytest.raises(AccountPaused) as caught:
            token_cache.get_access_token(account)
        assert caught.value.code == "invalid_grant"
    assert len(simulator.calls("token")) == before + 1  # later calls did not ask Amazon again
    db.session.expire_all()
    stored = db.session.get(AmazonAccount, account.id)
    assert stored.token_state == TokenState.INVALID
    assert stored.token_state_detail == token_cache.INVALID_GRANT_DETAIL
    entries = db.session.scalars(db.select(LogEntry).where(LogEntry.kind == "token")).all()
    assert len(entries) == 1
    assert entries[0].level == "error" and entries[0].error_code == "invalid_grant" and entries[0].http_status == 400
    assert db.session.get(CachedAccessToken, account.id) is None


def test_paused_account_does_not_call_amazon(app, account, simulator):
    before = len(simulator.calls("token"))
    account.expires_at = clock.utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(AccountPaused) as caught:
        token_cache.get_access_token(account)
    assert caught.value.code == "authorization_expired"
    account.expires_at = clock.utcnow() + timedelta(days=1)
    account.token_state = TokenState.INVALID
    db.session.commit()
    with pytest.raises(AccountPaused):
        SPAPIClient.for_account(account).get_marketplace_participations()
    assert len(simulator.calls("token")) == before
    assert simulator.calls("getMarketplaceParticipations") == []
