"""Faults around orders: Amazon failing searchOrders or the token endpoint mid-import, and the cart down, slow,
answering 500 or 429, or creating an order and then saying it failed. Orders stay pending, the log says why, the
retries wait, and every order reaches the cart exactly once when the fault clears. (The cart down and the timeout
after creating are in tests/orders/test_order_cart.py.)"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from orderhelpers import connect_account, imported, log_messages, shopify_shop, woo_shop

from connector import clock
from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.models import CartState
from connector.orders.tasks import sweep
from connector.synclog.models import LogEntry, SyncRun

MAX_ATTEMPTS = 5
SLOW_CART_SECONDS = 10  # the slow cart, unscaled


@pytest.fixture
def amazon(sandbox):
    from orderhelpers import Amazon

    sandbox.state.set_clock_speed(0)
    return Amazon(sandbox.state)


@pytest.fixture
def woo():
    from fakeorders import WooCommerceWithOrders

    server = WooCommerceWithOrders()
    server.add_product("SKU-A")
    yield server
    server.stop()


@pytest.fixture
def woo_account(app, amazon, woo):
    return connect_account(woo_shop(woo), amazon.state)


def _last_run(kind: str) -> SyncRun:
    db.session.expire_all()
    return db.session.query(SyncRun).filter_by(kind=kind).order_by(SyncRun.id.desc()).first()


def test_a_search_orders_5xx_burst_fails_the_run_with_the_request_id_and_the_next_import_gets_it_once(
        amazon, woo, woo_account, waits):
    order = amazon.order("SKU-A")
    amazon.settle()
    amazon.state.add_fault("searchOrders", "500", count=MAX_ATTEMPTS)
    enqueue("orders.import", woo_account.id)  # the job fails; the next scheduled import is the retry

    assert len(amazon.calls("searchOrders")) == MAX_ATTEMPTS and len(waits) >= MAX_ATTEMPTS - 1
    assert _last_run("order_import").status == "failed" and order.order_id not in imported(woo_account.id)
    entry = db.session.query(LogEntry).filter_by(level="error", http_status=500).one()
    assert entry.amazon_request_id and entry.amazon_request_id in entry.message
    assert "Order import failed" in entry.message

    enqueue("orders.import", woo_account.id)  # Amazon is back: the next scheduled import
    enqueue("orders.import", woo_account.id)
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED
    assert len(woo.amazon_orders(order.order_id)) == 1


def test_the_token_endpoint_down_mid_import_is_retried_then_recovers(amazon, woo, woo_account, waits):
    order = amazon.order("SKU-A")
    amazon.settle()
    amazon.state.expire_access_tokens()
    amazon.state.add_fault("token", "503", count=2)  # a short blip: the client's retries ride it out
    enqueue("orders.import", woo_account.id)
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED
    assert len(waits) >= 2


def test_a_cart_that_creates_the_order_and_answers_500_gets_no_second_order(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()

    def created_then_failed(created):
        raise RuntimeError("the cart's database timed out after writing the order")

    woo.after_create = created_then_failed
    enqueue("orders.import", woo_account.id)
    waiting = imported(woo_account.id)[order.order_id]
    assert waiting.cart_state == CartState.PENDING and len(woo.amazon_orders(order.order_id)) == 1
    assert "retried automatically" in " ".join(log_messages())

    woo.after_create = None
    clock.advance(timedelta(minutes=2))
    sweep()
    created = imported(woo_account.id)[order.order_id]
    assert created.cart_state == CartState.CREATED and len(woo.orders) == 1
    assert created.cart_order_id == str(woo.amazon_orders(order.order_id)[0]["id"])
    assert any("not created twice" in message for message in log_messages())


def test_shopify_creating_and_answering_500_gets_no_second_order(app, amazon):
    from fakeorders import ShopifyWithOrders

    shopify = ShopifyWithOrders()
    try:
        shopify.add_variant("SKU-A")
        account = connect_account(shopify_shop(shopify), amazon.state)
        order = amazon.order("SKU-A")
        amazon.settle()

        def created_then_failed(created):
            raise RuntimeError("created, then the gateway failed")

        shopify.after_create = created_then_failed
        enqueue("orders.import", account.id)
        assert imported(account.id)[order.order_id].cart_state == CartState.PENDING and len(shopify.orders) == 1

        shopify.after_create = None
        clock.advance(timedelta(minutes=2))
        sweep()
        assert imported(account.id)[order.order_id].cart_state == CartState.CREATED
        assert len(shopify.orders) == 1 and len(shopify.create_calls) == 1
    finally:
        shopify.stop()


def test_a_cart_answering_500_keeps_the_order_pending_and_backs_off(amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    woo.misbehave.status, woo.misbehave.count = 500, 1000
    enqueue("orders.import", woo_account.id)
    first = imported(woo_account.id)[order.order_id]
    assert first.cart_state == CartState.PENDING and first.attempts == 1
    asked = len(woo.requests)

    sweep()  # not due yet: the cart is not asked again
    assert len(woo.requests) == asked
    clock.advance(timedelta(minutes=2))
    sweep()
    second = imported(woo_account.id)[order.order_id]
    assert second.attempts == 2 and second.next_attempt_at - clock.utcnow() >= timedelta(minutes=4)
    entry = db.session.query(LogEntry).filter_by(amazon_order_id=order.order_id, http_status=500).first()
    assert entry is not None and "retried automatically" in entry.message

    woo.misbehave.count = 0
    clock.advance(timedelta(minutes=6))
    sweep()
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED
    assert len(woo.amazon_orders(order.order_id)) == 1


def test_a_cart_429_storm_is_honoured_and_the_order_arrives_once(amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    woo.misbehave.status, woo.misbehave.count, woo.misbehave.retry_after = 429, 1000, "900"
    enqueue("orders.import", woo_account.id)
    waiting = imported(woo_account.id)[order.order_id]
    assert waiting.cart_state == CartState.PENDING
    # The cart asked for 15 minutes: the next attempt is not before that.
    assert waiting.next_attempt_at - clock.utcnow() > timedelta(seconds=895)
    entry = db.session.query(LogEntry).filter_by(amazon_order_id=order.order_id, http_status=429).first()
    assert entry is not None

    woo.misbehave.count = 0
    clock.advance(timedelta(minutes=16))
    sweep()
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED
    assert len(woo.amazon_orders(order.order_id)) == 1


def test_a_slow_cart_within_the_timeout_works_and_one_past_it_waits(app, amazon, woo, woo_account):
    # The 10-second cart, scaled down: answers take 0.4 s against a 1.5 s timeout, then 0.8 s against 0.3 s.
    first, second = amazon.order("SKU-A"), None
    amazon.settle()
    app.config["CART_HTTP_TIMEOUT"] = 1.5
    woo.misbehave.delay = 0.4
    enqueue("orders.import", woo_account.id)
    assert imported(woo_account.id)[first.order_id].cart_state == CartState.CREATED

    second = amazon.order("SKU-A")
    amazon.settle()
    app.config["CART_HTTP_TIMEOUT"] = 0.3
    woo.misbehave.delay = 0.8
    enqueue("orders.import", woo_account.id)
    waiting = imported(woo_account.id)[second.order_id]
    assert waiting.cart_state == CartState.PENDING and "no answer within" in waiting.last_problem

    woo.misbehave.delay = 0
    clock.advance(timedelta(minutes=2))
    sweep()
    assert imported(woo_account.id)[second.order_id].cart_state == CartState.CREATED
    assert len(woo.amazon_orders(first.order_id)) == len(woo.amazon_orders(second.order_id)) == 1


def test_a_cart_ten_seconds_slow_against_the_configured_timeout_creates_the_order_once(app, amazon, woo,
                                                                                       woo_account):
    """The slow cart at full scale: WooCommerce stores the order and answers a real 10 s later. The cart client keeps
    its configured timeout (15 s unless CONNECTOR_CART_HTTP_TIMEOUT says otherwise): longer than the cart,
    the order is created at once; shorter, it waits as pending and the retry finds it by lookup instead of
    creating it again."""
    timeout = app.config["CART_HTTP_TIMEOUT"]
    order = amazon.order("SKU-A")
    amazon.settle()
    woo.after_create = lambda created: time.sleep(SLOW_CART_SECONDS)
    started = time.monotonic()
    enqueue("orders.import", woo_account.id)
    waited = time.monotonic() - started
    woo.after_create = None
    stored = imported(woo_account.id)[order.order_id]
    if timeout > SLOW_CART_SECONDS:
        assert stored.cart_state == CartState.CREATED and waited >= SLOW_CART_SECONDS
        assert stored.cart_order_id == str(woo.amazon_orders(order.order_id)[0]["id"])
    else:
        assert stored.cart_state == CartState.PENDING and f"no answer within {timeout:g}" in stored.last_problem
        clock.advance(timedelta(minutes=2))
        sweep()
        assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED
        assert any("not created twice" in message for message in log_messages())
    assert len(woo.amazon_orders(order.order_id)) == 1 and len(woo.orders) == 1
