"""Shopify products/update and inventory_levels/update (real payloads, Shopify's HMAC), with the inventory item to
SKU map kept from product webhooks and fetched from the Admin API when a level names an unknown item."""
from __future__ import annotations

import json

import pytest
from fakecarts import FakeShopify
from hostwebhooks import host_file, shopify
from stockhelpers import connect_account, listing, on_amazon, push_and_settle, seed, US

from connector.extensions import db
from connector.stock.models import ItemLookup
from connector.synclog.models import LogEntry

IPODS = ("IPOD2008PINK", "IPOD2008RED", "IPOD2008GREEN", "IPOD2008BLACK")


@pytest.fixture
def fake_shopify():
    server = FakeShopify()
    yield server
    server.stop()


@pytest.fixture
def account(app, sandbox, feeds, shopify_shop, fake_shopify):
    shopify_shop.cart_api_url, shopify_shop.cart_api_secret = fake_shopify.url, fake_shopify.access_token
    db.session.commit()
    seed(sandbox, US, *({"sku": sku, "quantity": 0, "price": "1.00"} for sku in (*IPODS, "NANO-BLUE")))
    return connect_account(sandbox, shopify_shop)


def level(item: int, location: int, available: int, updated_at: str) -> dict:
    body = json.loads(host_file("shopify/inventory_levels_update.json"))
    return dict(body, inventory_item_id=item, location_id=location, available=available, updated_at=updated_at)


def test_products_and_levels_reach_amazon(app, sandbox, shopify_shop, account):
    client = app.test_client()
    response = shopify(client, shopify_shop, "products/update", host_file("shopify/products_update.json"))
    assert response.status_code == 200
    push_and_settle(sandbox, account.id)
    assert [(on_amazon(sandbox, sku)["quantity"], on_amazon(sandbox, sku)["price"]) for sku in IPODS] == [
        (10, "199.00"), (20, "199.00"), (30, "199.00"), (40, "199.00")]

    # The real level payload: item 808950810 (IPOD2008PINK) has 42 at location 655441491.
    shopify(client, shopify_shop, "inventory_levels/update", host_file("shopify/inventory_levels_update.json"))
    # A second location adds to it; an older update of the first location changes nothing.
    shopify(client, shopify_shop, "inventory_levels/update", level(808950810, 1001, 5, "2025-04-02T11:31:00-05:00"))
    shopify(client, shopify_shop, "inventory_levels/update",
            level(808950810, 655441491, 1, "2025-04-02T11:00:00-05:00"))
    assert listing(account.id, "IPOD2008PINK").desired_quantity == 47
    push_and_settle(sandbox, account.id)
    assert on_amazon(sandbox, "IPOD2008PINK")["quantity"] == 47

    # Once levels are known, the product webhook's total no longer overrides them.
    product = json.loads(host_file("shopify/products_update.json"))
    product["variants"][0].update(inventory_quantity=3, updated_at="2025-04-03T09:00:00-05:00")
    shopify(client, shopify_shop, "products/update", product)
    assert listing(account.id, "IPOD2008PINK").desired_quantity == 47


def test_a_level_of_an_unknown_item_waits_for_its_sku_from_the_admin_api(app, sandbox, shopify_shop, account,
                                                                          fake_shopify):
    asked = []
    known = {"gid://shopify/InventoryItem/555": {
        "id": "gid://shopify/InventoryItem/555", "sku": "NANO-BLUE",
        "variant": {"id": "gid://shopify/ProductVariant/77", "price": "149.00", "updatedAt": "2025-04-02T12:00:00Z"}}}

    def nodes(variables):
        asked.append(variables["ids"])
        return [known.get(gid) for gid in variables["ids"]]

    fake_shopify.resolvers["nodes"] = nodes
    client = app.test_client()
    shopify(client, shopify_shop, "inventory_levels/update", level(555, 1, 8, "2025-04-02T12:00:00Z"))
    shopify(client, shopify_shop, "inventory_levels/update", level(556, 1, 2, "2025-04-02T12:00:00Z"))
    assert asked == [["gid://shopify/InventoryItem/555"], ["gid://shopify/InventoryItem/556"]]
    state = listing(account.id, "NANO-BLUE")
    assert (state.desired_quantity, str(state.desired_price)) == (8, "149.00")
    push_and_settle(sandbox, account.id)
    assert on_amazon(sandbox, "NANO-BLUE") | {"updated": None} == {
        "sku": "NANO-BLUE", "product_type": "PRODUCT", "quantity": 8, "price": "149.00", "currency": "USD",
        "fulfillment_channel": "DEFAULT", "updated": None}
    assert db.session.get(ItemLookup, (shopify_shop.id, "556")).status == "not_found"
    shopify(client, shopify_shop, "inventory_levels/update", level(556, 1, 3, "2025-04-02T12:05:00Z"))
    assert db.session.query(LogEntry).filter(LogEntry.message.contains("inventory item 556")).count() == 1
