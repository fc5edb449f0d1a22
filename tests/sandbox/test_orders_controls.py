"""The order book's controls: explicit orders, bulk and live generation, order changes, and reading orders with
the shipment confirmations Amazon received."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import requests

from connector.sandbox.orders.catalog import DEMO_SKUS
from connector.sandbox.orders.factory import OrderMix
from connector.sandbox.settings import SandboxSettings
from connector.sandbox.state import SandboxState
from orders_support import CA, MX, OTHER_SELLER, SELLER, US, amazon, iso  # noqa: F401


def test_create_an_exact_order_over_http(amazon):
    created = amazon.now() - timedelta(hours=2)
    answer = requests.post(f"{amazon.url}/_sim/orders", timeout=5, json={
        "selling_partner_id": SELLER, "marketplace_id": MX, "status": "PENDING", "order_id": "701-1234567-7654321",
        "items": [{"sku": "CART-KNOWN-1", "quantity": 2, "unit_price": "199.5", "title": "Mug"},
                  {"sku": "NOT-IN-CART"}],
        "created_time": iso(created), "release_time": iso(created + timedelta(hours=1)),
        "visible_time": iso(created + timedelta(minutes=15))})
    assert answer.status_code == 201, answer.text
    view = answer.json()
    order = view["order"]
    assert order["orderId"] == "701-1234567-7654321" and order["createdTime"] == iso(created)
    assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"  # released an hour after it was placed
    assert order["lastUpdatedTime"] == iso(created + timedelta(hours=1))
    assert view["visible_at"] == iso(created + timedelta(minutes=15)) and view["scheduled"] == []
    first, second = order["orderItems"]
    assert (first["product"]["sellerSku"], first["quantityOrdered"], first["product"]["title"]) == (
        "CART-KNOWN-1", 2, "Mug")
    assert first["product"]["price"]["unitPrice"] == {"amount": "199.50", "currencyCode": "MXN"}
    assert second["product"]["sellerSku"] == "NOT-IN-CART" and second["product"]["asin"].startswith("B0")

    listed = requests.get(f"{amazon.url}/_sim/orders", params={"selling_partner_id": SELLER}, timeout=5).json()
    assert [(o["orderId"], o["skus"]) for o in listed] == [("701-1234567-7654321", ["CART-KNOWN-1", "NOT-IN-CART"])]


def test_controls_refuse_what_cannot_be(amazon):
    url = f"{amazon.url}/_sim/orders"
    for body, message in [
        ({"selling_partner_id": "A0NOBODY"}, "unknown seller"),
        ({"selling_partner_id": SELLER, "marketplace_id": "A1PA6795UKMFR9"}, "does not sell in marketplace"),
        ({"selling_partner_id": SELLER, "status": "SHIPPING"}, "status must be"),
        ({"selling_partner_id": SELLER, "created_time": iso(amazon.now() + timedelta(days=1))}, "<= now"),
        ({"selling_partner_id": SELLER, "items": [{"quantity": 1}]}, "with a sku"),
        ({"selling_partner_id": SELLER, "order_id": "12345"}, "3-7-7"),
    ]:
        refused = requests.post(url, json=body, timeout=5)
        assert refused.status_code == 400 and message in refused.json()["error"], (body, refused.text)
    assert requests.get(f"{url}/111-0000000-0000000", timeout=5).status_code == 404
    shipped = requests.post(url, json={"selling_partner_id": SELLER, "status": "SHIPPED"}, timeout=5).json()
    again = requests.post(f"{url}/{shipped['order']['orderId']}/cancel", timeout=5)
    assert again.status_code == 409 and "only PENDING or UNSHIPPED" in again.json()["error"]
    bad_mix = requests.post(f"{url}/generate", timeout=5,
                            json={"selling_partner_id": SELLER, "count": 5, "mix": {"late": 2}})
    assert bad_mix.status_code == 400 and "between 0 and 1" in bad_mix.json()["error"]


def test_order_changes_over_http(amazon):
    url = f"{amazon.url}/_sim/orders"
    pending = requests.post(url, json={"selling_partner_id": SELLER, "status": "PENDING"}, timeout=5).json()
    order_id = pending["order"]["orderId"]
    assert "recipient" not in pending["order"]
    amazon.advance(minutes=7)
    released = requests.post(f"{url}/{order_id}/release", timeout=5).json()["order"]
    assert released["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED" and "recipient" in released
    amazon.advance(minutes=7)
    shipped = requests.post(f"{url}/{order_id}/ship-elsewhere", json={"carrier": "DHL", "tracking_number": "JD01"},
                            timeout=5).json()
    assert shipped["order"]["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert shipped["order"]["packages"][0]["carrier"] == "DHL" and shipped["confirmations"] == []
    assert shipped["order"]["lastUpdatedTime"] == iso(amazon.now())


def test_ten_thousand_orders_over_a_week_in_three_marketplaces(amazon):
    now = amazon.now()
    made = amazon.world.generate(SELLER, 10_000, 7, seed=42)
    assert len({order.order_id for order in made}) == 10_000
    assert Counter(order.marketplace_id for order in made).keys() == {US, CA, MX}
    assert all(now - timedelta(days=7) <= order.created <= order.last_updated <= now for order in made)
    statuses = Counter(order.status for order in made)
    assert statuses["UNSHIPPED"] > 7000 and statuses["CANCELLED"] > 100 and statuses["PENDING"] > 0
    assert 500 < sum(order.fulfilled_by == "AMAZON" for order in made) < 1500
    assert statuses["SHIPPED"] == sum(order.fulfilled_by == "AMAZON" and order.status == "SHIPPED" for order in made)
    assert sum(len(order.items) > 1 for order in made) > 2000
    assert sum(order.visible_at > order.last_updated for order in made) > 0
    assert {item.sku for order in made for item in order.items} <= set(DEMO_SKUS)

    over_http = requests.post(f"{amazon.url}/_sim/orders/generate", timeout=30, json={
        "selling_partner_id": OTHER_SELLER, "count": 50, "days": 1, "skus": ["ONLY-ONE"], "seed": 1,
        "mix": {"pending": 0, "late": 0, "amazon_fulfilled": 0, "cancel_unshipped": 0}})
    assert over_http.status_code == 201 and over_http.json()["created"] == 50
    others = amazon.world.seller_orders(OTHER_SELLER)
    assert {(o.status, o.fulfilled_by, o.items[0].sku) for o in others} == {("UNSHIPPED", "MERCHANT", "ONLY-ONE")}


def test_a_live_generator_places_orders_as_simulated_time_passes(amazon):
    started = amazon.now()
    answer = requests.post(f"{amazon.url}/_sim/orders/live", timeout=5, json={
        "selling_partner_id": SELLER, "orders_per_hour": 30, "seed": 5, "marketplace_ids": [US, CA],
        "skus": ["LIVE-1", "LIVE-2"], "mix": {"pending": 1, "cancel_pending": 0, "late": 0}})
    assert answer.status_code == 201 and answer.json()["orders_per_hour"] == 30
    assert amazon.world.seller_orders(SELLER) == []
    amazon.advance(hours=4)
    placed = amazon.world.seller_orders(SELLER)
    assert 60 <= len(placed) <= 200
    assert all(started <= order.created <= amazon.now() for order in placed)
    assert {order.marketplace_id for order in placed} == {US, CA}
    released = [order for order in placed if order.fulfilled_by == "MERCHANT" and order.status == "UNSHIPPED"]
    assert released and all(order.last_updated > order.created for order in released)
    amazon.advance(hours=1)
    [running] = requests.get(f"{amazon.url}/_sim/orders/live", timeout=5).json()
    assert running["selling_partner_id"] == SELLER and running["next_order_at"] > iso(amazon.now())

    placed = amazon.world.seller_orders(SELLER)
    assert requests.delete(f"{amazon.url}/_sim/orders/live/{SELLER}", timeout=5).json() == {"stopped": True}
    amazon.advance(hours=4)
    assert len(amazon.world.seller_orders(SELLER)) == len(placed)
    assert requests.delete(f"{amazon.url}/_sim/orders/live/{SELLER}", timeout=5).status_code == 404


def test_live_orders_reach_search_orders(amazon):
    amazon.world.start_live(SELLER, 60, seed=9, mix=OrderMix(pending=0, late=0))
    started = amazon.now()
    amazon.advance(hours=1)
    found = amazon.search_ok(createdAfter=iso(started))
    assert len(found["orders"]) == len([o for o in amazon.world.seller_orders(SELLER)
                                        if o.created <= amazon.now() - timedelta(minutes=2)]) > 30


def test_the_demo_seller_gets_a_modest_live_generator_when_asked():
    settings = SandboxSettings.for_tests()
    settings.demo_orders = True
    state = SandboxState(settings)
    [generator] = state.orders.live_generators()
    assert generator.seller_id == SELLER and generator.orders_per_hour <= 6
    assert generator.skus == DEMO_SKUS == tuple(f"DEMO-SKU-{n:03d}" for n in range(1, 41))
    state.advance_clock(24 * 3600)
    assert 30 <= len(state.orders.seller_orders(SELLER)) <= 200
    state.reset()
    assert state.orders.seller_orders(SELLER) == [] and len(state.orders.live_generators()) == 1
    assert SandboxState(SandboxSettings.for_tests()).orders.live_generators() == []


def test_reset_forgets_orders_generators_and_confirmations(amazon):
    amazon.world.generate(SELLER, 20, 1, seed=2)
    amazon.world.start_live(SELLER, 10)
    assert requests.post(f"{amazon.url}/_sim/reset", timeout=5).status_code == 200
    assert amazon.world.seller_orders(SELLER) == [] and amazon.world.live_generators() == []
    assert requests.get(f"{amazon.url}/_sim/confirmations", timeout=5).json() == []
