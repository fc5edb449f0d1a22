"""WooCommerce product webhooks, signed like WooCommerce signs them, until Amazon (the simulator) shows the same."""
from __future__ import annotations

from hostwebhooks import host_file, woocommerce
from stockhelpers import listing, on_amazon, push_and_settle, seed, woo_product, US

from connector.extensions import db
from connector.stock.models import HostItem


def test_the_real_payload_reaches_amazon(app, sandbox, feeds, woo_shop, us_account):
    seed(sandbox, US, {"sku": "WOO-PQ-794", "quantity": 3, "price": "25.00"})
    # The exact bytes WooCommerce sends for the stock-managed sample (PHP's JSON encoding), signed with our secret.
    response = woocommerce(app.test_client(), woo_shop, "product.updated",
                           host_file("woocommerce/product.updated.stock-managed.DERIVED.wire-body.txt"))
    assert response.status_code == 200 and response.json["status"] == "accepted"

    state = listing(us_account.id, "WOO-PQ-794")
    assert (state.desired_quantity, str(state.desired_price), state.pending) == (42, "19.99", True)

    push_and_settle(sandbox, us_account.id)
    assert on_amazon(sandbox, "WOO-PQ-794") | {"updated": None} == {
        "sku": "WOO-PQ-794", "product_type": "PRODUCT", "quantity": 42, "price": "19.99", "currency": "USD",
        "fulfillment_channel": "DEFAULT", "updated": None}
    state = listing(us_account.id, "WOO-PQ-794")
    assert (state.accepted_quantity, str(state.accepted_price), state.pending) == (42, "19.99", False)


def test_the_sample_without_a_sku_is_logged_once(app, woo_shop, us_account):
    client = app.test_client()
    for _ in range(3):
        woocommerce(client, woo_shop, "product.updated", host_file("woocommerce/product.updated.json"))
    from connector.synclog.models import LogEntry
    entries = db.session.query(LogEntry).filter(LogEntry.message.contains("has no SKU")).all()
    assert len(entries) == 1 and "WooCommerce product 794" in entries[0].message
    assert db.session.query(HostItem).count() == 0
