"""Each account that imports orders has its import every 15-60 minutes and its re-check daily at 00:00 in its time
zone; the schedules follow the account when it changes, disconnects or goes away."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from connector.accounts.operations import delete_account
from connector.authorization.operations import disconnect
from connector.extensions import db
from connector.jobs.models import Schedule
from connector.jobs.schedules import dispatch_due
from connector.orders.schedules import reconcile_schedules, sync_account_schedules
from connector.orders.settings import SettingsChange, SettingsInvalid, update_settings
from connector.synclog.models import SyncRun
from orderhelpers import connect_account, imported


def schedules() -> dict[str, Schedule]:
    db.session.expire_all()
    return {s.key: s for s in db.session.scalars(select(Schedule).where(Schedule.key.like("order-%")))}


def test_accounts_that_import_orders_get_an_import_and_a_daily_recheck(app, amazon, woo_account):
    reconcile_schedules()
    found = schedules()
    importing, recheck = found[f"order-import:{woo_account.id}"], found[f"order-recheck:{woo_account.id}"]
    assert (importing.task, importing.args, importing.every_seconds) == ("orders.import", [woo_account.id], 900)
    assert (recheck.task, recheck.daily_at, recheck.timezone) == ("orders.recheck", "00:00", "Asia/Shanghai")
    local = recheck.next_run_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (local.hour, local.minute) == (0, 0) and recheck.next_run_at > datetime.now(timezone.utc)
    stamp = importing.next_run_at
    reconcile_schedules()  # nothing changed: nothing is rewritten
    assert schedules()[f"order-import:{woo_account.id}"].next_run_at == stamp

    update_settings(woo_account, SettingsChange(["UNSHIPPED"], 30, 3, "Europe/Berlin", False), "owner")
    sync_account_schedules(woo_account)
    found = schedules()
    assert found[f"order-import:{woo_account.id}"].every_seconds == 1800
    assert found[f"order-recheck:{woo_account.id}"].timezone == "Europe/Berlin"

    # A minute on, but before the re-check's midnight in Berlin (the suite may run at 23:59 there).
    moment = min(datetime.now(timezone.utc) + timedelta(minutes=1),
                 found[f"order-recheck:{woo_account.id}"].next_run_at - timedelta(seconds=1))
    assert dispatch_due(moment) == [f"order-import:{woo_account.id}"]
    assert db.session.scalars(select(SyncRun.kind)).all() == ["order_import"]
    assert imported(woo_account.id) == {}


def test_schedules_go_when_the_account_stops_importing_disconnects_or_is_deleted(app, amazon, woo, woo_account):
    reconcile_schedules()
    woo_account.import_orders = False
    db.session.commit()
    reconcile_schedules()
    assert schedules() == {}

    woo_account.import_orders = True
    db.session.commit()
    reconcile_schedules()
    assert len(schedules()) == 2
    disconnect(woo_account)
    reconcile_schedules()
    assert schedules() == {}

    other = connect_account(woo_account.shop, amazon.state)
    reconcile_schedules()
    assert set(schedules()) == {f"order-import:{other.id}", f"order-recheck:{other.id}"}
    delete_account(other)
    reconcile_schedules()
    assert schedules() == {}


@pytest.mark.parametrize("change,words", [
    (SettingsChange(["UNSHIPPED"], 10, 7, "UTC", False), "15 to 60"),
    (SettingsChange([], 15, 7, "UTC", False), "status"),
    (SettingsChange(["PENDING"], 15, 7, "UTC", False), "status"),
    (SettingsChange(["UNSHIPPED"], 15, 40, "UTC", False), "1 to 30 days"),
    (SettingsChange(["UNSHIPPED"], 15, 7, "Mars/Olympus", False), "time zone"),
])
def test_settings_out_of_range_are_refused(change, words):
    with pytest.raises(SettingsInvalid, match=words):
        change.check()
