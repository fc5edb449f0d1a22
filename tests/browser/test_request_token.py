"""A shop owner, inside the cart admin's iframe, clicks Request / Renew Token and ends up connected."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from connector import clock
from connector.accounts.models import AmazonAccount
from connector.extensions import db
from connector.shops.launch import launch_url
from connector.shops.operations import create_shop

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.browser


def test_request_token_in_the_embedded_admin(app, live, browser):
    connector, simulator, cart = live
    shop = create_shop("Demo shop", "woocommerce", [cart.origin])
    account = AmazonAccount(shop_id=shop.id, alias="EU main store", region="EU",
                            marketplace_ids=["A1PA6795UKMFR9", "A13V1IB3VIYZZH"])
    db.session.add(account)
    db.session.commit()
    account_id = account.id
    cart.launch_url = launch_url(shop)

    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(cart.origin)
    frame = page.frame_locator("#connector")
    frame.get_by_role("link", name="EU main store").click()
    badge = frame.locator(f'[data-status-for="{account_id}"]')
    badge.wait_for()
    assert "Not connected" in badge.inner_text()

    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Request / Renew Token").click()
    popup = popup_info.value
    popup.get_by_text("Authorize Cart Connector for Amazon?").wait_for()
    popup.get_by_role("button", name="OK").click()

    popup.wait_for_url(re.compile(re.escape(simulator.url) + r"/seller-central/.*/apps/authorize/consent"))
    popup.get_by_label("I authorize Cart Connector to access my Amazon selling partner account").check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    popup.screenshot(path=str(SCREENSHOTS / "seller-central-consent.png"))
    popup.get_by_role("button", name="Confirm").click()
    popup.get_by_text("Connected. You may close this window.").wait_for()
    popup.screenshot(path=str(SCREENSHOTS / "popup-connected.png"))

    expected = (clock.utcnow() + timedelta(days=365)).strftime("%Y-%m-%d")
    frame.locator(f'[data-status-for="{account_id}"][data-status-code="connected"]').wait_for(timeout=10000)
    words = badge.inner_text()
    assert f"expires on {expected}, in 365 days" in words
    assert frame.locator('[data-field="expires_at"]').inner_text() == expected
    assert frame.locator('[data-field="authorized_at"]').inner_text().startswith(clock.utcnow().strftime("%Y-%m-%d"))
    page.screenshot(path=str(SCREENSHOTS / "account-connected.png"))
    db.session.expire_all()
    assert db.session.get(AmazonAccount, account_id).selling_partner_id == "A2DEMOSELLEREU"
    context.close()


def test_blocked_popup_is_explained(app, live, browser):
    connector, simulator, cart = live
    shop = create_shop("Demo shop", "woocommerce", [cart.origin])
    account = AmazonAccount(shop_id=shop.id, alias="NA store", region="NA", marketplace_ids=["ATVPDKIKX0DER"])
    db.session.add(account)
    db.session.commit()
    cart.launch_url = launch_url(shop)
    context = browser.new_context()
    # What a pop-up blocker does: window.open returns null.
    context.add_init_script("window.open = function () { return null; };")
    page = context.new_page()
    page.goto(cart.origin)
    frame = page.frame_locator("#connector")
    frame.get_by_role("link", name="NA store").click()
    frame.get_by_role("button", name="Request / Renew Token").click()
    notice = frame.locator("[data-popup-blocked]")
    notice.wait_for(state="visible")
    assert "Allow pop-ups for this site" in notice.inner_text()
    context.close()
