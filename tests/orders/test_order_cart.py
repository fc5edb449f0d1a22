"""Creating imported orders in the cart: unknown SKUs held and retried, a cart that is down and comes back,
Shopify's orderCreate, generic carts' signed events, and a cart not set up yet."""
from __future__ import annotations

import time
from datetime import timedelta

from connector import clock
from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.models import CartState, OrderImportSettings
from connector.orders.tasks import sweep
from connector.webhooks.signatures import verify_standard
from orderhelpers import connect_account, imported, log_messages, shopify_shop
from fakehost import FakeHost
from helpers import csrf_from, launch, make_shop


def test_an_unknown_sku_holds_the_order_until_the_product_exists(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A", "NEW-SKU-9")
    amazon.settle()
    enqueue("orders.import", woo_account.id)

    held = imported(woo_account.id)[order.order_id]
    assert held.cart_state == CartState.HELD and woo.orders == {}
    assert "WooCommerce has no product with SKU NEW-SKU-9" in held.last_problem
    assert any("held" in m and "NEW-SKU-9" in m for m in log_messages())
    sweep()  # a held order waits for a person: nothing is retried behind their back
    assert woo.orders == {}

    admin = launch(app.test_client(), woo_account.shop)
    page = admin.get(f"/admin/accounts/{woo_account.id}").get_data(as_text=True)
    assert "NEW-SKU-9" in page and "Retry" in page
    woo.add_product("NEW-SKU-9")
    admin.post(f"/admin/orders/{held.id}/retry", data={"csrf_token": csrf_from(page)})

    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED
    assert len(woo.amazon_orders(order.order_id)) == 1


def test_unknown_skus_can_come_in_as_custom_lines(amazon, woo, woo_account):
    db.session.add(OrderImportSettings(account_id=woo_account.id, unknown_sku_as_custom_line=True))
    db.session.commit()
    order = amazon.order("SKU-A", "NEW-SKU-9")
    amazon.settle()
    enqueue("orders.import", woo_account.id)

    created = woo.amazon_orders(order.order_id)[0]
    assert [line["product_id"] for line in created["line_items"]] == [100]
    assert "NEW-SKU-9" in created["fee_lines"][0]["name"]
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED


def test_a_cart_that_is_down_keeps_the_order_pending_and_gets_it_once_back(amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    woo.misbehave.down = True
    enqueue("orders.import", woo_account.id)

    waiting = imported(woo_account.id)[order.order_id]
    assert waiting.cart_state == CartState.PENDING and waiting.attempts == 1
    assert waiting.next_attempt_at > clock.utcnow() and "could not be reached" in waiting.last_problem
    assert any("retried automatically" in m for m in log_messages())
    sweep()
    assert imported(woo_account.id)[order.order_id].attempts == 1  # not due yet

    woo.misbehave.down = False
    clock.advance(timedelta(minutes=2))
    woo.requests.clear()
    sweep()

    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATED
    assert len(woo.amazon_orders(order.order_id)) == 1
    # It looked for the order first: the failed attempt might have reached the cart.
    assert [(r["method"], r["path"]) for r in woo.requests][:1] == [("GET", "/wp-json/wc/v3/orders")]


def test_a_cart_answering_with_a_timeout_after_creating_gets_no_duplicate(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    app.config["CART_HTTP_TIMEOUT"] = 0.3
    woo.after_create = lambda created: time.sleep(0.6)  # created, then too slow to answer
    enqueue("orders.import", woo_account.id)
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.PENDING
    assert len(woo.amazon_orders(order.order_id)) == 1

    woo.after_create = None
    clock.advance(timedelta(minutes=2))
    sweep()

    created = imported(woo_account.id)[order.order_id]
    assert created.cart_state == CartState.CREATED and len(woo.orders) == 1
    assert created.cart_order_id == str(woo.amazon_orders(order.order_id)[0]["id"])
    assert any("already in WooCommerce" in m and "not created twice" in m for m in log_messages())


def test_shopify_orders_decrement_stock_and_carry_the_amazon_order_id(app, amazon, shopify):
    account = connect_account(shopify_shop(shopify), amazon.state)
    order = amazon.order("SKU-A", "SKU-B", quantity=2)
    amazon.settle()
    enqueue("orders.import", account.id)

    created = imported(account.id)[order.order_id]
    assert created.cart_state == CartState.CREATED and created.cart_order_number == "#1001"
    call = shopify.create_calls[0]
    assert call["options"]["inventoryBehaviour"] == "DECREMENT_OBEYING_POLICY"
    assert call["order"]["sourceIdentifier"] == order.order_id
    assert f"amazon-{order.order_id}" in call["order"]["tags"]
    assert [line["variantId"] for line in call["order"]["lineItems"]] == [shopify.variants["SKU-A"],
                                                                          shopify.variants["SKU-B"]]
    assert call["order"]["lineItems"][0]["priceSet"]["shopMoney"]["currencyCode"] == "USD"
    assert sorted(created.cart_lines.values()) == sorted(item.order_item_id for item in order.items)

    amazon.world.cancel(order.order_id)
    amazon.settle()
    enqueue("orders.import", account.id)
    assert next(iter(shopify.orders.values()))["cancelled"] is True


def test_shopify_finds_an_order_an_unanswered_attempt_created(app, amazon, shopify):
    account = connect_account(shopify_shop(shopify), amazon.state)
    order = amazon.order("SKU-A")
    amazon.settle()
    shopify.answer_with_errors.append([{"message": "Throttled", "extensions": {"code": "THROTTLED"}}])
    enqueue("orders.import", account.id)  # refused before creating anything: retried later
    assert imported(account.id)[order.order_id].cart_state == CartState.PENDING and shopify.orders == {}

    app.config["CART_HTTP_TIMEOUT"] = 0.3
    shopify.after_create = lambda created: time.sleep(0.6)
    clock.advance(timedelta(minutes=2))
    sweep()  # created, but the answer never came
    assert imported(account.id)[order.order_id].cart_state == CartState.PENDING and len(shopify.orders) == 1

    shopify.after_create = None
    clock.advance(timedelta(minutes=6))
    sweep()
    assert imported(account.id)[order.order_id].cart_state == CartState.CREATED
    assert len(shopify.orders) == 1 and len(shopify.create_calls) == 1


def test_generic_carts_get_signed_events_with_a_stable_id(app, amazon):
    host = FakeHost()
    shop = make_shop(host="generic", notification_url=f"{host.url}/amazon")
    account = connect_account(shop, amazon.state)
    order = amazon.order("SKU-A")
    amazon.settle()
    host.fail_with = 503
    enqueue("orders.import", account.id)
    assert imported(account.id)[order.order_id].cart_state == CartState.PENDING

    host.fail_with = None
    clock.advance(timedelta(minutes=2))
    sweep()
    amazon.world.cancel(order.order_id)
    amazon.settle()
    enqueue("orders.import", account.id)

    created = [r for r in host.requests if r["json"]["type"] == "amazon.order.created"]
    assert len(created) == 2  # refused once, then accepted
    ids = {r["headers"]["webhook-id"] for r in created}
    assert ids == {f"amazon-order-{order.order_id}-created"}
    headers = {key.lower(): value for key, value in created[-1]["headers"].items()}
    assert verify_standard(shop.webhook_secret, created[-1]["body"], headers).delivery_id in ids
    data = created[-1]["json"]["data"]
    assert data["amazon_order_id"] == order.order_id and data["items"][0]["sku"] == "SKU-A"
    cancelled = [r for r in host.requests if r["json"]["type"] == "amazon.order.cancelled"]
    assert len(cancelled) == 1 and cancelled[0]["json"]["data"]["amazon_order_id"] == order.order_id
    assert imported(account.id)[order.order_id].cart_state == CartState.CANCELLED
    host.stop()


def test_a_cart_not_set_up_yet_keeps_orders_waiting_with_a_clear_message(app, amazon):
    account = connect_account(make_shop(), amazon.state)
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", account.id)
    waiting = imported(account.id)[order.order_id]
    assert waiting.cart_state == CartState.PENDING and "Settings page" in waiting.last_problem
    assert any("wait for the cart connection" in m for m in log_messages())
