"""A German admin stays German while admin.js refreshes it: the dashboard's Running now and the account page's stock
panel write what the polled JSON carries (translated labels, German numbers and times), not English of their own."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.clock import utcnow
from connector.extensions import db
from connector.shops.launch import launch_url
from connector.shops.operations import create_shop
from connector.synclog.runs import start_run, sync_run

pytestmark = pytest.mark.browser


def test_live_refreshes_stay_german(app, live, browser):
    connector, simulator, cart = live
    shop = create_shop("Generic shop", "generic", [cart.origin])
    shop.timezone = "Europe/Berlin"
    account = AmazonAccount(shop_id=shop.id, alias="EU main", region="EU", marketplace_ids=["A1PA6795UKMFR9"],
                            selling_partner_id="A2DEMOSELLEREU", refresh_token="Atzr|demo-refresh-token",
                            authorization_method="website", authorized_at=utcnow(),
                            expires_at=utcnow() + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID)
    db.session.add(account)
    db.session.commit()
    with sync_run("listings_push", shop_id=shop.id, account_id=account.id):
        pass
    resync = start_run("rederive", shop_id=shop.id, account_id=account.id, triggered_by="full_resync")
    resync.progress_done, resync.progress_total = 1234, 5000
    db.session.commit()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(launch_url(shop, locale="de_DE"))
    page.get_by_role("heading", name="Übersicht").wait_for()
    operation_text = page.locator(f'[data-operation="{resync.id}"] [data-operation-text]')
    expect(operation_text).to_have_text(re.compile(r"^1\.234 von 5\.000 \(24\s%\)$"))
    resync.progress_done = 3500
    db.session.commit()
    expect(operation_text).to_have_text(re.compile(r"^3\.500 von 5\.000 \(70\s%\)$"), timeout=10000)
    expect(page.locator("#running-title")).to_have_text("Läuft gerade")

    page.goto(f"{connector.url}/admin/accounts/{account.id}")
    progress = page.locator("[data-stock-progress]")
    # The page renders "3.500 / 5.000"; the poll writes the JSON's own words.
    expect(progress).to_contain_text("3.500 von 5.000", timeout=10000)
    expect(progress).to_contain_text("Neuberechnung")
    expect(page.locator('[data-stock-text="next_push"]')).to_have_text("Sobald sich etwas ändert")
    last_push = page.locator('[data-stock-text="last_push"]')
    expect(last_push).to_have_text(re.compile(r"^\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d MEZ: erfolgreich$"))
    context.close()
