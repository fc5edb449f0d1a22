"""The orders panel in the embedded admin: Import now, the progress bar while the import waits for Amazon's
quota, and the last successful import once it is done."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa
from connector.amazon.models import RateLimitBucket
from connector.clock import utcnow
from connector.extensions import db
from connector.orders.tasks import import_job
from connector.sandbox.orders import ItemSpec
from connector.shops.launch import launch_url
from connector.shops.operations import create_shop

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SELLER = "A1DEMOSELLERNA"
pytestmark = pytest.mark.browser


def test_import_now_shows_progress_while_waiting_for_quota_then_the_last_import(app, live, browser):
    connector, simulator, cart = live
    shop = create_shop("Demo shop", "generic", [cart.origin], notification_url=f"{connector.url}/healthz")
    callback = f"{app.config['PUBLIC_URL']}/amazon/authorize/callback"
    grant = lwa.exchange_code(simulator.state.issue_code(SELLER, callback), callback)
    account = AmazonAccount(shop_id=shop.id, alias="US store", region="NA", marketplace_ids=["ATVPDKIKX0DER"],
                            selling_partner_id=SELLER, refresh_token=grant.refresh_token, authorized_at=utcnow(),
                            expires_at=utcnow() + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID)
    db.session.add(account)
    # Another consumer just used the last searchOrders slot: the import has to wait for the next one.
    db.session.add(RateLimitBucket(key=f"{SELLER}:searchOrders", tokens=-0.2, updated_at=time.time()))
    db.session.commit()
    account_id = account.id
    simulator.state.orders.create(SELLER, [ItemSpec("SKU-A")], created=simulator.state.now() - timedelta(minutes=10))
    cart.launch_url = launch_url(shop)

    context = browser.new_context(viewport={"width": 1100, "height": 1200})
    page = context.new_page()
    page.goto(cart.origin)
    frame = page.frame_locator("#connector")
    frame.get_by_role("link", name="US store").click()
    panel = frame.locator("[data-orders-panel]")
    panel.get_by_text("No successful import yet").wait_for()
    assert not panel.locator("[data-import-progress-box]").is_visible()

    panel.get_by_role("button", name="Import now").click()
    message = panel.locator("[data-import-message]")
    message.get_by_text("Waiting for Amazon's order search quota").wait_for(timeout=10000)
    assert panel.locator("[data-import-progress]").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "orders-panel-importing.png"))

    db.session.query(RateLimitBucket).delete()
    db.session.commit()
    import_job(account_id)  # what the queued continuation does once the slot is free
    panel.locator("[data-last-import]").get_by_text("UTC").wait_for(timeout=10000)
    panel.locator("[data-import-progress-box]").wait_for(state="hidden", timeout=10000)
    context.close()
