"""A SKU's story, built through the product: webhooks change stock, the push runs against the simulator, Amazon
accepts or rejects; the page shows each step in time order with links to the delivery, the feed or patch and the
run."""
from __future__ import annotations

import json
from datetime import timedelta

from helpers import launch, make_shop
from hostwebhooks import host_file, shopify
from stockhelpers import CA, US, connect_account, demo_items, push_and_settle, seed
from storyhelpers import rows

from connector.clock import utcnow
from connector.extensions import db
from connector.stock.models import SkuMapping, Submission
from connector.stories.models import SkuTouch
from connector.synclog.retention import purge
from connector.webhooks.models import WebhookDelivery


def test_a_sku_changed_twice_reads_in_order_with_links(sandbox, stock_account, send, stock_admin):
    send(demo_items([1], 7, "21.50"))
    push_and_settle(sandbox, stock_account.id)
    send([{"sku": "DEMO-SKU-001", "quantity": 3, "price": "21.50"}])
    push_and_settle(sandbox, stock_account.id)

    page = stock_admin.get("/admin/stories/sku/DEMO-SKU-001")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    timeline = rows(html)
    sources = [source for source, _ in timeline]
    assert sources == ["webhook", "submission", "answer", "webhook", "submission", "answer"]
    assert "quantity 7" in timeline[0][1] and "price 21.50" in timeline[0][1]
    assert "Sent to Amazon" in timeline[1][1] and "quantity 7" in timeline[1][1]
    assert "Amazon accepted quantity 7" in timeline[2][1]
    assert "quantity 3" in timeline[3][1] and "Amazon accepted quantity 3" in timeline[5][1]
    for delivery in db.session.query(WebhookDelivery):
        assert f'href="/admin/webhooks/{delivery.id}"' in html
    for submission in db.session.query(Submission):
        assert f"/admin/stock/accounts/{stock_account.id}/feeds/{submission.id}" in html
        assert f"/admin/runs/{submission.run_id}" in html
    assert "In sync: Amazon shows what the cart says in all 1 listing(s)." in html



def test_a_rejected_sku_shows_amazons_answer_the_hold_and_the_notice(sandbox, stock_account, send, stock_admin):
    send(demo_items(range(1, 25), 5, "20.00") + [{"sku": "NOT-ON-AMAZON", "quantity": 5, "price": "20.00"}])
    push_and_settle(sandbox, stock_account.id)
    feed = db.session.query(Submission).one()
    assert feed.kind == "feed" and feed.feed_id

    html = stock_admin.get("/admin/stories/sku/NOT-ON-AMAZON").get_data(as_text=True)
    assert "Held after Amazon rejected it (NOT_FOUND)" in html
    assert "1 of 1 Amazon listing(s) held after a rejection" in html
    assert "not_on_amazon" in html  # the notice
    timeline = rows(html)
    assert [source for source, _ in timeline][:3] == ["webhook", "submission", "answer"]
    assert f"Sent to Amazon in feed {feed.feed_id}" in timeline[1][1]
    answer = timeline[2][1]
    assert "Amazon rejected" in answer and "NOT_FOUND" in answer and "not found" in answer
    assert any(source == "log" and f"feed {feed.feed_id}" in text for source, text in timeline)
    assert f"/admin/stock/accounts/{stock_account.id}/feeds/{feed.id}" in html

    # The log links the SKU to its story and the feed ID to the submission page.
    log = stock_admin.get("/admin/log?q=NOT-ON-AMAZON").get_data(as_text=True)
    assert 'href="/admin/stories/sku/NOT-ON-AMAZON"' in log
    log = stock_admin.get(f"/admin/log?q={feed.feed_id}").get_data(as_text=True)
    assert f'href="/admin/stories/feed/{feed.feed_id}"' in log
    to_feed = stock_admin.get(f"/admin/stories/feed/{feed.feed_id}")
    assert to_feed.status_code == 302
    assert to_feed.headers["Location"].endswith(f"/admin/stock/accounts/{stock_account.id}/feeds/{feed.id}")

    # The stock pages link their SKUs to the stories.
    errors = stock_admin.get(f"/admin/stock/accounts/{stock_account.id}/errors").get_data(as_text=True)
    assert 'href="/admin/stories/sku/NOT-ON-AMAZON"' in errors
    submission = stock_admin.get(f"/admin/stock/accounts/{stock_account.id}/feeds/{feed.id}").get_data(as_text=True)
    assert 'href="/admin/stories/sku/DEMO-SKU-001"' in submission


def test_a_mapped_and_an_excluded_sku_tell_their_mapping(sandbox, stock_account, send, stock_admin):
    db.session.add_all([SkuMapping(account_id=stock_account.id, host_sku="CART-1", seller_sku="DEMO-SKU-002"),
                        SkuMapping(account_id=stock_account.id, host_sku="CART-GONE", excluded=True)])
    db.session.commit()
    send([{"sku": "CART-1", "quantity": 4, "price": "9.99"}, {"sku": "CART-GONE", "quantity": 1, "price": "1.00"}])
    push_and_settle(sandbox, stock_account.id)

    mapped = stock_admin.get("/admin/stories/sku/CART-1").get_data(as_text=True)
    assert "mapped from cart SKU CART-1" in mapped and "<code>DEMO-SKU-002</code>" in mapped
    assert "is sent as seller SKU DEMO-SKU-002" in mapped and "Amazon accepted quantity 4" in mapped
    # The seller SKU's own story is the same listing, seen from Amazon's side.
    seller = stock_admin.get("/admin/stories/sku/DEMO-SKU-002").get_data(as_text=True)
    assert 'href="/admin/stories/sku/CART-1"' in seller
    excluded = stock_admin.get("/admin/stories/sku/CART-GONE").get_data(as_text=True)
    assert "Excluded in US main (every marketplace)" in excluded
    assert "No Amazon listing is derived" in excluded and "The cart said: quantity 1" in excluded


def test_shopify_levels_and_product_webhooks_both_tell_the_story(app, sandbox, feeds, stock_admin):
    shop = make_shop("Shopify shop", "shopify", "https://admin.shopify.com")
    seed(sandbox, US, {"sku": "IPOD2008PINK", "quantity": 0, "price": "1.00"})
    account = connect_account(sandbox, shop)
    client = app.test_client()
    shopify(client, shop, "products/update", host_file("shopify/products_update.json"))
    level = json.loads(host_file("shopify/inventory_levels_update.json"))  # item 808950810 is IPOD2008PINK
    shopify(client, shop, "inventory_levels/update", dict(level, available=7, updated_at="2030-01-01T00:00:00Z"))
    push_and_settle(sandbox, account.id)

    html = launch(app.test_client(), shop).get("/admin/stories/sku/IPOD2008PINK").get_data(as_text=True)
    timeline = rows(html)
    assert [source for source, _ in timeline][:2] == ["webhook", "webhook"]
    assert "Webhook products/update" in timeline[0][1] and "The cart said: quantity 10" in timeline[0][1]
    assert "Webhook inventory_levels/update" in timeline[1][1]
    assert f"Available at location {level['location_id']}: 7" in timeline[1][1]
    assert any("Amazon accepted quantity 7" in text for _, text in timeline)
    # Another shop's admin does not see it.
    assert stock_admin.get("/admin/stories/sku/IPOD2008PINK").status_code == 404


def test_touches_go_with_their_delivery_when_the_log_retention_purges_it(app, stock_account, send, stock_admin):
    send([{"sku": "OLD-NEWS", "quantity": 1, "price": "1.00"}])
    assert db.session.query(SkuTouch).count() == 1
    purge(now=utcnow() + timedelta(days=2), keep_days=1)
    db.session.expire_all()
    assert db.session.query(WebhookDelivery).count() == 0 and db.session.query(SkuTouch).count() == 0
    page = stock_admin.get("/admin/stories/sku/OLD-NEWS")  # the cart's last word is still known
    assert page.status_code == 200 and "Webhook" not in "".join(text for _, text in rows(page.get_data(as_text=True)))


def test_the_story_renders_for_a_german_browser(sandbox, stock_account, send, stock_admin):
    send([{"sku": "DE-1", "quantity": 1, "price": "1.00"}])
    page = stock_admin.get("/admin/stories/sku/DE-1", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert page.status_code == 200 and "DE-1" in page.get_data(as_text=True)


def test_the_account_filter_narrows_the_story_to_one_account(sandbox, stock_account, stock_shop, send, stock_admin):
    canada = connect_account(sandbox, stock_shop, marketplaces=(CA,), alias="Canada")
    send(demo_items([1], 6, "12.00"))
    push_and_settle(sandbox, stock_account.id)
    push_and_settle(sandbox, canada.id)

    both = stock_admin.get("/admin/stories/sku/DEMO-SKU-001").get_data(as_text=True)
    assert "US main · US" in both and "Canada · CA" in both
    only = stock_admin.get(f"/admin/stories/sku/DEMO-SKU-001?account={canada.id}").get_data(as_text=True)
    assert "Canada · CA" in only and "US main · US" not in only
    sent = [text for source, text in rows(only) if source == "submission"]
    assert len(sent) == 1 and "Canada · CA" in sent[0]
