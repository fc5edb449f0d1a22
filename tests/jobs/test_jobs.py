"""Leases, schedules and crash recovery: the pieces that let several consumers share the work safely."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from connector import clock
from connector.amazon.errors import AccountPaused
from connector.extensions import db
from connector.jobs import leases, recovery, schedules
from connector.jobs.models import Schedule
from connector.jobs.registry import job
from connector.synclog import runs
from connector.synclog.models import LogEntry, RunStatus, SyncRun
from helpers import make_shop

CALLS: list[tuple] = []


@job("tests.remember")
def remember(*args) -> None:
    CALLS.append(args)


@pytest.fixture(autouse=True)
def forget_calls():
    CALLS.clear()


def test_a_lease_has_one_holder_until_it_expires(app):
    first = leases.acquire("order-import:1", timedelta(minutes=2))
    assert first is not None and leases.acquire("order-import:1") is None
    assert leases.acquire("order-import:2") is not None  # another name is another lease
    clock.advance(timedelta(minutes=3))
    second = leases.acquire("order-import:1")
    assert second is not None
    assert not first.renew()  # the first holder learns it lost the lease
    first.release()  # and releasing it does not free the new holder's lease
    assert leases.acquire("order-import:1") is None
    second.release()
    with leases.held("order-import:1") as lease:
        assert lease is not None


def test_concurrent_consumers_get_the_lease_once(app):
    results, barrier = [], threading.Barrier(5)

    def consumer():
        with app.app_context():
            barrier.wait(timeout=30)
            results.append(leases.acquire("feed-submission:7"))

    threads = [threading.Thread(target=consumer) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1


def test_interval_schedule_dispatches_once_however_many_schedulers(app):
    schedules.ensure_schedule("import:1", "tests.remember", [1], every_seconds=900)
    assert schedules.dispatch_due() == ["import:1"]
    assert schedules.dispatch_due() == []  # a second scheduler, or the same one a moment later
    assert CALLS == [(1,)]
    clock.advance(timedelta(seconds=901))
    assert schedules.dispatch_due() == ["import:1"] and CALLS == [(1,), (1,)]
    clock.advance(timedelta(hours=5))  # the scheduler was down: one run now, not twenty missed ones
    assert schedules.dispatch_due() == ["import:1"]
    schedule = db.session.scalar(select(Schedule).where(Schedule.key == "import:1"))
    assert schedule.next_run_at - clock.utcnow() == pytest.approx(timedelta(seconds=900), abs=timedelta(seconds=2))


def test_racing_schedulers_never_double_a_run(app):
    schedules.ensure_schedule("recheck:1", "tests.remember", ["race"], every_seconds=60)
    barrier = threading.Barrier(4)

    def scheduler():
        with app.app_context():
            barrier.wait(timeout=30)
            schedules.dispatch_due()
            db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert CALLS == [("race",)]


def test_daily_schedule_runs_at_midnight_in_its_time_zone(app):
    schedule = Schedule(key="k", task="tests.remember", daily_at="00:00", timezone="Asia/Shanghai")
    after = datetime(2026, 11, 23, 15, 30, tzinfo=timezone.utc)  # 23:30 in Shanghai
    assert schedules.next_run_after(schedule, after) == datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)
    assert schedules.next_run_after(schedule, datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)) == datetime(
        2026, 11, 24, 16, 0, tzinfo=timezone.utc)
    with pytest.raises(Exception):
        schedules.ensure_schedule("bad", "tests.remember", daily_at="00:00", timezone="Mars/Olympus")


def test_a_run_records_counts_progress_and_outcome(app):
    shop = make_shop()
    with runs.sync_run("stock_push", shop_id=shop.id, account_id=3, triggered_by="user") as run:
        run.count(seen=10, changed=4, sent=4)
        run.progress(2, 4)
        assert db.session.get(SyncRun, run.run.id).progress_percent == 50
        run.count(accepted=3, failed=1)
        run.log("error", "Amazon rejected SKU ABC-1 in feed 5012.", sku="ABC-1", feed_id="5012")
    stored = db.session.get(SyncRun, run.run.id)
    assert stored.status == RunStatus.PARTIAL and stored.finished_at is not None
    assert (stored.seen, stored.changed, stored.sent, stored.accepted, stored.failed) == (10, 4, 4, 3, 1)
    entry = db.session.scalars(select(LogEntry)).one()
    assert entry.run_id == stored.id and entry.sku == "ABC-1" and entry.kind == "stock_push"


def test_a_paused_account_skips_the_run_with_one_clear_line(app):
    shop = make_shop()
    with runs.sync_run("order_import", shop_id=shop.id, account_id=4) as run:
        raise AccountPaused("the authorization expired on 2026-11-01; renew the token", code="authorization_expired")
    assert db.session.get(SyncRun, run.run.id).status == RunStatus.SKIPPED
    entry = db.session.scalars(select(LogEntry)).one()
    assert entry.level == "warning" and "Order import skipped: the authorization expired" in entry.message
    assert "Nothing is lost" in entry.message and entry.error_code == "authorization_expired"


def test_a_failing_run_is_logged_in_plain_words_and_raises(app):
    shop = make_shop()
    with pytest.raises(ValueError):
        with runs.sync_run("feed_check", shop_id=shop.id) as run:
            raise ValueError("the processing report could not be parsed")
    assert db.session.get(SyncRun, run.run.id).status == RunStatus.FAILED
    assert db.session.scalars(select(LogEntry)).one().message == (
        "Feed result check failed: the processing report could not be parsed.")


def test_heartbeat_keeps_a_run_alive_and_renews_its_lease(app, monkeypatch):
    monkeypatch.setattr(runs, "HEARTBEAT_INTERVAL", timedelta(milliseconds=50))
    shop = make_shop()
    lease = leases.acquire("order-import:9", timedelta(seconds=1))
    with runs.sync_run("order_import", shop_id=shop.id, lease=lease) as run:
        started = db.session.get(SyncRun, run.run.id).heartbeat_at
        threading.Event().wait(0.3)
        db.session.expire_all()
        assert db.session.get(SyncRun, run.run.id).heartbeat_at > started
        assert leases.acquire("order-import:9") is None


def test_a_run_that_lost_its_lease_stops(app, monkeypatch):
    monkeypatch.setattr(runs, "HEARTBEAT_INTERVAL", timedelta(milliseconds=50))
    shop = make_shop()
    lease = leases.acquire("order-import:8", timedelta(seconds=30))
    with pytest.raises(runs.LeaseLost):
        with runs.sync_run("order_import", shop_id=shop.id, lease=lease) as run:
            clock.advance(timedelta(minutes=1))
            assert leases.acquire("order-import:8") is not None  # another consumer takes over
            deadline = time.monotonic() + 10  # the heartbeat notices within a beat or two, later on a loaded machine
            while time.monotonic() < deadline:
                run.progress(1)
                threading.Event().wait(0.05)
    assert db.session.get(SyncRun, run.run.id).status == RunStatus.INTERRUPTED


def test_a_run_whose_consumer_died_is_queued_again_once(app):
    shop = make_shop()
    dead = runs.start_run("order_import", shop_id=shop.id, account_id=5, task="tests.remember", task_args=[5])
    alive = runs.start_run("stock_push", shop_id=shop.id, task="tests.remember", task_args=["alive"])
    clock.advance(timedelta(minutes=5))
    alive.heartbeat_at = clock.utcnow()
    db.session.commit()
    assert recovery.recover_stalled_runs() == [dead.id]
    assert recovery.recover_stalled_runs() == []
    assert CALLS == [(5,)]
    assert db.session.get(SyncRun, dead.id).status == RunStatus.INTERRUPTED
    entry = db.session.scalars(select(LogEntry)).one()
    assert "stopped answering" in entry.message and "queued again" in entry.message and entry.run_id == dead.id


def test_a_run_given_up_for_dead_has_left_its_lease_to_the_job_queued_again(app):
    """Regression: runs were given up after 90 s while their lease lived 120 s, so the import queued again found
    the dead consumer's lease, did nothing, and the orders waited for the next scheduled import."""
    shop = make_shop()
    lease = leases.acquire("order-import:9")
    dead = runs.start_run("order_import", shop_id=shop.id, account_id=9, task="tests.remember", task_args=[9])
    clock.advance(runs.stale_after() + timedelta(seconds=1))
    assert recovery.recover_stalled_runs() == [dead.id]
    assert leases.acquire("order-import:9") is not None  # what the job queued again does first
    assert not lease.renew()


def test_a_faster_scheduler_tick_repeats_only_the_every_minute_work(app):
    from connector.jobs.consumer import minute_tasks

    names = {task_class.__name__ for task_class in minute_tasks()}
    assert names == {"dispatch_schedules", "recover_stalled", "sweep_inboxes", "orders_sweep", "sweep_stock"}
