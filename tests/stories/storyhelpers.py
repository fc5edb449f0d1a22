"""What the story tests share: reading a story page's timeline, and an order imported, shipped and confirmed
through the product."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import hostwebhooks as send
from orderhelpers import imported

from connector.jobs.registry import enqueue
from connector.orders.models import ImportedOrder
from connector.stories.search import sku_url

SHIPPED_AT = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)


def rows(html: str) -> list[tuple[str, str]]:
    """(source, text) of each timeline row, in page order."""
    found = re.findall(r'data-story-source="(\w+)">(.*?)</tr>', html, re.S)
    return [(source, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()) for source, body in found]


def sku_url_in(app, sku: str) -> str:
    with app.test_request_context():
        return sku_url(sku)


def completed_with_tracking(woo, amazon_order_id: str, number: str) -> dict:
    """WooCommerce's order.updated once the shop owner completes the order with Shipment Tracking."""
    created = woo.amazon_orders(amazon_order_id)[0]
    payload = json.loads(send.host_file("woocommerce/order.updated.json"))
    tracking = {"key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": "usps", "custom_tracking_provider": "", "custom_tracking_link": "",
         "tracking_number": number, "date_shipped": str(int(SHIPPED_AT.timestamp())), "tracking_id": "t1"}]}
    payload.update(id=created["id"], number=created["number"], status="completed", line_items=created["line_items"],
                   meta_data=created["meta_data"] + [tracking])
    return payload


def imported_and_shipped(app, amazon, woo, account) -> ImportedOrder:
    """Amazon has an order; the import creates it in the cart; the cart completes it with tracking, which the
    connector confirms to Amazon."""
    order = amazon.order("SKU-A", quantity=2)
    amazon.settle()
    enqueue("orders.import", account.id)
    payload = completed_with_tracking(woo, order.order_id, "9400111899223")
    assert send.woocommerce(app.test_client(), account.shop, "order.updated", payload).status_code == 200
    return imported(account.id)[order.order_id]
