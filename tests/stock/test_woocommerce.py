"""WooCommerce product webhooks, signed like WooCommerce signs them, until Amazon (the simulator) shows the same."""
from __future__ import annotations

import json
from datetime import timedelta

from hostwebhooks import host_file, woocommerce
from stockhelpers import listing, on_amazon, push_and_settle, seed, woo_product, US

from connector import clock
from connector.extensions import db
from connector.stock.models import HostItem
from connector.stock.sweep import sweep
from connector.synclog.models import LogEntry
from helpers import HOSTS_DIR


def test_the_real_delivery_with_its_signature_vector_reaches_amazon(app, sandbox, feeds, woo_shop, us_account):
    example = json.loads((HOSTS_DIR / "woocommerce/delivery.headers.example.json").read_text())
    woo_shop.webhook_secret = example["_test_secret"]
    db.session.commit()
    seed(sandbox, US, {"sku": "WOO-PQ-794", "quantity": 3, "price": "25.00"})
    headers = dict(example["request_headers"], **{"X-WC-Webhook-Delivery-ID": "0f3c2b9e5d1a4c7b8e6f0a1b2c3d4e5f"})
    # The exact bytes WooCommerce sends (PHP's JSON encoding) with the signature WooCommerce computed for them.
    response = app.test_client().post(f"/webhooks/woocommerce/{woo_shop.shop_key}", headers=headers,
                                      data=host_file("woocommerce/product.updated.stock-managed.DERIVED.wire-body.txt"))
    assert response.status_code == 200 and response.json["status"] == "accepted"

    state = listing(us_account.id, "WOO-PQ-794")
    assert (state.desired_quantity, str(state.desired_price), state.pending) == (42, "19.99", True)

    push_and_settle(sandbox, us_account.id)
    assert on_amazon(sandbox, "WOO-PQ-794") | {"updated": None} == {
        "sku": "WOO-PQ-794", "product_type": "PRODUCT", "quantity": 42, "price": "19.99", "currency": "USD",
        "fulfillment_channel": "DEFAULT", "updated": None}
    state = listing(us_account.id, "WOO-PQ-794")
    assert (state.accepted_quantity, str(state.accepted_price), state.pending) == (42, "19.99", False)


def test_a_product_without_sku_is_logged_once(app, woo_shop, us_account):
    client = app.test_client()
    for _ in range(3):
        woocommerce(client, woo_shop, "product.updated", host_file("woocommerce/product.updated.json"))
    entries = db.session.query(LogEntry).filter(LogEntry.message.contains("has no SKU")).all()
    assert len(entries) == 1 and "WooCommerce product 794" in entries[0].message
    assert db.session.query(HostItem).count() == 0


def _variation(product_id: int, sku: str, manage_stock, stock_quantity, modified: str, **fields) -> dict:
    return woo_product(id=product_id, type="variation", parent_id=800, sku=sku, manage_stock=manage_stock,
                       stock_quantity=stock_quantity, date_modified_gmt=modified, regular_price="30.00",
                       sale_price="", **fields)


def test_variable_product_with_several_variations(app, sandbox, feeds, woo_shop, us_account):
    seed(sandbox, US, *({"sku": sku, "quantity": 1, "price": "1.00"} for sku in ("VAR-RED", "VAR-BLUE", "VAR-GREEN")))
    client = app.test_client()
    parent = woo_product(id=800, type="variable", sku="VAR", manage_stock=True, stock_quantity=10,
                         date_modified_gmt="2026-01-01T10:00:00", variations=[801, 802, 803])
    woocommerce(client, woo_shop, "product.updated", parent)
    woocommerce(client, woo_shop, "product.updated", _variation(801, "VAR-RED", "parent", 10, "2026-01-01T10:00:00"))
    woocommerce(client, woo_shop, "product.updated", _variation(802, "VAR-BLUE", True, 4, "2026-01-01T10:00:00"))
    woocommerce(client, woo_shop, "product.updated",
                _variation(803, "VAR-GREEN", False, None, "2026-01-01T10:00:00", stock_status="outofstock"))
    push_and_settle(sandbox, us_account.id)
    assert [on_amazon(sandbox, sku)["quantity"] for sku in ("VAR-RED", "VAR-BLUE", "VAR-GREEN")] == [10, 4, 0]
    assert listing(us_account.id, "VAR") is None  # the variable parent is no listing of its own

    # An order takes 3 from the parent's stock: WooCommerce sends only the parent, its variation follows.
    woocommerce(client, woo_shop, "product.updated",
                dict(parent, stock_quantity=7, date_modified_gmt="2026-01-01T11:00:00"))
    push_and_settle(sandbox, us_account.id)
    assert [on_amazon(sandbox, sku)["quantity"] for sku in ("VAR-RED", "VAR-BLUE", "VAR-GREEN")] == [7, 4, 0]


def test_out_of_order_and_duplicate_deliveries(app, sandbox, feeds, woo_shop, us_account):
    seed(sandbox, US, {"sku": "WOO-PQ-794", "quantity": 3, "price": "25.00"})
    client = app.test_client()
    newer = woo_product(stock_quantity=5, date_modified_gmt="2026-02-01T10:00:05")
    older = woo_product(stock_quantity=9, regular_price="99.00", sale_price="", date_modified_gmt="2026-02-01T10:00:00")
    assert woocommerce(client, woo_shop, "product.updated", newer, delivery_id="d1").json["status"] == "accepted"
    assert woocommerce(client, woo_shop, "product.updated", older, delivery_id="d2").json["status"] == "accepted"
    assert woocommerce(client, woo_shop, "product.updated", newer, delivery_id="d1").json["status"] == "duplicate"
    state = listing(us_account.id, "WOO-PQ-794")
    assert (state.desired_quantity, str(state.desired_price)) == (5, "19.99")

    push_and_settle(sandbox, us_account.id)
    applied = sandbox.state.listings.applications(sku="WOO-PQ-794")
    assert [a.changes for a in applied] == [{"quantity": 5, "price": "19.99"}]  # once, the newest values

    # The same values again (WooCommerce re-saves on every order): nothing is pending, nothing is sent.
    woocommerce(client, woo_shop, "product.updated", dict(newer, date_modified_gmt="2026-02-01T10:00:09"))
    assert listing(us_account.id, "WOO-PQ-794").pending is False


def test_deleted_and_restored_products(app, sandbox, feeds, woo_shop, us_account):
    seed(sandbox, US, {"sku": "WOO-PQ-794", "quantity": 3, "price": "25.00"})
    client = app.test_client()
    woocommerce(client, woo_shop, "product.updated", woo_product(date_modified_gmt="2020-01-01T00:00:00"))
    woocommerce(client, woo_shop, "product.deleted", {"id": 794})
    push_and_settle(sandbox, us_account.id)
    assert on_amazon(sandbox, "WOO-PQ-794")["quantity"] == 0

    restored = woo_product(stock_quantity=6, date_modified_gmt=(clock.utcnow() + timedelta(seconds=5))
                           .strftime("%Y-%m-%dT%H:%M:%S"))
    woocommerce(client, woo_shop, "product.restored", restored)
    push_and_settle(sandbox, us_account.id)
    assert on_amazon(sandbox, "WOO-PQ-794")["quantity"] == 6


def test_a_scheduled_sale_starts_and_ends_on_amazon(app, sandbox, feeds, woo_shop, us_account):
    seed(sandbox, US, {"sku": "WOO-PQ-794", "quantity": 3, "price": "25.00"})
    start, end = clock.utcnow() + timedelta(hours=1), clock.utcnow() + timedelta(hours=3)
    woocommerce(app.test_client(), woo_shop, "product.updated", woo_product(
        regular_price="21.99", sale_price="15.00", date_on_sale_from_gmt=start.strftime("%Y-%m-%dT%H:%M:%S"),
        date_on_sale_to_gmt=end.strftime("%Y-%m-%dT%H:%M:%S"), date_modified_gmt="2026-03-01T00:00:00"))
    push_and_settle(sandbox, us_account.id)
    assert on_amazon(sandbox, "WOO-PQ-794")["price"] == "21.99"

    clock.advance(timedelta(hours=1, minutes=1))
    sweep()
    push_and_settle(sandbox, us_account.id)
    assert on_amazon(sandbox, "WOO-PQ-794")["price"] == "15.00"

    clock.advance(timedelta(hours=2))
    sweep()
    push_and_settle(sandbox, us_account.id)
    assert on_amazon(sandbox, "WOO-PQ-794")["price"] == "21.99"
