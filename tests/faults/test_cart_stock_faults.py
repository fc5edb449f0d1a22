"""The cart misbehaving on the stock side: Shopify's Admin API down or throttling when an inventory level names an
item whose SKU we do not know yet. The level is kept, the log says so, the lookup waits longer each time, and the
stock reaches Amazon once the cart answers."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fakecarts import FakeShopify
from hostwebhooks import host_file, shopify
from stockhelpers import US, connect_account, on_amazon, push_and_settle, seed

from connector import clock
from connector.extensions import db
from connector.stock.models import ItemLookup
from connector.stock.sweep import sweep
from connector.synclog.models import LogEntry
from helpers import make_shop

ITEM = {"id": "gid://shopify/InventoryItem/555", "sku": "NANO-BLUE",
        "variant": {"id": "gid://shopify/ProductVariant/77", "price": "149.00", "updatedAt": "2025-04-02T12:00:00Z"}}


@pytest.fixture
def fake_shopify():
    server = FakeShopify()
    server.resolvers["nodes"] = lambda variables: [ITEM if gid == ITEM["id"] else None for gid in variables["ids"]]
    yield server
    server.stop()


@pytest.fixture
def shop(app, fake_shopify):
    shop = make_shop("Shopify shop", "shopify", "https://admin.shopify.com")
    shop.cart_api_url, shop.cart_api_secret = fake_shopify.url, fake_shopify.access_token
    db.session.commit()
    return shop


def _level(available: int) -> dict:
    body = json.loads(host_file("shopify/inventory_levels_update.json"))
    return dict(body, inventory_item_id=555, location_id=1, available=available, updated_at="2025-04-02T12:00:00Z")


@pytest.mark.parametrize("trouble", ["down", "throttled"])
def test_an_unreachable_admin_api_keeps_the_level_and_looks_again_later(app, sandbox, feeds, shop, fake_shopify,
                                                                       trouble):
    seed(sandbox, US, {"sku": "NANO-BLUE", "quantity": 0, "price": "1.00"})
    account = connect_account(sandbox, shop)
    if trouble == "down":
        fake_shopify.misbehave.down = True
    else:
        fake_shopify.misbehave.status, fake_shopify.misbehave.count = 429, 1000
        fake_shopify.misbehave.retry_after = "60"  # longer than a request may wait: the lookup's own backoff
    shopify(app.test_client(), shop, "inventory_levels/update", _level(8))

    lookup = db.session.get(ItemLookup, (shop.id, "555"))
    assert (lookup.status, lookup.attempts) == ("pending", 1)
    assert lookup.next_attempt_at - clock.utcnow() >= timedelta(seconds=55)
    warning = db.session.query(LogEntry).filter(LogEntry.message.contains("Could not ask Shopify")).one()
    assert warning.level == "warning" and "kept" in warning.message
    asked = len(fake_shopify.requests)
    sweep()  # not due yet: Shopify is not asked again
    assert len(fake_shopify.requests) == asked

    fake_shopify.misbehave.down, fake_shopify.misbehave.count = False, 0
    clock.advance(timedelta(minutes=2))
    sweep()
    db.session.expire_all()
    assert db.session.get(ItemLookup, (shop.id, "555")) is None or \
        db.session.get(ItemLookup, (shop.id, "555")).status != "pending"
    push_and_settle(sandbox, account.id)
    assert on_amazon(sandbox, "NANO-BLUE")["quantity"] == 8
