"""The daily re-check: Amazon's view of every open imported order, brought into the cart; and the orders left
unconfirmed five days past their ship-by date."""
from __future__ import annotations

from datetime import timedelta

import hostwebhooks as send
from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.models import CartState, OrderImportState, Shipment
from connector.orders.support import import_order_by_id
from orderhelpers import imported, log_messages
from helpers import launch


def test_the_recheck_brings_orders_shipped_or_cancelled_elsewhere_into_the_cart(app, amazon, woo, woo_account):
    shipped, cancelled, untouched = (amazon.order("SKU-A") for _ in range(3))
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    amazon.world.ship_elsewhere(shipped.order_id, carrier="UPS", tracking_number="1Z999")
    amazon.world.cancel(cancelled.order_id)
    amazon.settle()

    enqueue("orders.recheck", woo_account.id)

    orders = imported(woo_account.id)
    assert orders[shipped.order_id].cart_state == CartState.COMPLETED
    assert orders[cancelled.order_id].cart_state == CartState.CANCELLED
    assert orders[untouched.order_id].cart_state == CartState.CREATED
    completed = woo.amazon_orders(shipped.order_id)[0]
    assert completed["status"] == "completed"
    assert woo.amazon_orders(cancelled.order_id)[0]["status"] == "cancelled"
    assert len(amazon.calls("getOrder")) == 3 and all(o.rechecked_at for o in orders.values())
    assert db.session.get(OrderImportState, woo_account.id).recheck_finished_at is not None
    assert any("Daily re-check" in m and "3 open order(s)" in m for m in log_messages())

    # WooCommerce now reports the completion it was told about: nothing is left to confirm to Amazon.
    send.woocommerce(app.test_client(), woo_account.shop, "order.updated", completed)
    assert db.session.scalars(db.select(Shipment)).all() == []

    enqueue("orders.recheck", woo_account.id)  # the next day: only the open order is asked about again
    assert len(amazon.calls("getOrder")) == 4


def test_orders_five_days_past_ship_by_are_flagged(app, amazon, woo, woo_account):
    late = amazon.order("SKU-A", created=amazon.now() - timedelta(days=9))
    on_time = amazon.order("SKU-B", created=amazon.now() - timedelta(days=1))
    amazon.settle()
    for order in (late, on_time):
        assert import_order_by_id(woo_account, order.order_id, "support").ok

    enqueue("orders.recheck", woo_account.id)

    warnings = [m for m in log_messages() if "past its ship-by date" in m]
    assert len(warnings) == 1 and late.order_id in warnings[0] and "7 days" in warnings[0]
    page = launch(app.test_client(), woo_account.shop).get(f"/admin/accounts/{woo_account.id}")
    flagged = page.get_data(as_text=True).split("data-flagged-orders", 1)[1].split("</ul>", 1)[0]
    assert late.order_id in flagged and on_time.order_id not in flagged
    assert imported(woo_account.id)[late.order_id].ship_by < amazon.now() - timedelta(days=5)
