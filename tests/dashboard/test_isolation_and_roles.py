"""A shop's dashboard shows only its own accounts, problems, counts and runs; the support role reads it and can
change nothing through it."""
from __future__ import annotations

import re

from hostwebhooks import generic
from stockhelpers import connect_account, demo_items, push_and_settle

from connector.extensions import db
from connector.synclog.models import SyncRun
from connector.synclog.runs import start_run, sync_run
from helpers import csrf_from, launch, make_shop


def _shop_with_problems(app, sandbox, name: str, alias: str, seller: str, unknown_sku: str):
    shop = make_shop(name, "generic", f"https://{name.lower().replace(' ', '-')}.example")
    account = connect_account(sandbox, shop, seller=seller, alias=alias)
    generic(app.test_client(), shop, "product.updated",
            demo_items([1], 3, "9.00") + [{"sku": unknown_sku, "quantity": 1, "price": "9.00"}])
    push_and_settle(sandbox, account.id)
    with sync_run("order_import", shop_id=shop.id, account_id=account.id) as run:
        run.count(changed=7)
    start_run("rederive", shop_id=shop.id, account_id=account.id, triggered_by="full_resync")
    return shop, account


def test_a_shop_never_sees_another_shops_data(app, sandbox, feeds):
    shop_a, account_a = _shop_with_problems(app, sandbox, "Shop A", "Alpha store", "A1DEMOSELLERNA", "ONLY-IN-A")
    shop_b, account_b = _shop_with_problems(app, sandbox, "Shop B", "Bravo store", "A1DEMOSELLERNA", "ONLY-IN-B")
    client_a = launch(app.test_client(), shop_a)
    page_a = client_a.get("/admin/").get_data(as_text=True)
    assert "Alpha store" in page_a and "ONLY-IN-A" in page_a and f'data-account-card="{account_a.id}"' in page_a
    assert "Bravo store" not in page_a and "ONLY-IN-B" not in page_a and f'data-account="{account_b.id}"' not in page_a
    running_a = client_a.get("/admin/dashboard/running").get_json()["operations"]
    runs_of_b = set(db.session.scalars(db.select(SyncRun.id).where(SyncRun.shop_id == shop_b.id)))
    assert runs_of_b and running_a and not {op["id"] for op in running_a} & runs_of_b
    assert {op["account"] for op in running_a} <= {"Alpha store", None}
    assert [op["label"] for op in running_a if op["running"]] == ["Full resync"]
    page_b = launch(app.test_client(), shop_b).get("/admin/").get_data(as_text=True)
    assert "ONLY-IN-B" in page_b and "ONLY-IN-A" not in page_b and "Alpha store" not in page_b


def test_support_reads_the_dashboard_and_every_button_it_could_reach_is_refused(app, sandbox, feeds):
    shop, account = _shop_with_problems(app, sandbox, "Shop A", "Alpha store", "A1DEMOSELLERNA", "ONLY-IN-A")
    owner_page = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    posts = set(re.findall(r'<form method="post" action="([^"]+)"', owner_page))
    tickets = set(re.findall(r'data-ticket-url="([^"]+)"', owner_page))
    assert posts and tickets and "Add Amazon account" in owner_page

    support = launch(app.test_client(), shop, role="support")
    page = support.get("/admin/").get_data(as_text=True)
    assert page.count("data-account-card=") == 1 and "Actions to take" in page and "ONLY-IN-A" in page
    assert "Support (read only)" in page and "Add Amazon account" not in page
    assert "data-request-token" not in page and 'method="post"' not in page
    assert "The shop owner can renew the token." not in page  # the token is fine; nothing to say here
    token = csrf_from(page)
    for url in posts:
        assert support.post(url, data={"csrf_token": token}).status_code == 403, url
    for url in tickets:
        assert support.post(url, headers={"X-CSRFToken": token}).status_code == 403, url
    assert support.get("/admin/dashboard/running").status_code == 200
    db.session.expire_all()
    assert account.last_checked_at is None  # the refused Test connection changed nothing
