"""The orders panel on the account page, its Import now with progress, the orders list and the carrier table;
the support role sees everything and changes nothing; another shop's records are not found."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from connector.extensions import db
from connector.jobs.models import Schedule
from connector.orders.models import CarrierMapping, OrderImportSettings
from orderhelpers import connect_account, woo_shop
from helpers import csrf_from, launch, make_shop


def test_the_owner_imports_now_and_sees_progress_and_the_last_import(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    admin = launch(app.test_client(), woo_account.shop)
    page = admin.get(f"/admin/accounts/{woo_account.id}").get_data(as_text=True)
    assert "Amazon orders" in page and "No successful import yet" in page and "data-import-now" in page
    token = csrf_from(page)

    assert admin.post(f"/admin/accounts/{woo_account.id}/orders/import",
                      headers={"Accept": "application/json"}).status_code == 400  # no CSRF token
    answer = admin.post(f"/admin/accounts/{woo_account.id}/orders/import",
                        headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert answer.status_code == 200 and answer.json["queued"] is True

    status = admin.get(f"/admin/accounts/{woo_account.id}/orders/status").json
    assert status["running"] is False and status["last_success_at"] and "UTC" in status["last_success_text"]
    page = admin.get(f"/admin/accounts/{woo_account.id}").get_data(as_text=True)
    assert "1 created" in page
    listing = admin.get("/admin/orders").get_data(as_text=True)
    assert order.order_id in listing and "created" in listing
    assert order.order_id not in admin.get("/admin/orders?state=held").get_data(as_text=True)


def test_import_settings_and_support_tools_from_the_panel(app, amazon, woo, woo_account):
    admin = launch(app.test_client(), woo_account.shop)
    token = csrf_from(admin.get(f"/admin/accounts/{woo_account.id}").get_data(as_text=True))
    saved = admin.post(f"/admin/accounts/{woo_account.id}/orders/settings", data={
        "csrf_token": token, "statuses": ["UNSHIPPED"], "interval_minutes": "45", "first_import_days": "3",
        "recheck_timezone": "Europe/Paris", "unknown_sku_as_custom_line": "y"}, follow_redirects=True)
    assert "Import settings saved." in saved.get_data(as_text=True)
    settings = db.session.get(OrderImportSettings, woo_account.id)
    assert (settings.statuses, settings.interval_minutes, settings.recheck_timezone) == (["UNSHIPPED"], 45,
                                                                                         "Europe/Paris")
    assert db.session.scalar(select(Schedule.every_seconds).where(
        Schedule.key == f"order-import:{woo_account.id}")) == 2700
    refused = admin.post(f"/admin/accounts/{woo_account.id}/orders/settings", data={
        "csrf_token": token, "statuses": ["UNSHIPPED"], "interval_minutes": "5", "first_import_days": "3",
        "recheck_timezone": "UTC"}, follow_redirects=True)
    assert "not saved" in refused.get_data(as_text=True)
    assert db.session.get(OrderImportSettings, woo_account.id).interval_minutes == 45

    old = amazon.order("SKU-A", created=amazon.now() - timedelta(days=12))
    amazon.settle()
    shown = admin.post(f"/admin/accounts/{woo_account.id}/orders/import-by-id",
                       data={"csrf_token": token, "amazon_order_id": old.order_id}, follow_redirects=True)
    assert f"Order {old.order_id} imported" in shown.get_data(as_text=True)
    again = admin.post(f"/admin/accounts/{woo_account.id}/orders/reimport",
                       data={"csrf_token": token, "since": "2000-01-01"}, follow_redirects=True)
    assert "at most 365 days" in again.get_data(as_text=True)


def test_support_sees_the_panel_but_changes_nothing_and_other_shops_are_not_found(app, amazon, woo, woo_account):
    support = launch(app.test_client(), woo_account.shop, role="support")
    page = support.get(f"/admin/accounts/{woo_account.id}").get_data(as_text=True)
    assert "Amazon orders" in page and "data-import-now" not in page and "Save import settings" not in page
    token = csrf_from(page)
    base = f"/admin/accounts/{woo_account.id}/orders"
    for path in ("/import", "/settings", "/import-by-id", "/reimport"):
        assert support.post(base + path, data={"csrf_token": token}).status_code == 403
    assert support.post("/admin/orders/carriers", data={"csrf_token": token, "cart_name": "x",
                                                        "amazon_code": "UPS"}).status_code == 403
    assert support.get(f"{base}/status").status_code == 200

    stranger = launch(app.test_client(), woo_shop(woo, name="Shop B"))
    assert stranger.get(f"{base}/status").status_code == 404
    token = csrf_from(stranger.get("/admin/orders").get_data(as_text=True))
    assert stranger.post(f"{base}/import", data={"csrf_token": token}).status_code == 404


def test_the_carrier_table_lists_built_in_names_and_takes_the_shops_own(app):
    shop = make_shop()
    admin = launch(app.test_client(), shop)
    page = admin.get("/admin/orders/carriers").get_data(as_text=True)
    assert "royal mail" in page and "built in" in page
    saved = admin.post("/admin/orders/carriers", data={"csrf_token": csrf_from(page), "cart_name": "Speedy Parcels",
                                                       "amazon_code": "Other", "amazon_name": "Speedy"},
                       follow_redirects=True)
    assert "now goes to Amazon as Other" in saved.get_data(as_text=True)
    entry = db.session.scalars(select(CarrierMapping)).one()
    assert (entry.cart_name, entry.amazon_code, entry.amazon_name) == ("speedy parcels", "Other", "Speedy")
    bad = admin.post("/admin/orders/carriers", data={"csrf_token": csrf_from(page), "cart_name": "x",
                                                     "amazon_code": "PUROLATOR"})
    assert bad.status_code == 400
    admin.post(f"/admin/orders/carriers/{entry.id}/delete", data={"csrf_token": csrf_from(page)})
    assert db.session.scalars(select(CarrierMapping)).all() == []
    kept = admin.post("/admin/orders/carriers", data={"csrf_token": csrf_from(page), "cart_name": "Speedy",
                                                      "amazon_code": "DPD"})
    assert kept.status_code == 302
    entry = db.session.scalars(select(CarrierMapping)).one()
    other_shop = launch(app.test_client(), make_shop(name="Shop B"))
    other_token = csrf_from(other_shop.get("/admin/orders/carriers").get_data(as_text=True))
    assert other_shop.post(f"/admin/orders/carriers/{entry.id}/delete",
                           data={"csrf_token": other_token}).status_code == 404


def test_an_account_without_order_import_says_so(app, amazon, woo):
    account = connect_account(woo_shop(woo), amazon.state, import_orders=False)
    admin = launch(app.test_client(), account.shop)
    page = admin.get(f"/admin/accounts/{account.id}").get_data(as_text=True)
    assert "Order import is off for this account" in page
    answer = admin.post(f"/admin/accounts/{account.id}/orders/import",
                        headers={"X-CSRFToken": csrf_from(page), "Accept": "application/json"})
    assert answer.json["queued"] is False
