"""Messages from other origins to the admin window: the cart page framing us and a popup that went to another site
post a fake "authorized" message. The admin ignores both (admin.js checks event.origin and event.source) and only
the connector's own result page ends the wait."""
from __future__ import annotations

import re

import pytest

from connector.accounts.models import AmazonAccount
from connector.extensions import db
from connector.shops.launch import launch_url
from connector.shops.operations import create_shop

pytestmark = pytest.mark.browser
FAKE = "{type: 'connector:authorization', outcome: 'connected', accountId: '%d'}"


def test_fake_authorized_messages_from_other_origins_are_ignored(app, live, browser):
    connector, simulator, cart = live
    shop = create_shop("Demo shop", "woocommerce", [cart.origin])
    account = AmazonAccount(shop_id=shop.id, alias="EU main store", region="EU", marketplace_ids=["A1PA6795UKMFR9"])
    db.session.add(account)
    db.session.commit()
    account_id = account.id
    cart.launch_url = launch_url(shop)

    context = browser.new_context()
    page = context.new_page()
    page.goto(cart.origin)
    frame = page.frame_locator("#connector")
    frame.get_by_role("link", name="EU main store").click()
    waiting = frame.locator("[data-popup-waiting]")
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Request / Renew Token").click()
    popup = popup_info.value
    popup.get_by_role("button", name="OK").click()
    popup.wait_for_url(re.compile(re.escape(simulator.url) + r"/seller-central/.*/apps/authorize/consent"))
    waiting.wait_for(state="visible")

    # The framing cart page (another origin) and the popup, now on Seller Central (another origin), both lie.
    page.evaluate("document.getElementById('connector').contentWindow.postMessage(%s, '*')" % (FAKE % account_id))
    popup.evaluate("!!window.opener && (window.opener.postMessage(%s, '*'), true)" % (FAKE % account_id))
    page.wait_for_timeout(1500)
    assert waiting.is_visible(), "a message from another origin ended the wait"
    badge = frame.locator(f'[data-status-for="{account_id}"]')
    assert "Not connected" in badge.inner_text()

    popup.get_by_label("I authorize Cart Connector to access my Amazon selling partner account").check()
    popup.get_by_role("button", name="Confirm").click()
    popup.get_by_text("Connected. You may close this window.").wait_for()
    frame.locator(f'[data-status-for="{account_id}"][data-status-code="connected"]').wait_for(timeout=10000)
    waiting.wait_for(state="hidden", timeout=10000)
    context.close()
