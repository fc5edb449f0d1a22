"""Amazon misbehaving while stock and prices go out: 5xx bursts, 429 storms, timeouts and an authorization revoked
mid-run. The desired state stays pending, the log says what happened with Amazon's request ID, the client backs off
instead of hammering, and everything reaches Amazon once Amazon recovers. (FATAL and never-finished feeds: see
tests/stock/test_push.py.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from hostwebhooks import generic
from stockhelpers import amazon_calls, connect_account, demo_items, listing, on_amazon, push_and_settle

from connector import clock
from connector.accounts.models import AuthorizationAttempt, TokenState
from connector.authorization.operations import callback_url, complete_authorization
from connector.extensions import db
from connector.stock.models import Submission
from connector.sandbox.feed_lifecycle import advance
from connector.stock.push import push
from connector.stock.results import check_feeds
from connector.stock.settings import settings_for
from connector.synclog.models import LogEntry

MAX_ATTEMPTS = 5


@pytest.fixture
def account(app, sandbox, feeds, generic_shop):
    return connect_account(sandbox, generic_shop)


@pytest.fixture
def send(app, generic_shop):
    client = app.test_client()
    return lambda items: generic(client, generic_shop, "product.updated", items)


def _entries(level: str | None = None) -> list[LogEntry]:
    db.session.expire_all()
    query = db.session.query(LogEntry).order_by(LogEntry.id)
    return query.filter_by(level=level).all() if level else query.all()


def test_a_5xx_burst_on_patches_keeps_skus_pending_backs_off_and_recovers(sandbox, account, send, waits):
    sandbox.state.add_fault("patchListingsItem", "503", count=3 * MAX_ATTEMPTS)
    send(demo_items(range(1, 4), 7, "21.00"))
    push_and_settle(sandbox, account.id)

    # Each SKU was tried the policy's number of times, with waits between the attempts, and no more.
    assert len(amazon_calls(sandbox, "patchListingsItem")) == 3 * MAX_ATTEMPTS
    assert len([w for w in waits if w >= 0]) >= 3 * (MAX_ATTEMPTS - 1)
    for number in range(1, 4):
        state = listing(account.id, f"DEMO-SKU-{number:03d}")
        assert (state.desired_quantity, state.quantity_pending, state.hold) == (7, True, None)
    warnings = [e for e in _entries("warning") if e.sku == "DEMO-SKU-001"]
    assert warnings and "stays pending" in warnings[-1].message
    assert warnings[-1].http_status == 503 and warnings[-1].amazon_request_id

    # The next push waits (1 minute, then 5, 15, 60) instead of patching again the moment this one ended.
    settings = settings_for(account.id)
    assert settings.next_push_at - clock.utcnow() >= timedelta(seconds=55) and "did not answer" in settings.waiting_for
    clock.advance(timedelta(seconds=5))
    assert push(account.id, "webhook").reason.startswith("waiting after failed submissions")
    assert len(amazon_calls(sandbox, "patchListingsItem")) == 3 * MAX_ATTEMPTS

    sandbox.state.clear_faults()
    push_and_settle(sandbox, account.id)
    assert [on_amazon(sandbox, f"DEMO-SKU-{n:03d}")["quantity"] for n in range(1, 4)] == [7, 7, 7]
    assert listing(account.id, "DEMO-SKU-001").pending is False
    assert len(amazon_calls(sandbox, "patchListingsItem")) == 3 * MAX_ATTEMPTS + 3
    assert settings_for(account.id).retry_at is None  # a success ends the backoff


def test_a_429_storm_on_create_feed_fails_the_submission_waits_and_recovers(sandbox, account, send, waits):
    sandbox.state.add_fault("createFeed", "throttle", count=1000)
    send(demo_items(range(1, 26), 3, "19.00"))
    push_and_settle(sandbox, account.id)

    failed = db.session.query(Submission).one()
    assert failed.status == "failed"
    assert len(amazon_calls(sandbox, "createFeed")) == MAX_ATTEMPTS  # then it stopped asking
    assert len(waits) >= MAX_ATTEMPTS - 1 and all(w >= 0 for w in waits)
    state = listing(account.id, "DEMO-SKU-025")
    assert (state.desired_quantity, state.pending, state.submission_id) == (3, True, None)
    throttled = [e for e in _entries() if e.http_status == 429]
    assert throttled and throttled[-1].error_code == "QuotaExceeded" and throttled[-1].amazon_request_id
    assert throttled[-1].level in ("warning", "error")

    # A webhook-triggered push right after does not call Amazon again: it waits after the failed submission.
    clock.advance(timedelta(seconds=5))
    assert push(account.id, "webhook").reason.startswith("waiting after failed submissions")
    assert len(amazon_calls(sandbox, "createFeed")) == MAX_ATTEMPTS

    sandbox.state.clear_faults()
    push_and_settle(sandbox, account.id)
    assert on_amazon(sandbox, "DEMO-SKU-025")["quantity"] == 3
    assert db.session.query(Submission).filter_by(status="DONE").one().accepted == 25


def test_timeouts_end_as_no_answer_keep_the_changes_and_recover(app, sandbox, account, send, waits):
    app.config["HTTP_TIMEOUT"] = 0.3
    sandbox.state.add_fault("createFeedDocument", "timeout", count=MAX_ATTEMPTS, delay_seconds=0.6)
    send(demo_items(range(1, 26), 6, "19.00"))
    push_and_settle(sandbox, account.id)

    assert db.session.query(Submission).one().status == "failed"
    assert listing(account.id, "DEMO-SKU-010").pending is True
    assert not amazon_calls(sandbox, "createFeed")
    problem = [e for e in _entries() if "no answer" in e.message.lower() or "did not answer" in e.message.lower()]
    assert problem, [e.message for e in _entries()]

    push_and_settle(sandbox, account.id)
    assert on_amazon(sandbox, "DEMO-SKU-010")["quantity"] == 6


def test_feeds_amazon_took_without_answering_are_not_overtaken_by_the_changes_sent_again(app, sandbox, account, send,
                                                                                          waits):
    """Regression: createFeed answered too late for the client, every attempt, although Amazon created the feeds.
    The changes were sent again at once, and the unanswered feeds, still queued at Amazon, were processed
    afterwards and put the older quantities back."""
    app.config["HTTP_TIMEOUT"] = 0.3
    sandbox.state.feeds.processing_seconds = 600  # the unanswered feeds stay in Amazon's queue
    sandbox.state.add_fault("createFeed", "late", count=MAX_ATTEMPTS, delay_seconds=0.6)
    send(demo_items(range(1, 26), 6, "19.00"))
    push_and_settle(sandbox, account.id)
    assert len(amazon_calls(sandbox, "createFeed")) == MAX_ATTEMPTS  # each one created a feed at Amazon
    assert any("may have taken the feed anyway" in e.message for e in _entries("warning"))
    sandbox.state.feeds.processing_seconds = 0

    send(demo_items(range(1, 6), 8, "19.00"))  # newer quantities for five of them
    push_and_settle(sandbox, account.id)
    assert len(amazon_calls(sandbox, "createFeed")) == MAX_ATTEMPTS  # nothing sent while those feeds are queued
    assert settings_for(account.id).waiting_for == "a feed whose answer was lost may still be in Amazon's queue"

    sandbox.state.advance_clock(601)
    advance(sandbox.state)  # Amazon processes the unanswered feeds
    push_and_settle(sandbox, account.id)
    assert [on_amazon(sandbox, f"DEMO-SKU-{n:03d}")["quantity"] for n in range(1, 26)] == [8] * 5 + [6] * 20
    assert any("got no answer from Amazon" in e.message for e in _entries("warning"))


def test_invalid_grant_mid_run_pauses_the_account_keeps_the_changes_and_renewal_catches_up(sandbox, account, send,
                                                                                           waits):
    send(demo_items([1], 2, "19.00"))
    push_and_settle(sandbox, account.id)
    assert on_amazon(sandbox, "DEMO-SKU-001")["quantity"] == 2  # an access token is now cached

    sandbox.state.revoke("A1DEMOSELLERNA")  # the seller removes the app while we hold a live access token
    send(demo_items(range(1, 4), 9, "19.00"))
    push_and_settle(sandbox, account.id)

    db.session.expire_all()
    assert account.token_state == TokenState.INVALID
    assert listing(account.id, "DEMO-SKU-003").desired_quantity == 9 and listing(account.id, "DEMO-SKU-003").pending
    refused = [e for e in _entries("error") if e.error_code == "invalid_grant"]
    assert refused and all(e.http_status == 400 and e.amazon_request_id for e in refused)
    token_calls = len(sandbox.state.calls("token"))
    push_and_settle(sandbox, account.id)  # a paused account does not go on asking Amazon
    assert len(sandbox.state.calls("token")) == token_calls

    attempt = AuthorizationAttempt(state_id="renewal", shop_id=account.shop_id, account_id=account.id)
    db.session.add(attempt)
    db.session.commit()
    complete_authorization(attempt, "A1DEMOSELLERNA", sandbox.state.issue_code("A1DEMOSELLERNA", callback_url()))
    push_and_settle(sandbox, account.id)
    assert [on_amazon(sandbox, f"DEMO-SKU-{n:03d}")["quantity"] for n in range(1, 4)] == [9, 9, 9]


def test_a_5xx_burst_while_checking_a_feed_keeps_it_open_and_checks_again_later(sandbox, account, send, waits):
    send(demo_items(range(1, 26), 5, "19.00"))
    push(account.id, "push_now")  # submitted; its result is not read yet
    sandbox.state.add_fault("getFeed", "503", count=MAX_ATTEMPTS)
    check_feeds(account.id, "test", everything=True)

    db.session.expire_all()
    feed = db.session.query(Submission).one()
    assert feed.status in ("IN_QUEUE", "IN_PROGRESS") and feed.next_check_at > clock.utcnow()
    assert listing(account.id, "DEMO-SKU-001").submission_id == feed.id  # still in flight, not sent twice
    warning = [e for e in _entries("warning") if e.feed_id == feed.feed_id][-1]
    assert "checked again" in warning.message and warning.http_status == 503 and warning.amazon_request_id
    assert len(amazon_calls(sandbox, "getFeed")) == MAX_ATTEMPTS

    advance(sandbox.state)
    check_feeds(account.id, "test", everything=True)
    assert db.session.query(Submission).one().status == "DONE"
    assert on_amazon(sandbox, "DEMO-SKU-025")["quantity"] == 5
    assert len(amazon_calls(sandbox, "createFeed")) == 1
