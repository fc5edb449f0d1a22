"""The dashboard in Chromium on a realistic shop: a connected account with a month of imports and pushes, an unknown
and a rejected SKU, a second account whose token is due, a full resync running. Checks what a person sees, follows
the progress bar live, reaches Request / Renew Token by keyboard, and saves the screenshots the README shows."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa
from connector.authorization.operations import callback_url
from connector.clock import utcnow
from connector.extensions import db
from connector.orders.tasks import import_job
from connector.sandbox.feed_lifecycle import advance
from connector.sandbox.orders import ItemSpec
from connector.shops.launch import launch_url
from connector.shops.operations import create_shop
from connector.stock.models import ListingRules
from connector.stock.push import push
from connector.stock.results import check_feeds
from connector.synclog.models import LogEntry, SyncRun
from connector.synclog.retention import store_day
from connector.synclog.runs import start_run, sync_run
from fakehost import FakeHost
from hostwebhooks import standard_headers

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SELLER, US = "A1DEMOSELLERNA", "ATVPDKIKX0DER"
pytestmark = pytest.mark.browser


def _send(connector, shop, items) -> None:
    body = json.dumps({"type": "product.updated", "timestamp": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "data": items}).encode()
    answer = requests.post(f"{connector.url}/webhooks/generic/{shop.shop_key}", data=body,
                           headers=standard_headers(shop.webhook_secret, body), timeout=10)
    assert answer.json()["status"] == "accepted", answer.text


def _push(simulator, account_id: int) -> None:
    push(account_id, "push_now")
    advance(simulator.state)
    check_feeds(account_id, "test", everything=True)


def _history(shop_id: int, account_id: int, days: int = 29) -> None:
    """A month of earlier syncs, counted into daily counts by the retention job's own function."""
    now = utcnow()
    for back in range(days, 0, -1):
        with sync_run("order_import", shop_id=shop_id, account_id=account_id) as run:
            run.count(seen=back % 7 + 2, changed=back % 7 + 2)
        with sync_run("listings_push", shop_id=shop_id, account_id=account_id) as run:
            run.count(sent=(back * 13) % 40 + 5, accepted=(back * 13) % 40 + 5)
            if back % 9 == 0:
                run.log("error", "Amazon rejected SKU DEMO-SKU-009: the price is below the minimum.",
                        sku="DEMO-SKU-009")
        moment = now - timedelta(days=back)
        for run in db.session.scalars(db.select(SyncRun).where(SyncRun.started_at > now - timedelta(minutes=5))):
            run.started_at, run.finished_at = moment, moment
        for entry in db.session.scalars(db.select(LogEntry).where(LogEntry.created_at > now - timedelta(minutes=5))):
            entry.created_at = moment
        db.session.commit()
        store_day(moment.date())


def _demo_shop(connector, simulator, cart, host):
    shop = create_shop("Demo shop", "generic", [cart.origin], notification_url=f"{host.url}/events")
    grant = lwa.exchange_code(simulator.state.issue_code(SELLER, callback_url()), callback_url())
    now = utcnow()
    main = AmazonAccount(shop_id=shop.id, alias="US main store", region="NA", marketplace_ids=[US],
                         selling_partner_id=SELLER, refresh_token=grant.refresh_token, authorization_method="website",
                         authorized_at=now, expires_at=now + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID)
    due = AmazonAccount(shop_id=shop.id, alias="EU store", region="EU", marketplace_ids=["A1PA6795UKMFR9"],
                        selling_partner_id="A2DEMOSELLEREU", refresh_token="Atzr|demo-refresh-token",
                        authorization_method="website", authorized_at=now - timedelta(days=356),
                        expires_at=now + timedelta(days=9), token_state=TokenState.VALID, import_orders=False)
    db.session.add_all([main, due])
    db.session.commit()
    simulator.state.feeds.processing_seconds = 0
    _history(shop.id, main.id)
    # Today: two orders imported, three SKUs pushed, one SKU Amazon does not know and one it rejects.
    for sku in ("DEMO-SKU-001", "DEMO-SKU-002"):
        simulator.state.orders.create(SELLER, [ItemSpec(sku)], created=simulator.state.now() - timedelta(minutes=10))
    import_job(main.id, "test")
    _send(connector, shop, [{"sku": f"DEMO-SKU-00{n}", "quantity": 10 + n, "price": "24.90"} for n in (1, 2, 3)]
          + [{"sku": "NOT-ON-AMAZON", "quantity": 4, "price": "24.90"}])
    _push(simulator, main.id)
    db.session.add(ListingRules(account_id=main.id, marketplace_id=US, currency="EUR", exchange_rate=1))
    db.session.commit()
    _send(connector, shop, [{"sku": "DEMO-SKU-005", "quantity": 3, "price": "24.90"}])
    _push(simulator, main.id)
    resync = start_run("rederive", shop_id=shop.id, account_id=main.id, triggered_by="full_resync")
    resync.progress_done, resync.progress_total = 420, 1000
    db.session.commit()
    return shop, main, due, resync


def test_dashboard_and_log_in_chromium(app, live, browser):
    connector, simulator, cart = live
    host = FakeHost()  # the generic cart's side, taking the orders the import creates
    shop, main, due, resync = _demo_shop(connector, simulator, cart, host)
    main_id, due_id = main.id, due.id
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(launch_url(shop))
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert page.locator("[data-account-card]").count() == 2
    main_card = page.locator(f'[data-account-card="{main_id}"]')
    assert "Connected: expires on" in main_card.locator(".status-words").inner_text()
    assert "365 days left" in main_card.inner_text()
    assert "Sent" in main_card.locator('[data-card-field="last_push"]').inner_text()
    due_card = page.locator(f'[data-account-card="{due_id}"]')
    assert "Renew the token now" in due_card.locator(".status-words").inner_text()
    assert due_card.locator(".status").get_attribute("class") == "status status-amber"

    actions = page.locator("[data-action]")
    texts = actions.all_inner_texts()
    assert any("Amazon does not know 1 SKU of US main store (NOT-ON-AMAZON)" in t for t in texts)
    assert any("Amazon rejected 1 SKU of US main store (DEMO-SKU-005)" in t for t in texts)
    assert any("The Amazon authorization of EU store expires in 9 days" in t for t in texts)
    mappings = page.get_by_role("link", name="Map SKUs")
    assert mappings.get_attribute("href") == f"/admin/stock/accounts/{main_id}/mappings"

    charts = main_card.locator('svg[role="img"]')
    assert charts.count() == 3
    assert main_card.locator('svg[data-chart="orders"] rect.chart-bar').count() == 30
    today_skus = main_card.locator(f'svg[data-chart="skus"] rect[data-day="{utcnow().date().isoformat()}"]')
    assert today_skus.get_attribute("data-value") == "5"  # four SKUs (one unknown to Amazon), then the rejected one
    assert "Orders imported" in charts.first.locator("title").first.text_content()

    # The full resync's bar follows the run while it works.
    operation = page.locator(f'[data-operation="{resync.id}"]')
    assert "420 of 1,000" in operation.inner_text()
    resync.progress_done = 700
    db.session.commit()
    operation.get_by_text("700 of 1,000 (70%)").wait_for(timeout=10000)
    assert operation.locator("progress").evaluate("bar => bar.value") == 70
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    # Keyboard: the skip link comes first, then Tab reaches the first Request / Renew Token button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-request-token')"):
            break
    else:
        pytest.fail("Tab never reached a Request / Renew Token button")
    focused = page.evaluate("document.activeElement.closest('[data-action]').textContent")
    assert "EU store" in focused
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    with page.expect_popup() as popup_info:
        page.keyboard.press("Enter")
    popup = popup_info.value
    popup.get_by_text("Authorize Cart Connector for Amazon?").wait_for()
    popup.close()

    phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True)
    mobile = phone.new_page()
    mobile.goto(launch_url(shop))
    mobile.get_by_role("heading", name="Dashboard").wait_for()
    widths = mobile.evaluate(
        "[...document.querySelectorAll('[data-account-card]')].map(card => card.getBoundingClientRect().width)")
    assert all(width <= 375 for width in widths) and len(set(widths)) == 1  # one column
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    mobile.screenshot(path=str(SCREENSHOTS / "dashboard-phone.png"), full_page=True)
    phone.close()

    page.get_by_role("link", name="Log").click()
    page.get_by_role("heading", name="Log").wait_for()
    filters = page.locator("form.filters:not(.story-search)")  # the log also carries the story search box
    for name in ("q", "account", "kind", "level", "since", "until"):
        assert filters.locator(f'[name="{name}"]').count() == 1
    page.get_by_label("Search by reference").fill("NOT-ON-AMAZON")
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_text("Amazon rejected SKU NOT-ON-AMAZON").first.wait_for()
    page.get_by_label("Search by reference").fill("")
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_text("Amazon rejected SKU NOT-ON-AMAZON").first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "log.png"), full_page=False)
    context.close()
    assert len(host.requests) == 2  # both orders reached the cart
    host.stop()
