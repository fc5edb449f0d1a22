"""Who sees which story: only the shop's own SKUs and orders (another shop's are not found), the support role reads
them, unknown ones get a helpful page inside the admin, and odd SKUs (slashes, unicode, HTML) survive the URL and
are escaped on the page."""
from __future__ import annotations

import re
from html import unescape as html_unescape

import pytest
from helpers import launch, make_shop
from hostwebhooks import generic
from stockhelpers import connect_account, push_and_settle
from storyhelpers import imported_and_shipped, sku_url_in

from connector.extensions import db
from connector.stock.models import Submission
from connector.stories.search import cart_order_url

ODD_SKUS = ["BOX/12/RED", "/LEADING-SLASH", "TRAILING/", "A//B", "../X", "Grüße-ÄÖÜ-尺寸", "<b>x</b>",
            "50% OFF?#1 & more", "a+b c"]


@pytest.fixture
def other_shop(app, sandbox):
    """A second shop of the same seller, with its own SKU and feed."""
    shop = make_shop("Other shop", "generic", "https://other.example")
    account = connect_account(sandbox, shop, alias="Other US")
    assert generic(app.test_client(), shop, "product.updated",
                   [{"sku": "OTHER-ONLY", "quantity": 2, "price": "5.00"}]).status_code == 200
    push_and_settle(sandbox, account.id)
    return shop


def test_odd_skus_have_stories_reached_from_the_log(app, sandbox, stock_account, send, stock_admin):
    send([{"sku": sku, "quantity": n, "price": "3.00"} for n, sku in enumerate(ODD_SKUS, 1)])
    push_and_settle(sandbox, stock_account.id)
    for n, sku in enumerate(ODD_SKUS, 1):
        url = sku_url_in(app, sku)
        page = stock_admin.get(url)
        assert page.status_code == 200, (sku, url)
        html = page.get_data(as_text=True)
        escaped = sku.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"<code data-story-sku>{escaped}</code>" in html, sku
        assert f"The cart said: quantity {n}," in html, sku
    html = stock_admin.get(sku_url_in(app, "<b>x</b>")).get_data(as_text=True)
    assert "<b>x</b>" not in html
    # Each is rejected by Amazon (not listed there), so the log names it and links its story.
    log = stock_admin.get("/admin/log").get_data(as_text=True)
    links = {html_unescape(href) for href in re.findall(r'href="(/admin/stories/sku[^"]*)"', log)}
    assert len(links) >= len(ODD_SKUS)
    for href in links:
        assert stock_admin.get(href).status_code == 200, href
    # The search box finds them too.
    for sku in ODD_SKUS:
        found = stock_admin.get("/admin/stories/find", query_string={"q": sku})
        assert found.status_code == 302, sku
        assert stock_admin.get(found.headers["Location"]).status_code == 200, sku


def test_another_shops_sku_order_and_feed_are_not_found(app, sandbox, stock_account, send, stock_admin, other_shop):
    send([{"sku": "MINE", "quantity": 1, "price": "2.00"}])
    push_and_settle(sandbox, stock_account.id)
    assert stock_admin.get("/admin/stories/sku/MINE").status_code == 200
    missing = stock_admin.get("/admin/stories/sku/OTHER-ONLY")
    assert missing.status_code == 404
    assert 'data-story-missing="sku"' in missing.get_data(as_text=True)
    other_submission = db.session.query(Submission).filter(Submission.account_id != stock_account.id).one()
    other_account_id = other_submission.account_id
    assert stock_admin.get(f"/admin/stories/sku/MINE?account={other_account_id}").status_code == 404
    found = stock_admin.get("/admin/stories/find", query_string={"q": "OTHER-ONLY"})
    assert found.status_code == 200 and "Nothing found" in found.get_data(as_text=True)
    assert "OTHER-ONLY" not in stock_admin.get("/admin/stories/find", query_string={"q": "OTHER"}).get_data(
        as_text=True).split("Nothing found")[1].split("Search the log")[0]
    if other_submission.feed_id:
        assert stock_admin.get(f"/admin/stories/feed/{other_submission.feed_id}").status_code == 404
    # The other shop sees its own story, and not ours.
    theirs = launch(app.test_client(), other_shop)
    assert theirs.get("/admin/stories/sku/OTHER-ONLY").status_code == 200
    assert theirs.get("/admin/stories/sku/MINE").status_code == 404


def test_another_shops_order_is_not_found(app, amazon, woo, woo_account, stock_admin):
    stored = imported_and_shipped(app, amazon, woo, woo_account)
    assert stock_admin.get(f"/admin/stories/order/{stored.amazon_order_id}").status_code == 404
    assert stock_admin.get(f"/admin/stories/cart-order/{stored.cart_order_id}").status_code == 404
    found = stock_admin.get("/admin/stories/find", query_string={"q": stored.amazon_order_id})
    assert found.status_code == 200 and "Nothing found" in found.get_data(as_text=True)
    support = launch(app.test_client(), woo_account.shop, role="support")
    page = support.get(f"/admin/stories/order/{stored.amazon_order_id}")
    assert page.status_code == 200 and "Amazon confirmed the shipment" in page.get_data(as_text=True)


def test_support_reads_sku_stories(app, sandbox, stock_account, send, stock_shop):
    send([{"sku": "SUPPORTED", "quantity": 9, "price": "4.00"}])
    support = launch(app.test_client(), stock_shop, role="support")
    page = support.get("/admin/stories/sku/SUPPORTED")
    assert page.status_code == 200 and "The cart said: quantity 9" in page.get_data(as_text=True)
    assert support.get("/admin/stories/find", query_string={"q": "SUPPORTED"}).status_code == 302


def test_unknown_sku_and_order_get_a_helpful_page_in_the_admin(stock_admin):
    for url, words in (("/admin/stories/sku/NO-SUCH-SKU", "No story for SKU NO-SUCH-SKU"),
                       ("/admin/stories/order/111-2222222-3333333", "No story for order 111-2222222-3333333"),
                       ("/admin/stories/cart-order/999", "No Amazon order became cart order 999")):
        page = stock_admin.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 404 and words in html
        assert 'class="topbar"' in html and 'action="/admin/stories/find"' in html  # inside the admin, with the box
    assert stock_admin.get("/admin/stories/feed/123").status_code == 404
    attack = "<img src=x onerror=alert(1)>"
    for url in (f"/admin/stories/sku/{attack}", f"/admin/stories/find?q={attack}", f"/admin/stories/order/{attack}",
                f"/admin/stories/cart-order/{attack}"):
        html = stock_admin.get(url).get_data(as_text=True)
        assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, url
    empty = stock_admin.get("/admin/stories/find", query_string={"q": "nothing-like-this"})
    assert empty.status_code == 200 and "Nothing found for" in empty.get_data(as_text=True)
    assert stock_admin.get("/admin/stories/find").status_code == 200


def test_the_log_page_has_the_search_box(stock_admin):
    html = stock_admin.get("/admin/log").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/admin/stories/find"', html)


def test_stories_need_a_shop_session(app):
    assert app.test_client().get("/admin/stories/sku/X").status_code == 401


def test_odd_cart_order_ids_reach_the_cart_order_route(app, stock_admin):
    with app.test_request_context():
        plain, odd = cart_order_url("ORD/2026/1"), cart_order_url("gid://shop/Order/1")
    assert plain == "/admin/stories/cart-order/ORD/2026/1"
    assert odd.startswith("/admin/stories/cart-order?id=")
    for url in (plain, odd):
        page = stock_admin.get(url)
        assert page.status_code == 404 and 'data-story-missing="cart_order"' in page.get_data(as_text=True)
