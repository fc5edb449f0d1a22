"""The stock panel in the embedded admin: Push now through admin.js (fetch with the CSRF header), and the counts
following the push by polling the progress endpoint."""
from __future__ import annotations

import json

import pytest
import requests

from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa
from connector.authorization.operations import callback_url
from connector.clock import utcnow
from connector.extensions import db
from connector.shops.launch import launch_url
from connector.shops.operations import create_shop
from hostwebhooks import standard_headers

pytestmark = pytest.mark.browser


def test_push_now_and_live_counts(app, live, browser):
    connector, simulator, cart = live
    shop = create_shop("Generic shop", "generic", [cart.origin])
    grant = lwa.exchange_code(simulator.state.issue_code("A1DEMOSELLERNA", callback_url()), callback_url())
    account = AmazonAccount(shop_id=shop.id, alias="US main", region="NA", marketplace_ids=["ATVPDKIKX0DER"],
                            selling_partner_id="A1DEMOSELLERNA", refresh_token=grant.refresh_token,
                            authorization_method="website", authorized_at=utcnow(),
                            expires_at=utcnow() + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID)
    db.session.add(account)
    db.session.commit()
    body = json.dumps({"type": "stock.updated", "timestamp": "2026-11-23T10:00:00Z", "data": [
        {"sku": f"DEMO-SKU-00{n}", "quantity": 40 + n} for n in (1, 2, 3)]}).encode()
    answer = requests.post(f"{connector.url}/webhooks/generic/{shop.shop_key}", data=body,
                           headers=standard_headers(shop.webhook_secret, body), timeout=10)
    assert answer.json()["status"] == "accepted"
    cart.launch_url = launch_url(shop)

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(cart.origin)
    frame = page.frame_locator("#connector")
    frame.get_by_role("link", name="US main").click()
    pending = frame.locator('[data-stock-count="pending"]')
    pending.wait_for()
    assert pending.inner_text() == "3"
    frame.get_by_role("button", name="Push now").click()
    frame.locator("[data-stock-message]").get_by_text("Push started").wait_for()
    frame.locator('[data-stock-count="pending"]', has_text="0").wait_for(timeout=10000)
    frame.locator('[data-stock-text="last_push"]', has_text="Sent 3 changes to Amazon.").wait_for(timeout=10000)
    listing = simulator.state.listings.get("A1DEMOSELLERNA", "ATVPDKIKX0DER", "DEMO-SKU-003")
    assert listing["quantity"] == 43
    context.close()
