"""The log support reads: filters, search by every reference, keyset pages, export, runs, and the Webhooks page."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

import hostwebhooks as send
from connector import clock
from connector.extensions import db
from connector.synclog import queries
from connector.synclog.models import LogEntry
from connector.synclog.operations import record
from connector.synclog.runs import sync_run
from connector.webhooks.handlers import DeliveryInvalid
from connector.webhooks.models import DeliveryStatus, WebhookDelivery
from helpers import add_account, csrf_from, launch, make_shop

REFERENCES = {
    "sku": "ABC-1", "amazon_order_id": "902-1106328-1059050", "cart_order_id": "W-4711", "feed_id": "50123019888",
    "amazon_request_id": "d1e7b6a0-1f1a-4c45-9a7e-42c0bb5f5d10", "error_code": "QuotaExceeded", "http_status": 429,
    "webhook_delivery_id": 31337, "run_id": 4242,
}


def shown(page_html: str) -> list[str]:
    return [line.strip() for line in page_html.splitlines() if 'class="message"' in line]


def test_search_finds_an_entry_by_each_of_its_references(app, admin, shop):
    for name, value in REFERENCES.items():
        record("error", "stock_push", f"entry with {name}", shop_id=shop.id, **{name: value})
    record("info", "stock_push", "an entry without references", shop_id=shop.id)
    for name, value in REFERENCES.items():
        page = admin.get("/admin/log", query_string={"q": str(value)}).get_data(as_text=True)
        assert any(f"entry with {name}" in line for line in shown(page)), name
        assert "an entry without references" not in page


def test_filters_by_account_kind_level_and_days_in_the_shops_time_zone(app, admin, shop):
    shop.timezone = "Asia/Shanghai"
    db.session.commit()
    account_id = add_account(admin)
    record("error", "order_import", "import failed", shop_id=shop.id, account_id=account_id)
    record("warning", "stock_push", "push warned", shop_id=shop.id, account_id=account_id)
    record("info", "stock_push", "push fine", shop_id=shop.id)

    def messages(**args) -> str:
        return " ".join(shown(admin.get("/admin/log", query_string=args).get_data(as_text=True)))

    assert "import failed" in messages(account=account_id) and "push fine" not in messages(account=account_id)
    assert "import failed" not in messages(kind="stock_push")
    assert messages(level="error").count("import failed") == 1 and "push warned" not in messages(level="error")
    problems = messages(level="problems")
    assert "import failed" in problems and "push warned" in problems and "push fine" not in problems
    today = clock.utcnow().astimezone(queries.ZoneInfo("Asia/Shanghai")).date()
    assert "push fine" in messages(since=today.isoformat(), until=today.isoformat())
    assert "push fine" not in messages(until=(today - timedelta(days=1)).isoformat())
    assert "Nothing matches these filters" in admin.get("/admin/log?q=nothing-like-this").get_data(as_text=True)


def test_keyset_pages_cover_everything_once_from_both_ends(app, shop):
    for number in range(23):
        record("info", "webhook", f"entry {number}", shop_id=shop.id, commit=False)
    db.session.commit()
    seen, page = [], queries.page(shop.id, queries.LogFilter(), size=10)
    assert page.newer is None
    while True:
        seen += [entry.message for entry in page.entries]
        if page.older is None:
            break
        page = queries.page(shop.id, queries.LogFilter(), after=page.older, size=10)
    assert seen == [f"entry {number}" for number in reversed(range(23))]
    last = queries.page(shop.id, queries.LogFilter(), last=True, size=10)
    assert [e.message for e in last.entries] == [f"entry {n}" for n in reversed(range(10))] and last.older is None
    newer = queries.page(shop.id, queries.LogFilter(), before=last.newer, size=10)
    assert [e.message for e in newer.entries] == [f"entry {n}" for n in reversed(range(10, 20))]


def test_pages_link_newer_older_and_both_ends(app, admin, shop):
    for number in range(60):
        record("info", "webhook", f"entry {number}", shop_id=shop.id, commit=False)
    db.session.commit()
    first = admin.get("/admin/log").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first and "entry 59" in first and "entry 9<" not in first
    last = admin.get("/admin/log?page=last").get_data(as_text=True)
    assert "entry 0<" in last and 'rel="prev"' in last and 'rel="next"' not in last


def test_export_csv_and_json_follow_the_filter(app, admin, shop):
    record("error", "stock_push", 'Amazon rejected SKU "ABC-1", with a comma', shop_id=shop.id, sku="ABC-1", feed_id="77")
    record("info", "stock_push", "other", shop_id=shop.id, sku="XYZ")
    response = admin.get("/admin/log/export.csv?q=ABC-1")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1 and rows[0]["message"] == 'Amazon rejected SKU "ABC-1", with a comma' and rows[0]["feed_id"] == "77"
    exported = json.loads(admin.get("/admin/log/export.json?level=info").get_data(as_text=True))
    assert [row["sku"] for row in exported] == ["XYZ"]


def test_runs_list_and_run_page_with_live_progress(app, admin, shop):
    with sync_run("order_import", shop_id=shop.id, triggered_by="user") as run:
        run.progress(3, 12)
        progress = admin.get(f"/admin/runs/{run.run.id}/progress").json
        assert progress["running"] and progress["percent"] == 25 and progress["total"] == 12
        page = admin.get(f"/admin/runs/{run.run.id}").get_data(as_text=True)
        assert "data-progress-url" in page and "3 of 12" in page
        run.count(seen=12, accepted=11, failed=1)
        run.log("error", "Order 902-1106328-1059050 held: the cart does not know SKU ABC-1.",
                amazon_order_id="902-1106328-1059050")
    assert admin.get(f"/admin/runs/{run.run.id}/progress").json["status"] == "partial"
    page = admin.get(f"/admin/runs/{run.run.id}").get_data(as_text=True)
    assert "the cart does not know SKU ABC-1" in page
    listing = admin.get("/admin/runs?kind=order_import").get_data(as_text=True)
    assert f"#{run.run.id}" in listing and "12 / 0 / 0 / 11 / 1" in listing
    log = admin.get("/admin/log").get_data(as_text=True)
    assert f'href="/admin/runs/{run.run.id}"' in log  # the entry links to its run


def test_another_shops_log_run_and_webhooks_are_not_found(app, admin, shop):
    other = make_shop("Shop B", origin="https://shop-b.example")
    record("error", "stock_push", "shop B secret business", shop_id=other.id, sku="B-1")
    with sync_run("stock_push", shop_id=other.id) as run:
        pass
    send.woocommerce(app.test_client(), other, "coupon.created", {"id": 1})
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert "shop B secret business" not in admin.get("/admin/log?q=B-1").get_data(as_text=True)
    assert admin.get(f"/admin/runs/{run.run.id}").status_code == 404
    assert admin.get(f"/admin/runs/{run.run.id}/progress").status_code == 404
    assert admin.get(f"/admin/webhooks/{delivery.id}").status_code == 404


@pytest.fixture
def failing_handler(app):
    from connector.webhooks import handlers

    key = ("woocommerce", "product.updated")
    saved = handlers._HANDLERS.get(key)
    state = {"fail": True}

    def handler(event):
        if state["fail"]:
            raise DeliveryInvalid("the product has no SKU; add one in WooCommerce")

    handlers._HANDLERS[key] = handler
    yield state
    if saved is None:
        handlers._HANDLERS.pop(key)
    else:
        handlers._HANDLERS[key] = saved


def test_webhooks_page_shows_failures_and_the_owner_replays_with_a_name(app, shop, failing_handler):
    client = app.test_client()
    send.woocommerce(client, shop, "product.updated", {"id": 5, "name": "<script>alert(1)</script>"})
    send.woocommerce(client, shop, "product.updated", {"id": 6}, secret="wrong")
    from connector.shops.launch import make_launch_token

    owner = app.test_client()
    owner.get(f"/admin/launch?token={make_launch_token(shop, 'owner', user='Anna')}")
    listing = owner.get("/admin/webhooks").get_data(as_text=True)
    assert "the product has no SKU" in listing and "Signature refused" in listing
    failed = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.status == DeliveryStatus.FAILED)).one()
    detail = owner.get(f"/admin/webhooks/{failed.id}").get_data(as_text=True)
    assert "&lt;script&gt;" in detail and "<script>alert" not in detail
    failing_handler["fail"] = False
    owner.post(f"/admin/webhooks/{failed.id}/replay", data={"csrf_token": csrf_from(detail)})
    db.session.expire_all()
    assert failed.status == DeliveryStatus.PROCESSED and failed.acted_by == "Anna (owner)"
    assert any("replayed by Anna (owner)" in e.message for e in db.session.scalars(select(LogEntry)))


def test_support_reads_everything_and_changes_nothing(app, shop, failing_handler):
    send.woocommerce(app.test_client(), shop, "product.updated", {"id": 5})
    failed = db.session.scalars(select(WebhookDelivery)).one()
    support = launch(app.test_client(), shop, role="support")
    for path in ("/admin/", "/admin/log", "/admin/runs", "/admin/webhooks", f"/admin/webhooks/{failed.id}",
                 "/admin/settings", "/admin/log/export.csv"):
        assert support.get(path).status_code == 200, path
    page = support.get(f"/admin/webhooks/{failed.id}").get_data(as_text=True)
    assert "Replay" not in page and "Discard" not in page
    token = csrf_from(page)
    for path in (f"/admin/webhooks/{failed.id}/replay", f"/admin/webhooks/{failed.id}/discard", "/admin/accounts/new",
                 "/admin/settings/webhook-secret", "/admin/settings/cart/test", "/amazon/authorize/ticket/1"):
        assert support.post(path, data={"csrf_token": token}, headers={"X-CSRFToken": token}).status_code == 403, path
    db.session.expire_all()
    assert failed.status == DeliveryStatus.FAILED
