"""The 30-day charts drawn from the daily counts (stored by the retention job, live for days not counted yet), and
the Running now section with its polled JSON, including the operator's key rotation."""
from __future__ import annotations

from datetime import timedelta

from dashhelpers import bars, section
from hostwebhooks import generic
from stockhelpers import connect_account, demo_items, push_and_settle

from connector import clock
from connector.extensions import db
from connector.synclog.models import DailyCount, SyncRun
from connector.synclog.operations import record
from connector.synclog.retention import purge
from connector.synclog.runs import start_run, sync_run
from helpers import launch, make_shop


def test_charts_show_the_daily_counts_of_the_last_30_days(app, sandbox, feeds):
    shop = make_shop("Generic shop", "generic", "https://generic.example")
    account = connect_account(sandbox, shop)
    first_day = clock.utcnow().date()
    # Day 1: an order import that brought 4 orders, a push of 10 SKUs and 2 errors logged.
    with sync_run("order_import", shop_id=shop.id, account_id=account.id) as run:
        run.count(seen=5, changed=4)
        run.log("error", "Order 111-0000000-0000001 held: the cart does not know SKU X.")
    with sync_run("listings_push", shop_id=shop.id, account_id=account.id) as run:
        run.count(sent=10, accepted=10)
        run.log("error", "Amazon rejected SKU Y.")
    clock.advance(timedelta(days=1))
    # Day 2: 2 orders; and a run of another shop that must not count.
    with sync_run("order_import", shop_id=shop.id, account_id=account.id) as run:
        run.count(changed=2)
    other = make_shop("Other", origin="https://other.example")
    with sync_run("order_import", shop_id=other.id, account_id=account.id + 100) as run:
        run.count(changed=50)
    clock.advance(timedelta(days=1))
    purge()  # the nightly retention job stores both days as DailyCount rows
    assert {(row.day, row.kind) for row in db.session.scalars(db.select(DailyCount))
            if row.shop_id == shop.id} >= {(first_day, "order_import"), (first_day, "listings_push")}
    # Today, not counted yet: a real push of 3 SKUs to the simulator.
    generic(app.test_client(), shop, "product.updated", demo_items(range(1, 4), 6, "12.00"),
            timestamp=int(clock.utcnow().timestamp()))
    push_and_settle(sandbox, account.id)
    today = clock.utcnow().date()

    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    orders = bars(html, account.id, "orders")
    skus = bars(html, account.id, "skus")
    errors = bars(html, account.id, "errors")
    assert len(orders) == len(skus) == len(errors) == 30
    day1, day2 = first_day.isoformat(), (first_day + timedelta(days=1)).isoformat()
    assert orders[day1] == (4, 100.0) and orders[day2] == (2, 50.0) and orders[today.isoformat()] == (0, 0.0)
    assert skus[day1] == (10, 100.0) and skus[today.isoformat()] == (3, 30.0)
    assert errors[day1] == (2, 100.0)
    assert sum(value for value, _ in orders.values()) == 6  # the other shop's 50 are not here
    assert "6 in 30 days" in html and "max 4 a day" in html
    # Accessible: an image with a title and a description, and the numbers as a table.
    chart = section(html, f'data-chart="orders" data-account="{account.id}"', "</svg>")
    assert f'aria-labelledby="chart-{account.id}-orders-title chart-{account.id}-orders-desc"' in html
    assert 'role="img"' in html and f"6 in total; the busiest day was {day1} with 4." in chart
    table = section(html, "The numbers behind the charts", "</table>")
    assert f"<th scope=\"row\">{day1}</th><td>4</td><td>10</td><td>2</td>" in table


def test_running_now_lists_the_shops_runs_and_the_operators_key_rotation(app):
    from connector.accounts.models import AmazonAccount

    shop = make_shop()
    db.session.add(AmazonAccount(shop_id=shop.id, alias="EU main", region="EU", marketplace_ids=["A1PA6795UKMFR9"]))
    other = make_shop("Other", origin="https://other.example")
    resync = start_run("rederive", shop_id=shop.id, account_id=None, triggered_by="full_resync")
    resync.progress_done, resync.progress_total = 250, 1000
    start_run("rederive", shop_id=other.id, triggered_by="full_resync")
    with sync_run("order_import", shop_id=shop.id) as run:
        run.run.summary = "2 new order(s); the import is up to date."
    with sync_run("listings_push", shop_id=shop.id) as run:  # short runs are listed only while they run
        run.run.summary = "Sent 3 changes to Amazon."
    rotation = start_run("key_rotation", shop_id=None, triggered_by="operator")
    rotation.progress_done, rotation.progress_total = 40, 80
    start_run("retention", shop_id=None)  # the operator's housekeeping is not shown to shops
    db.session.commit()

    client = launch(app.test_client(), shop)
    html = client.get("/admin/").get_data(as_text=True)
    running = section(html, 'id="running"', "</section>")
    assert 'data-running="true"' in running
    assert "Full resync" in running and "250 of 1,000 (25%)" in running and 'value="25"' in running
    assert "Key rotation by the operator" in running and "40 of 80 (50%)" in running
    assert "2 new order(s); the import is up to date." in running  # finished a moment ago: shown with its outcome
    assert "Sent 3 changes to Amazon." not in running
    assert "Log retention" not in running
    data = client.get("/admin/dashboard/running").get_json()["operations"]
    assert [(op["label"], op["running"], op["percent"]) for op in data] == [
        ("Key rotation by the operator: stored secrets are encrypted again; syncing goes on", True, 50),
        ("Full resync", True, 25),
        ("Order import", False, None),
    ]
    assert data[0]["url"] is None and data[1]["url"] == f"/admin/runs/{resync.id}"

    clock.advance(timedelta(minutes=3))
    for run in db.session.scalars(db.select(SyncRun).where(SyncRun.status == "running")):
        run.status, run.finished_at = "succeeded", clock.utcnow() - timedelta(minutes=3)
    db.session.commit()
    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    running = section(html, 'id="running"', "</section>")
    assert 'data-running="false"' in running and "Nothing is running." in running
    assert "data-operations-empty hidden" not in running


def test_key_rotation_reports_progress_and_is_recorded_as_a_run(app):
    from cryptography.fernet import Fernet

    shop = make_shop()
    make_shop("Second", origin="https://second.example")
    app.config["ENCRYPTION_KEYS"] = [Fernet.generate_key().decode(), *app.config["ENCRYPTION_KEYS"]]
    app.config["ENCRYPTION_KEYS_FROM_ENV"] = True
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypting 2 stored secrets: shops.webhook_secret 2." in result.output
    assert "shops.webhook_secret: 2 re-encrypted" in result.output
    run = db.session.scalars(db.select(SyncRun).where(SyncRun.kind == "key_rotation")).one()
    assert (run.shop_id, run.status, run.progress_done, run.progress_total, run.changed) == (
        None, "succeeded", 2, 2, 2)
    assert run.summary == "Re-encrypted 2 stored secrets under the new key."
    record("info", "settings", "unrelated", shop_id=shop.id)
