"""After a realistic day (an account authorized through the popup, cart credentials and a new webhook secret set
on the Settings page, a signed webhook, a stock push, an order imported into the cart, a connection test), the
whole database, every log line and every admin page of the shop are searched for the secrets: refresh token, LWA
client secret, LWA access tokens, webhook secrets, the cart's consumer secret, and the encryption keys. None may
appear in plain text."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from sqlalchemy import inspect, text

import hostwebhooks as send
from authflow import authorize
from connector.accounts.models import AmazonAccount
from connector.authorization.operations import check_connection
from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.models import ImportedOrder
from connector.shops.models import Shop
from connector.stock.models import Submission
from connector.synclog.models import LogEntry, SyncRun
from connector.webhooks.models import WebhookDelivery
from helpers import add_account, csrf_from

sys.path.append(str(Path(__file__).resolve().parent.parent / "orders"))
from fakeorders import WooCommerceWithOrders  # noqa: E402
from orderhelpers import Amazon  # noqa: E402

NA_SELLER = "A1DEMOSELLERNA"
US = "ATVPDKIKX0DER"


def _database_text(app) -> str:
    """Every row of every table, as the database holds it (EncryptedText read raw, without decrypting)."""
    dumped = []
    if db.engine.dialect.name == "sqlite":
        raw = db.engine.raw_connection()
        try:
            dumped.extend(raw.driver_connection.iterdump())
        finally:
            raw.close()
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dumped.append(f"{table}: {tuple(row)!r}")
    return "\n".join(dumped)


def _admin_pages(app, admin, shop: Shop) -> dict[str, str]:
    """GET every admin route of the shop, with each of the shop's own ids in the path."""
    ids = {
        "account_id": [a.id for a in db.session.query(AmazonAccount).filter_by(shop_id=shop.id)],
        "run_id": [r.id for r in db.session.query(SyncRun).filter_by(shop_id=shop.id)],
        "delivery_id": [d.id for d in db.session.query(WebhookDelivery).filter_by(shop_id=shop.id)],
        "submission_id": [s.id for s in db.session.query(Submission)],
        "fmt": ["csv", "json"],
        # Stories of what the flow touched, and of things it did not (their not-found pages).
        "sku": sorted({e.sku for e in db.session.query(LogEntry).filter_by(shop_id=shop.id) if e.sku} | {"SKU-1"}),
        "amazon_order_id": [o.amazon_order_id for o in db.session.query(ImportedOrder)] + ["111-0000000-0000000"],
        "cart_order_id": [o.cart_order_id for o in db.session.query(ImportedOrder) if o.cart_order_id] + ["1001"],
        "feed_id": sorted({e.feed_id for e in db.session.query(LogEntry).filter_by(shop_id=shop.id) if e.feed_id}
                          | {"5012"}),
    }
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/admin/") or rule.endpoint == "shops.launch":
            continue
        paths = [rule.rule]
        for name in rule.arguments:
            paths = [re.sub(rf"<(?:\w+:)?{name}>", str(value), path) for path in paths for value in ids[name]]
        for path in paths:
            response = admin.get(path)
            assert response.status_code in (200, 302, 404), (path, response.status_code)
            pages[path] = response.get_data(as_text=True)
    return pages


def test_no_secret_in_the_database_the_logs_or_any_page(app, sandbox, shop, admin, caplog):
    caplog.set_level("DEBUG")
    amazon = Amazon(sandbox.state)
    sandbox.state.set_clock_speed(0)
    woo = WooCommerceWithOrders()
    try:
        woo.add_product("SKU-A")
        old_webhook_secret = shop.webhook_secret
        page = admin.get("/admin/settings").get_data(as_text=True)
        assert admin.post("/admin/settings/cart", data={
            "csrf_token": csrf_from(page), "cart_api_url": woo.url, "cart_api_key": woo.consumer_key,
            "cart_api_secret": woo.consumer_secret}).status_code == 302
        shown_once = admin.post("/admin/settings/webhook-secret", data={"csrf_token": csrf_from(page)})
        db.session.expire_all()
        assert shop.webhook_secret in shown_once.get_data(as_text=True)  # the one page allowed to show it

        account_id = add_account(admin, alias="US main", region="NA", marketplaces=(US,))
        assert authorize(app, admin, account_id, NA_SELLER).status_code == 200
        account = db.session.get(AmazonAccount, account_id)
        check_connection(account)

        product = {"id": 1, "sku": "SKU-A", "type": "simple", "manage_stock": True, "stock_quantity": 4,
                   "regular_price": "9.00", "price": "9.00", "status": "publish"}
        assert send.woocommerce(app.test_client(), shop, "product.updated", product).status_code == 200
        enqueue("stock.push", account_id, "push_now")
        order = amazon.order("SKU-A")
        amazon.settle()
        enqueue("orders.import", account_id)
        db.session.expire_all()
        assert db.session.query(ImportedOrder).filter_by(amazon_order_id=order.order_id).one().cart_order_id

        secrets = {
            "refresh token": account.refresh_token,
            "LWA client secret": app.config["LWA_CLIENT_SECRET"],
            "webhook secret": shop.webhook_secret,
            "old webhook secret": old_webhook_secret,
            "cart consumer secret": woo.consumer_secret,
            **{f"encryption key {n}": key for n, key in enumerate(app.config["ENCRYPTION_KEYS"])},
            "session signing key": app.config["SECRET_KEY"],
            **{f"LWA access token {n}": token for n, token in enumerate(sandbox.state.access_tokens)},
        }
        assert len(secrets) >= 9 and all(secrets.values())
        pages = _admin_pages(app, admin, shop)
        assert len(pages) >= 20
        places = {"database": _database_text(app), "log records": caplog.text,
                  "log entries": "\n".join(e.message + repr(e.details) for e in db.session.query(LogEntry)),
                  **{f"page {path}": body for path, body in pages.items()}}
        # The haystacks are real: the dump holds the rows, the logs hold the calls, the pages hold the account.
        assert order.order_id in places["database"] and NA_SELLER in places["database"]
        assert "searchOrders" in places["log records"] and "patchListingsItem" in places["log records"]
        assert "US main" in places[f"page /admin/accounts/{account_id}"]
        for place, content in places.items():
            for name, secret in secrets.items():
                assert secret not in content, f"{name} found in {place}"
        for place in ("database", "log records"):
            assert "Atzr|" not in places[place] and "Atza|" not in places[place], place
    finally:
        woo.stop()
