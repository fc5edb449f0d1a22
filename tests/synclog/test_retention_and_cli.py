"""Retention keeps daily counts and purges old entries; `connector logs` reads the log like the admin page."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

import hostwebhooks as send
from connector import clock
from connector.extensions import db
from connector.synclog.models import DailyCount, LogEntry, SyncRun
from connector.synclog.operations import record
from connector.synclog.retention import purge
from connector.synclog.runs import sync_run
from connector.webhooks.models import DeliveryStatus, WebhookDelivery
from helpers import make_shop


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_old_entries_are_purged_after_their_days_were_counted(app):
    shop = make_shop()
    with sync_run("order_import", shop_id=shop.id, account_id=7) as run:
        run.count(seen=40, accepted=38, failed=2)
        run.log("error", "Order held: unknown SKU.")
        run.log("warning", "Cart answered slowly.")
    send.woocommerce(app.test_client(), shop, "coupon.created", {"id": 1})  # ignored: finished, purgeable
    waiting = WebhookDelivery(shop_id=shop.id, host_kind="woocommerce", topic="product.updated", dedupe_key="k",
                              status=DeliveryStatus.FAILED, body=b"{}", received_at=clock.utcnow())
    db.session.add(waiting)
    db.session.commit()
    day = clock.utcnow().date()
    clock.advance(timedelta(days=91))
    record("info", "stock_push", "a recent entry", shop_id=shop.id)
    result = purge()
    assert day in result.counted_days
    # the run's two entries and the note that coupon webhooks are ignored
    assert result.deleted == {"log_entries": 3, "sync_runs": 1, "webhook_deliveries": 1}
    assert [e.message for e in db.session.scalars(select(LogEntry))] == ["a recent entry"]
    [counts] = db.session.scalars(select(DailyCount).where(DailyCount.day == day)).all()
    assert (counts.shop_id, counts.account_id, counts.kind) == (shop.id, 7, "order_import")
    assert (counts.runs, counts.seen, counts.accepted, counts.failed, counts.errors, counts.warnings) == (1, 40, 38, 2, 1, 1)
    assert db.session.scalars(select(WebhookDelivery)).all() == [waiting]  # still waiting for a person: kept
    again = purge()
    assert again.deleted == {"log_entries": 0, "sync_runs": 0, "webhook_deliveries": 0}
    assert _count(DailyCount) == 1 and _count(SyncRun) == 0


def test_connector_logs_filters_like_the_admin_page(app):
    shop = make_shop()
    record("error", "stock_push", "Amazon rejected SKU ABC-1 in feed 77.", shop_id=shop.id, sku="ABC-1", feed_id="77")
    record("info", "stock_push", "Pushed 3 SKUs.", shop_id=shop.id)
    runner = app.test_cli_runner()
    text = runner.invoke(args=["logs", shop.shop_key, "--level", "error"])
    assert text.exit_code == 0, text.output
    assert "Amazon rejected SKU ABC-1" in text.output and "sku=ABC-1" in text.output and "Pushed" not in text.output
    as_json = runner.invoke(args=["logs", shop.shop_key, "-q", "77", "--format", "json"])
    assert [row["message"] for row in json.loads(as_json.output)] == ["Amazon rejected SKU ABC-1 in feed 77."]
    csv_out = runner.invoke(args=["logs", str(shop.id), "--format", "csv", "--limit", "1"])
    assert csv_out.output.splitlines()[0].startswith("time_utc,level,kind") and len(csv_out.output.splitlines()) == 2
    assert runner.invoke(args=["logs", "no-such-shop"]).exit_code != 0
