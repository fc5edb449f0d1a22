"""Pushing to Amazon: feeds and patches, rejected SKUs, FBA, accounts that cannot sync, quotas, failed feeds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hostwebhooks import generic
from stockhelpers import amazon_calls, connect_account, demo_items, listing, on_amazon, push_and_settle, seed, US

from connector import clock
from connector.accounts.models import AuthorizationAttempt
from connector.authorization.operations import callback_url, complete_authorization
from connector.extensions import db
from connector.sandbox.feed_lifecycle import advance
from connector.stock.models import Hold, ListingRules, SkuMapping, Submission, SubmissionItem
from connector.stock.push import push
from connector.stock.resync import retry_rejected
from connector.stock.results import check_feeds
from connector.stock.settings import settings_for
from connector.stock.sweep import sweep
from connector.synclog.models import LogEntry


@pytest.fixture
def account(app, sandbox, feeds, generic_shop):
    return connect_account(sandbox, generic_shop)


@pytest.fixture
def send(app, generic_shop):
    client = app.test_client()
    return lambda items, topic="product.updated": generic(client, generic_shop, topic, items)


def test_a_handful_goes_by_patch_more_by_feed_and_only_changes_are_sent(sandbox, account, send):
    send(demo_items(range(1, 4), 11, "30.00"))
    push_and_settle(sandbox, account.id)
    assert [on_amazon(sandbox, f"DEMO-SKU-{n:03d}")["quantity"] for n in range(1, 4)] == [11, 11, 11]
    assert len(amazon_calls(sandbox, "patchListingsItem")) == 3 and not amazon_calls(sandbox, "createFeed")

    send(demo_items(range(1, 31), 12, "30.00"))  # 30 listings, 3 of them with the same price as accepted
    push_and_settle(sandbox, account.id)
    assert len(amazon_calls(sandbox, "createFeed")) == 1
    submission = db.session.query(Submission).filter_by(kind="feed").one()
    assert (submission.messages, submission.accepted, submission.errors, submission.status) == (30, 30, 0, "DONE")
    items = {i.seller_sku: i for i in db.session.query(SubmissionItem).filter_by(submission_id=submission.id)}
    assert (items["DEMO-SKU-001"].quantity, items["DEMO-SKU-001"].price) == (12, None)  # the price was accepted
    assert str(items["DEMO-SKU-004"].price) == "30.00"
    assert on_amazon(sandbox, "DEMO-SKU-030")["quantity"] == 12

    push_and_settle(sandbox, account.id)  # nothing changed since: nothing goes out
    assert len(amazon_calls(sandbox, "createFeed")) == 1 and len(amazon_calls(sandbox, "patchListingsItem")) == 3


def test_a_rejected_sku_keeps_its_error_and_is_not_resent_in_a_loop(sandbox, account, send):
    send(demo_items(range(1, 25), 5, "20.00") + [{"sku": "NOT-ON-AMAZON", "quantity": 5, "price": "20.00"}])
    push_and_settle(sandbox, account.id)
    feed = db.session.query(Submission).one()
    assert (feed.accepted, feed.errors) == (24, 1)
    state = listing(account.id, "NOT-ON-AMAZON")
    assert (state.pending, state.hold, state.error_code) == (True, Hold.RETRY, "NOT_FOUND")
    assert state.error_submission_id == feed.id and "not found" in state.error_message
    entry = db.session.query(LogEntry).filter(LogEntry.sku == "NOT-ON-AMAZON").one()
    assert f"feed {feed.feed_id}" in entry.message and "Create the listing in Seller Central" in entry.message

    send([{"sku": "NOT-ON-AMAZON", "quantity": 6, "price": "20.00"}])  # Amazon still does not know it
    push_and_settle(sandbox, account.id)
    assert len(amazon_calls(sandbox, "createFeed")) == 1 and not amazon_calls(sandbox, "patchListingsItem")

    seed(sandbox, US, {"sku": "NOT-ON-AMAZON", "quantity": 0, "price": "1.00"})  # the seller creates the listing
    assert retry_rejected(account) == 1
    push_and_settle(sandbox, account.id)
    assert on_amazon(sandbox, "NOT-ON-AMAZON")["quantity"] == 6
    assert listing(account.id, "NOT-ON-AMAZON").error_code is None


def test_rejected_values_are_sent_again_only_once_they_change(sandbox, account, send):
    # A rule Amazon refuses: euros in the US marketplace.
    db.session.add(ListingRules(account_id=account.id, marketplace_id=US, currency="EUR", exchange_rate=1))
    db.session.commit()
    send(demo_items([1, 2], 5, "20.00"))
    push_and_settle(sandbox, account.id)
    state = listing(account.id, "DEMO-SKU-001")
    assert (state.hold, state.error_code, state.pending) == (Hold.VALUES, "4000001", True)
    push_and_settle(sandbox, account.id)
    assert len(amazon_calls(sandbox, "patchListingsItem")) == 2  # not again

    send(demo_items([1], 5, "21.00"))
    push_and_settle(sandbox, account.id)
    assert len(amazon_calls(sandbox, "patchListingsItem")) == 3  # changed: tried once more


def test_fba_skus_never_get_quantities(sandbox, account, send):
    db.session.add(SkuMapping(account_id=account.id, host_sku="DEMO-SKU-035", seller_sku="DEMO-SKU-035", fba=True))
    db.session.commit()
    send([{"sku": "DEMO-SKU-035", "quantity": 5, "price": "50.00"}, {"sku": "DEMO-SKU-036", "quantity": 5,
                                                                      "price": "60.00"}])
    assert listing(account.id, "DEMO-SKU-035").quantity_pending is False
    push_and_settle(sandbox, account.id)
    # DEMO-SKU-036 is FBA on Amazon without our knowing: Amazon refuses the quantity, so it is learned and the
    # price goes again without it.
    state = listing(account.id, "DEMO-SKU-036")
    assert (state.amazon_fba, state.quantity_pending, state.price_pending, state.hold) == (True, False, True, None)
    push_and_settle(sandbox, account.id)
    assert [on_amazon(sandbox, sku)["price"] for sku in ("DEMO-SKU-035", "DEMO-SKU-036")] == ["50.00", "60.00"]
    assert all(on_amazon(sandbox, sku)["fulfillment_channel"] == "AMAZON_NA"
               for sku in ("DEMO-SKU-035", "DEMO-SKU-036"))
    assert listing(account.id, "DEMO-SKU-036").pending is False


def test_an_expired_account_collects_and_catches_up_after_renewal(sandbox, account, send):
    account.expires_at = clock.utcnow() - timedelta(days=1)
    db.session.commit()
    send(demo_items(range(1, 26), 9, "19.00"))
    send(demo_items([1], 10, "19.00"))
    outcome = push(account.id, "push_now")
    assert "cannot sync" in outcome.reason and not amazon_calls(sandbox, "createFeedDocument")
    assert listing(account.id, "DEMO-SKU-001").desired_quantity == 10

    attempt = AuthorizationAttempt(state_id="renewal", shop_id=account.shop_id, account_id=account.id)
    db.session.add(attempt)
    db.session.commit()
    complete_authorization(attempt, "A1DEMOSELLERNA",
                           sandbox.state.issue_code("A1DEMOSELLERNA", callback_url()))
    # The sweep finds the pending changes once the push queued with them is overdue (in tests queued jobs with a
    # delay never run, like a message lost with its consumer).
    clock.advance(timedelta(minutes=3))
    assert account.id in sweep()["push"]
    advance(sandbox.state)
    check_feeds(account.id, "test", everything=True)
    assert on_amazon(sandbox, "DEMO-SKU-001")["quantity"] == 10
    assert on_amazon(sandbox, "DEMO-SKU-025")["quantity"] == 9


def test_switches_and_auto_submit(sandbox, account, send):
    settings_for(account.id).auto_submit = False
    db.session.commit()
    send(demo_items([1], 3, "19.00"))
    clock.advance(timedelta(seconds=5))
    assert push(account.id, "webhook").reason.startswith("auto-submit is off")
    account.sync_prices = False
    db.session.commit()
    push_and_settle(sandbox, account.id, "push_now")  # Push now sends, without the price
    on_us = on_amazon(sandbox, "DEMO-SKU-001")
    assert on_us["quantity"] == 3 and on_us["price"] != "19.00"
    assert listing(account.id, "DEMO-SKU-001").price_pending is True  # kept for when price sync is switched on
    account.sync_stock = False
    db.session.commit()
    assert "switched off" in push(account.id, "push_now").reason


def test_feeds_wait_for_the_listings_feed_quota_instead_of_hitting_it(sandbox, account, send):
    for round_ in range(1, 7):
        send(demo_items(range(1, 22), round_, "19.00"))
        outcome = push_and_settle(sandbox, account.id)
    assert len(amazon_calls(sandbox, "createFeed")) == 5
    assert all(call.status != 429 for call in sandbox.state.calls())
    assert "5 listings feeds per 5 minutes" in outcome.reason
    assert timedelta(seconds=290) < outcome.wait_until - clock.utcnow() <= timedelta(seconds=303)
    settings = settings_for(account.id)
    assert settings.next_push_at == outcome.wait_until and "feed quota" in settings.waiting_for


def test_a_fatal_feed_applies_nothing_and_is_retried_after_a_pause(sandbox, account, send):
    sandbox.state.feeds.add_fault("fatal")
    send(demo_items(range(1, 26), 4, "19.00"))
    push_and_settle(sandbox, account.id)
    feed = db.session.query(Submission).one()
    assert feed.status == "FATAL" and "Submit the feed again" in feed.problem
    state = listing(account.id, "DEMO-SKU-001")
    assert (state.pending, state.hold, state.submission_id) == (True, None, None)
    clock.advance(timedelta(seconds=5))
    assert push(account.id, "webhook").reason.startswith("waiting after failed submissions")
    push_and_settle(sandbox, account.id)  # Push now does not wait
    assert on_amazon(sandbox, "DEMO-SKU-025")["quantity"] == 4


def test_a_feed_amazon_never_finishes_is_given_up_and_sent_again(sandbox, account, send):
    sandbox.state.feeds.add_fault("stuck", apply_messages=True)
    send(demo_items(range(1, 26), 8, "19.00"))
    push_and_settle(sandbox, account.id)
    assert db.session.query(Submission).one().status == "IN_PROGRESS"
    clock.advance(timedelta(hours=2, minutes=1))
    check_feeds(account.id, "test", everything=True)
    stuck = db.session.query(Submission).one()
    assert stuck.status == "abandoned" and listing(account.id, "DEMO-SKU-001").pending is True
    push_and_settle(sandbox, account.id)
    assert db.session.query(Submission).filter_by(status="DONE").one().accepted == 25


def test_changes_reserved_by_a_push_whose_consumer_died_go_out_with_the_next_push(sandbox, account, send, monkeypatch):
    """Regression: a consumer killed between reserving a feed's changes and Amazon's answer left the submission
    PREPARING and its listings reserved for ever: no later push sent them."""
    from connector.jobs.recovery import recover_stalled_runs
    from connector.stock import submit
    from connector.synclog.runs import stale_after

    send(demo_items(range(1, 31), 7, "30.00"))

    def consumer_killed(*args, **kwargs):
        raise SystemExit("killed")  # nothing after this point runs: no except clause, no commit

    monkeypatch.setattr(submit, "_upload", consumer_killed)
    with pytest.raises(SystemExit):
        push(account.id, "push_now")
    db.session.rollback()
    assert db.session.query(Submission).one().status == "preparing"
    monkeypatch.undo()

    clock.advance(stale_after() + timedelta(seconds=1))
    assert len(recover_stalled_runs()) == 1  # the run is interrupted and its push queued (and run) again
    db.session.expire_all()
    advance(sandbox.state)
    check_feeds(account.id, "test", everything=True)
    assert [on_amazon(sandbox, f"DEMO-SKU-{n:03d}")["quantity"] for n in range(1, 31)] == [7] * 30
    statuses = sorted(s.status for s in db.session.query(Submission))
    assert statuses == ["DONE", "abandoned"]


def test_a_feed_amazon_took_before_its_consumer_died_is_not_overtaken_by_the_changes_sent_again(
        sandbox, account, send, monkeypatch):
    """Regression: a consumer killed after createFeed reached Amazon but before its answer left the feed unknown to
    us. Its changes were sent again at once, and the lost feed, still in Amazon's queue, was processed afterwards
    and put the older quantities back."""
    from connector.amazon.client import SPAPIClient
    from connector.jobs.recovery import recover_stalled_runs
    from connector.synclog.runs import stale_after

    send(demo_items(range(1, 31), 7, "30.00"))
    sandbox.state.feeds.processing_seconds = 600  # the lost feed stays in Amazon's queue past the recovery
    real_call = SPAPIClient.call

    def killed_waiting_for_the_answer(self, operation, *args, **kwargs):
        response = real_call(self, operation, *args, **kwargs)
        if operation == "createFeed":
            raise SystemExit("killed")  # Amazon has the feed; nothing of its answer is stored
        return response

    monkeypatch.setattr(SPAPIClient, "call", killed_waiting_for_the_answer)
    with pytest.raises(SystemExit):
        push(account.id, "push_now")
    db.session.rollback()
    monkeypatch.undo()
    sandbox.state.feeds.processing_seconds = 0
    send(demo_items(range(1, 6), 9, "30.00"))  # newer quantities for five of them

    clock.advance(stale_after() + timedelta(seconds=1))
    assert len(recover_stalled_runs()) == 1  # the run is interrupted and its push runs again
    db.session.expire_all()
    assert len(amazon_calls(sandbox, "createFeed")) == 1  # nothing sent while the lost feed may be processed
    assert settings_for(account.id).waiting_for == "a feed whose answer was lost may still be in Amazon's queue"

    sandbox.state.advance_clock(601)
    advance(sandbox.state)  # Amazon processes the lost feed
    push_and_settle(sandbox, account.id)
    assert [on_amazon(sandbox, f"DEMO-SKU-{n:03d}")["quantity"] for n in range(1, 31)] == [9] * 5 + [7] * 25
    assert sorted(s.status for s in db.session.query(Submission)) == ["DONE", "abandoned"]
    warnings = [e.message for e in db.session.query(LogEntry).filter(LogEntry.message.like("A push of 30 changes%"))]
    assert len(warnings) == 2 and "Amazon may still process that feed" in warnings[0]
