"""The admin side: the account panel with Push now / Full resync and live progress, rules, SKU mappings, feed
submissions with per-SKU results, SKU errors; the support role sees everything and changes nothing."""
from __future__ import annotations

import pytest
from hostwebhooks import generic
from stockhelpers import connect_account, demo_items, listing, on_amazon, US

from connector.extensions import db
from connector.sandbox.feed_lifecycle import advance
from connector.stock.models import ListingRules, SkuMapping, Submission
from connector.stock.settings import current_settings
from helpers import csrf_from, launch, make_shop


@pytest.fixture
def account(app, sandbox, feeds, generic_shop):
    return connect_account(sandbox, generic_shop)


@pytest.fixture
def owner(app, generic_shop):
    return launch(app.test_client(), generic_shop)


def _post(client, url: str, page_url: str, **data):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, **data})
    db.session.expire_all()  # the tests' requests share the app context's session; jobs wrote in their own
    return response


def _fetch(client, url: str, page_url: str):
    """What admin.js does: POST with the page's CSRF token in the X-CSRFToken header, asking for JSON."""
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    response = client.post(url, headers={"X-CSRFToken": token, "Accept": "application/json"})
    db.session.expire_all()
    return response


def test_panel_push_now_feeds_and_per_sku_results(app, sandbox, generic_shop, account, owner):
    page_url = f"/admin/accounts/{account.id}"
    generic(app.test_client(), generic_shop, "product.updated",
            demo_items(range(1, 25), 6, "20.00") + [{"sku": "NOT-ON-AMAZON", "quantity": 1, "price": "2.00"}])
    page = owner.get(page_url).get_data(as_text=True)
    assert "Stock and price sync" in page and 'data-stock-count="pending">25<' in page

    progress = owner.get(f"/admin/stock/accounts/{account.id}/progress").json
    assert progress["pending"]["pending"] == 25 and progress["auto_submit"] is True

    answer = _fetch(owner, f"/admin/stock/accounts/{account.id}/push", page_url)
    assert answer.status_code == 200 and answer.json["ok"] is True
    assert owner.get(f"/admin/stock/accounts/{account.id}/progress").json["pending"]["in_flight"] == 25
    feeds_url = f"/admin/stock/accounts/{account.id}/feeds"
    feed = db.session.query(Submission).one()
    assert f">{feed.feed_id}<" in owner.get(feeds_url).get_data(as_text=True)

    advance(sandbox.state)
    assert _post(owner, f"{feeds_url}/refresh", feeds_url).status_code == 302  # Refresh asks Amazon now
    listing_page = owner.get(f"{feeds_url}/{feed.id}").get_data(as_text=True)
    assert "24 accepted, 1 rejected" in listing_page
    assert listing_page.index("NOT-ON-AMAZON") < listing_page.index("DEMO-SKU-001")  # rejections first
    assert "SKU &#39;NOT-ON-AMAZON&#39; not found" in listing_page
    errors = owner.get(f"/admin/stock/accounts/{account.id}/errors").get_data(as_text=True)
    assert "NOT-ON-AMAZON" in errors and "Waits for Retry" in errors and feed.feed_id in errors
    assert on_amazon(sandbox, "DEMO-SKU-024")["quantity"] == 6


def test_full_resync_sends_every_mapped_sku_again(app, sandbox, generic_shop, account, owner):
    generic(app.test_client(), generic_shop, "product.updated", demo_items(range(1, 4), 6, "20.00"))
    page_url = f"/admin/accounts/{account.id}"
    _fetch(owner, f"/admin/stock/accounts/{account.id}/push", page_url)
    sandbox.state.listings.put_many("A1DEMOSELLERNA", US, [])  # somebody changed the quantity in Seller Central:
    from connector.sandbox.listing_seeds import listing_from_json
    sandbox.state.listings.put_many("A1DEMOSELLERNA", US, [listing_from_json(
        {"sku": "DEMO-SKU-001", "quantity": 99, "price": "1.00"}, US, sandbox.state.now())])
    answer = _fetch(owner, f"/admin/stock/accounts/{account.id}/resync", page_url)
    assert answer.json["ok"]
    assert (on_amazon(sandbox, "DEMO-SKU-001")["quantity"], on_amazon(sandbox, "DEMO-SKU-001")["price"]) == (6, "20.00")
    runs = owner.get(f"/admin/stock/accounts/{account.id}/progress").json
    assert runs["last_push"]["summary"] == "Sent 3 changes to Amazon."


def test_rules_are_applied_to_what_the_cart_said(app, generic_shop, account, owner):
    generic(app.test_client(), generic_shop, "product.updated", demo_items([1], 10, "19.00"))
    url = f"/admin/stock/accounts/{account.id}/rules"
    response = _post(owner, url, url, stock_buffer="2", max_quantity="5", out_of_stock_threshold="0",
                     untracked_quantity="", markup_percent="10", markup_fixed="1", price_ending="0.99", currency="",
                     exchange_rate="")
    assert response.status_code == 302
    state = listing(account.id, "DEMO-SKU-001")
    assert (state.desired_quantity, str(state.desired_price), state.desired_currency) == (5, "21.99", "USD")
    assert "a cart quantity of 10 is sent as 5" in owner.get(url).get_data(as_text=True)
    refused = _post(owner, url, url, stock_buffer="-1", out_of_stock_threshold="0", markup_percent="0",
                    markup_fixed="0", currency="EURO")
    assert refused.status_code == 400 and db.session.query(ListingRules).one().stock_buffer == 2


def test_mappings_send_another_sku_exclude_and_mark_fba(app, generic_shop, account, owner):
    client = app.test_client()
    generic(client, generic_shop, "product.updated", [{"sku": "CART-1", "quantity": 4, "price": "9.00"},
                                                      {"sku": "CART-2", "quantity": 4, "price": "9.00"}])
    url = f"/admin/stock/accounts/{account.id}/mappings"
    assert _post(owner, url, url, host_sku="CART-1", marketplace_id=US, seller_sku="DEMO-SKU-010").status_code == 302
    assert _post(owner, url, url, host_sku="CART-2", marketplace_id="*", excluded="y").status_code == 302
    assert _post(owner, url, url, host_sku="CART-3", marketplace_id="*").status_code == 400  # neither SKU nor exclude
    state = listing(account.id, "DEMO-SKU-010")
    assert (state.host_sku, state.desired_quantity, state.pending) == ("CART-1", 4, True)
    assert listing(account.id, "CART-1").pending is False and listing(account.id, "CART-2").pending is False
    page = owner.get(url).get_data(as_text=True)
    assert "DEMO-SKU-010" in page and "Excluded" in page

    mapping = db.session.query(SkuMapping).filter_by(host_sku="CART-2").one()
    _post(owner, f"{url}/{mapping.id}/delete", url)
    assert listing(account.id, "CART-2").pending is True

    _post(owner, f"/admin/stock/accounts/{account.id}/mapped-only", url, enabled="y")
    assert current_settings(account.id).mapped_only is True
    generic(client, generic_shop, "product.updated", [{"sku": "CART-9", "quantity": 1, "price": "9.00"}])
    assert listing(account.id, "CART-9") is None


def test_support_sees_but_cannot_change(app, generic_shop, account):
    support = launch(app.test_client(), generic_shop, role="support")
    page_url = f"/admin/accounts/{account.id}"
    page = support.get(page_url).get_data(as_text=True)
    assert "Stock and price sync" in page and "Push now" not in page
    for path in ("push", "resync", "auto-submit", "retry", "feeds/refresh", "mapped-only"):
        assert _fetch(support, f"/admin/stock/accounts/{account.id}/{path}", page_url).status_code == 403
    rules = f"/admin/stock/accounts/{account.id}/rules"
    assert support.get(rules).status_code == 200
    assert _post(support, rules, rules, stock_buffer="1", out_of_stock_threshold="0", markup_percent="0",
                 markup_fixed="0").status_code == 403


def test_another_shops_account_is_not_found(app, sandbox, account):
    other = make_shop("Other", "generic", "https://other.example")
    client = launch(app.test_client(), other)
    for path in ("progress", "rules", "mappings", "feeds", "errors"):
        assert client.get(f"/admin/stock/accounts/{account.id}/{path}").status_code == 404


def test_auto_submit_switch(app, account, owner):
    page_url = f"/admin/accounts/{account.id}"
    assert _post(owner, f"/admin/stock/accounts/{account.id}/auto-submit", page_url).status_code == 302
    assert current_settings(account.id).auto_submit is False
    assert "Auto-submit changes" in owner.get(page_url).get_data(as_text=True)
    _post(owner, f"/admin/stock/accounts/{account.id}/auto-submit", page_url, enabled="y")
    assert current_settings(account.id).auto_submit is True
