"""An order's story, built through the product: Amazon has an order, the import stores it and creates it in the
(fake) WooCommerce cart, the shop owner completes it with tracking, the connector confirms the shipment to the
simulated Amazon; the page shows each step in time order with the cart order ID, the webhook and the request ID."""
from __future__ import annotations

import orderhelpers
from helpers import launch
from orderhelpers import imported
from storyhelpers import imported_and_shipped, rows

from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.models import Shipment
from connector.synclog.models import SyncRun


def test_an_imported_shipped_and_confirmed_order_reads_in_order(app, amazon, woo, woo_account, order_admin):
    stored = imported_and_shipped(app, amazon, woo, woo_account)
    shipment = db.session.query(Shipment).one()
    assert shipment.state == "confirmed"
    run = db.session.query(SyncRun).filter_by(kind="order_import").first()

    page = order_admin.get(f"/admin/stories/order/{stored.amazon_order_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    timeline = rows(html)
    titles = [text for _, text in timeline]
    step = {name: next(i for i, text in enumerate(titles) if name in text) for name in (
        "Imported from Amazon", "Created in the cart", "Shipped in the cart", "Amazon confirmed the shipment")}
    assert step["Imported from Amazon"] < step["Created in the cart"] < step["Shipped in the cart"] \
        < step["Amazon confirmed the shipment"]
    assert f"/admin/runs/{run.id}" in html  # the import run
    assert f"/admin/webhooks/{shipment.webhook_delivery_id}" in html  # the cart's webhook that shipped it
    assert shipment.amazon_request_id and shipment.amazon_request_id in titles[step["Amazon confirmed the shipment"]]
    assert "usps 9400111899223" in titles[step["Shipped in the cart"]]
    assert f"In the cart as order {stored.cart_order_number}; 1 of 1 shipment(s) confirmed on Amazon (Amazon " \
           "status SHIPPED)." in html
    assert any(f"Amazon confirmed the shipment of order {stored.amazon_order_id}" in text for text in titles)

    # From the cart's order ID, and from the orders list and the log.
    to_story = order_admin.get(f"/admin/stories/cart-order/{stored.cart_order_id}")
    assert to_story.status_code == 302
    assert to_story.headers["Location"].endswith(f"/admin/stories/order/{stored.amazon_order_id}")
    listing = order_admin.get("/admin/orders").get_data(as_text=True)
    assert f'href="/admin/stories/order/{stored.amazon_order_id}"' in listing
    log = order_admin.get("/admin/log").get_data(as_text=True)
    assert f'href="/admin/stories/order/{stored.amazon_order_id}"' in log
    assert f'href="/admin/stories/cart-order/{stored.cart_order_id}"' in log


def test_search_box_goes_to_the_order_by_amazon_or_cart_id(app, amazon, woo, woo_account, order_admin):
    stored = imported_and_shipped(app, amazon, woo, woo_account)
    story = f"/admin/stories/order/{stored.amazon_order_id}"
    for typed in (stored.amazon_order_id, f" {stored.amazon_order_id} ", stored.cart_order_id):
        found = order_admin.get("/admin/stories/find", query_string={"q": typed})
        assert found.status_code == 302 and found.headers["Location"].endswith(story), typed
    prefix = order_admin.get("/admin/stories/find", query_string={"q": stored.amazon_order_id[:7]})
    assert prefix.status_code == 200
    html = prefix.get_data(as_text=True)
    assert "Nothing found for" in html and f'href="{story}"' in html  # suggested


def test_a_cancelled_shopify_order_found_by_its_cart_number(app, amazon, shopify_orders):
    account = orderhelpers.connect_account(orderhelpers.shopify_shop(shopify_orders), amazon.state)
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", account.id)
    amazon.world.cancel(order.order_id)
    amazon.settle()
    enqueue("orders.import", account.id)
    stored = imported(account.id)[order.order_id]
    assert stored.cart_state == "cancelled" and stored.cart_order_number == "#1001"

    admin = launch(app.test_client(), account.shop)
    story = f"/admin/stories/order/{order.order_id}"
    for typed in ("#1001", "1001", stored.cart_order_id):
        found = admin.get("/admin/stories/find", query_string={"q": typed})
        assert found.status_code == 302 and found.headers["Location"].endswith(story), typed
    timeline = [text for _, text in rows(admin.get(story).get_data(as_text=True))]
    created = next(i for i, text in enumerate(timeline) if "Created in the cart" in text)
    cancelled = next(i for i, text in enumerate(timeline) if f"Amazon cancelled order {order.order_id}" in text)
    done = next(i for i, text in enumerate(timeline) if "cancelled it in Shopify" in text)
    assert created < cancelled < done


def test_an_order_held_for_an_unknown_sku_and_that_skus_story_link_each_other(app, amazon, woo, woo_account,
                                                                               order_admin):
    order = amazon.order("SKU-UNKNOWN-IN-CART")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    assert imported(woo_account.id)[order.order_id].cart_state == "held"

    story = order_admin.get(f"/admin/stories/order/{order.order_id}").get_data(as_text=True)
    assert "Needs attention" in story
    assert 'href="/admin/stories/sku/SKU-UNKNOWN-IN-CART"' in story  # the ordered item and the log entry
    sku_story = order_admin.get("/admin/stories/sku/SKU-UNKNOWN-IN-CART")
    assert sku_story.status_code == 200  # known from the log alone
    assert f'href="/admin/stories/order/{order.order_id}"' in sku_story.get_data(as_text=True)
