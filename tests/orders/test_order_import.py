"""Importing Amazon orders into the cart: which orders, how far back, the cursor, late and pending orders,
cancellations, and the support tools. Amazon is the simulator; the cart is a fake WooCommerce."""
from __future__ import annotations

from datetime import timedelta

from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.amazon_orders import amazon_time
from connector.orders.importing import OVERLAP
from connector.orders.models import CartState, OrderImportState
from connector.orders.settings import request_reimport
from connector.orders.support import import_order_by_id
from orderhelpers import CA, MX, US, imported, log_messages


def test_first_import_reaches_back_seven_days_for_merchant_orders_ready_to_ship(amazon, woo, woo_account):
    now = amazon.now()
    too_old = amazon.order("SKU-A", created=now - timedelta(days=8))
    recent = amazon.order("SKU-A", "SKU-B", quantity=2, created=now - timedelta(days=6), marketplace_id=US)
    canadian = amazon.order("SKU-C", created=now - timedelta(hours=5), marketplace_id=CA)
    amazon.order("SKU-A", status="PENDING", created=now - timedelta(hours=1))
    amazon.order("SKU-A", fulfilled_by="AMAZON", created=now - timedelta(hours=2))
    amazon.order("SKU-A", status="SHIPPED", created=now - timedelta(hours=3))
    amazon.order("SKU-A", status="CANCELLED", created=now - timedelta(hours=4))
    amazon.settle()

    enqueue("orders.import", woo_account.id)

    orders = imported(woo_account.id)
    assert set(orders) == {recent.order_id, canadian.order_id}
    assert too_old.order_id not in orders
    assert all(order.cart_state == CartState.CREATED for order in orders.values())
    created = woo.amazon_orders(recent.order_id)
    assert len(created) == 1 and created[0]["status"] == "processing" and created[0]["currency"] == "USD"
    assert {line["product_id"] for line in created[0]["line_items"]} == {100, 101}
    assert [line["quantity"] for line in created[0]["line_items"]] == [2, 2]
    assert {"key": "amazon_marketplace", "value": US} in created[0]["meta_data"]
    assert created[0]["shipping"]["last_name"] and created[0]["billing"]["email"].endswith("amazon.com")
    assert orders[recent.order_id].cart_order_id == str(created[0]["id"])
    search = amazon.calls("searchOrders")
    assert len(search) == 1 and search[0].status == 200
    state = db.session.get(OrderImportState, woo_account.id)
    assert amazon_time(state.cursor) == amazon_time(amazon.now() - timedelta(minutes=2))
    assert state.last_success_at is not None and state.window_after is None
    assert any(f"Amazon order {recent.order_id} created in WooCommerce order" in m for m in log_messages())


def test_later_imports_overlap_the_cursor_and_catch_late_orders(amazon, woo, woo_account):
    enqueue("orders.import", woo_account.id)
    cursor = db.session.get(OrderImportState, woo_account.id).cursor
    # An order Amazon dates before the cursor but shows only minutes later (eventual consistency).
    late = amazon.order("SKU-A", created=amazon.now() - timedelta(minutes=4),
                        visible_at=amazon.now() + timedelta(minutes=5))
    amazon.advance(minutes=10)
    fresh = amazon.order("SKU-B", marketplace_id=MX)
    amazon.settle()
    assert late.last_updated < cursor

    enqueue("orders.import", woo_account.id)

    assert set(imported(woo_account.id)) == {late.order_id, fresh.order_id}
    searches = amazon.calls("searchOrders")
    assert len(searches) == 2
    state = db.session.get(OrderImportState, woo_account.id)
    assert state.cursor > cursor and len(woo.orders) == 2
    # Running again imports nothing twice.
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    assert len(woo.orders) == 2 and len(imported(woo_account.id)) == 2
    assert OVERLAP >= timedelta(minutes=20)


def test_a_pending_order_is_imported_once_amazon_releases_it(amazon, woo, woo_account):
    pending = amazon.order("SKU-A", status="PENDING")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    assert imported(woo_account.id) == {}

    amazon.world.release(pending.order_id)
    amazon.settle()
    enqueue("orders.import", woo_account.id)

    order = imported(woo_account.id)[pending.order_id]
    assert order.amazon_status == "UNSHIPPED" and order.cart_state == CartState.CREATED
    assert woo.amazon_orders(pending.order_id)[0]["shipping"]["address_1"]


def test_amazon_cancelling_an_imported_order_cancels_it_in_the_cart(amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    assert woo.amazon_orders(order.order_id)[0]["status"] == "processing"

    amazon.world.cancel(order.order_id, reason="Buyer changed their mind")
    amazon.settle()
    enqueue("orders.import", woo_account.id)

    assert woo.amazon_orders(order.order_id)[0]["status"] == "cancelled"
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CANCELLED
    messages = log_messages()
    assert any(f"Amazon cancelled order {order.order_id} (Buyer changed their mind)" in m and "Do not ship it" in m
               for m in messages)
    assert any(f"Amazon cancelled order {order.order_id}; cancelled it in WooCommerce" in m for m in messages)


def test_import_by_amazon_order_id_and_reimport_from_date(amazon, woo, woo_account):
    old = amazon.order("SKU-A", created=amazon.now() - timedelta(days=20))
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    assert imported(woo_account.id) == {}

    assert not import_order_by_id(woo_account, "not-an-id", "support").ok
    assert "does not know" in import_order_by_id(woo_account, "111-0000000-0000000", "support").message
    result = import_order_by_id(woo_account, old.order_id, "support")
    assert result.ok and "imported by support" in result.message
    assert len(woo.amazon_orders(old.order_id)) == 1
    again = import_order_by_id(woo_account, old.order_id, "support")
    assert again.ok and "already imported" in again.message and len(woo.orders) == 1

    older = amazon.order("SKU-B", created=amazon.now() - timedelta(days=25))
    amazon.settle()
    request_reimport(woo_account, amazon.now() - timedelta(days=30), "support")
    enqueue("orders.import", woo_account.id)
    assert set(imported(woo_account.id)) == {old.order_id, older.order_id}
    assert len(woo.orders) == 2
