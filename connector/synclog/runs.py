"""Sync runs: every job run leaves one row with its counts and progress, a heartbeat while it works, and log
entries tied to it.

    with sync_run("order_import", shop_id=shop.id, account_id=account.id, task="orders.import", task_args=[12]) as run:
        run.progress(0, total)
        run.count(seen=1)
        run.log("error", "Order 902-… held: the cart does not know SKU ABC-1.", amazon_order_id="902-…")

The recorder commits the caller's session when it starts, reports progress and finishes, so a job's work is saved
step by step (jobs are written so that every step is safe to repeat). A background thread beats the heartbeat
(and renews the job's lease) every HEARTBEAT_INTERVAL, even while the job waits for Amazon's rate limit; a run whose
heartbeat stops is noticed by jobs.recovery and queued again.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Iterator

from sqlalchemy import Engine, update

from ..amazon.errors import AccountPaused
from ..clock import utcnow
from ..extensions import db
from ..i18n.labels import N_
from ..jobs.leases import DEFAULT_TTL, HeldLease, lease_ttl
from .models import LogEntry, RunStatus, SyncRun
from .operations import record

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = timedelta(seconds=20)
# Longer than a lease lives (DEFAULT_TTL): the job queued again for a dead run must find the dead consumer's lease
# expired, or it would see "another consumer holds it", do nothing, and the work would wait for its next schedule.
STALE_AFTER = timedelta(seconds=150)


def heartbeat_interval() -> timedelta:
    """Several beats per lease time to live, so a slow beat never lets a live job's lease expire."""
    return min(HEARTBEAT_INTERVAL, lease_ttl() / 6)


def stale_after() -> timedelta:
    """A run is given up for dead after this long without a beat: the same multiple of the lease's time to live."""
    return STALE_AFTER * (lease_ttl() / DEFAULT_TTL)

KIND_LABELS = {
    "stock_push": N_("Stock push"),
    "price_push": N_("Price push"),
    "listings_push": N_("Stock and price push"),
    "full_resync": N_("Full resync"),
    "feed_check": N_("Feed result check"),
    "rederive": N_("Recalculating what Amazon should show"),
    "item_lookup": N_("Shopify SKU lookup"),
    "order_import": N_("Order import"),
    "order_recheck": N_("Order re-check"),
    "order_create": N_("Cart order creation"),
    "shipment_confirmation": N_("Shipment confirmation"),
    "token_check": N_("Token check"),
    "webhook_processing": N_("Webhook processing"),
    "key_rotation": N_("Key rotation"),
    "retention": N_("Log retention"),
    # Entries written outside runs.
    "webhook": N_("Webhook received"),
    "authorization": N_("Authorization"),
    "connection_test": N_("Connection test"),
    "cart_connection": N_("Cart connection"),
    "account": N_("Account settings"),
    "settings": N_("Shop settings"),
    "token": N_("Token"),
    "operator": N_("Operator notice"),
}


class LeaseLost(RuntimeError):
    """The job's lease expired and another consumer took over; this run must stop without writing more."""


class _Heartbeat(threading.Thread):
    def __init__(self, engine: Engine, run_id: int, lease: HeldLease | None) -> None:
        super().__init__(name=f"heartbeat-run-{run_id}", daemon=True)
        self.interval = heartbeat_interval().total_seconds()  # read here: the thread has no app context
        self.engine = engine
        self.run_id = run_id
        self.lease = lease
        self.stopped = threading.Event()
        self.lease_lost = False

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                with self.engine.begin() as connection:
                    connection.execute(update(SyncRun).where(SyncRun.id == self.run_id).values(heartbeat_at=utcnow()))
                if self.lease is not None and not self.lease.renew():
                    self.lease_lost = True
            except Exception:  # noqa: BLE001 - a missed beat is retried; the database may be restarting
                logger.warning("Heartbeat of run %s failed; trying again", self.run_id, exc_info=True)


class RunRecorder:
    def __init__(self, run: SyncRun, heartbeat: _Heartbeat) -> None:
        self.run = run
        self._heartbeat = heartbeat
        self.status: str | None = None  # set to override the outcome computed from the counts

    def count(self, **increments: int) -> None:
        for name, amount in increments.items():
            if name not in SyncRun.COUNTERS:
                raise TypeError(f"unknown counter {name}")
            setattr(self.run, name, (getattr(self.run, name) or 0) + amount)

    def progress(self, done: int, total: int | None = None) -> None:
        """Record how far the run got and save the work so far; raises LeaseLost if another consumer took over."""
        self.check()
        self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        self.run.heartbeat_at = utcnow()
        db.session.commit()

    def check(self) -> None:
        if self._heartbeat.lease_lost:
            raise LeaseLost(f"run {self.run.id} lost its lease")

    def log(self, level: str, message: str, *, commit: bool = True, **references: Any) -> LogEntry:
        return record(level, self.run.kind, message, shop_id=self.run.shop_id, account_id=self.run.account_id,
                      run_id=self.run.id, commit=commit, **references)

    def _finish(self, status: str, summary: str | None) -> None:
        self.run.status = status
        self.run.finished_at = utcnow()
        if summary:
            self.run.summary = summary
        db.session.commit()


def start_run(kind: str, *, shop_id: int | None, account_id: int | None = None, task: str | None = None,
              task_args: list | None = None, triggered_by: str = "schedule") -> SyncRun:
    run = SyncRun(kind=kind, shop_id=shop_id, account_id=account_id, task=task, task_args=task_args,
                  triggered_by=triggered_by, status=RunStatus.RUNNING)
    db.session.add(run)
    db.session.commit()
    return run


@contextmanager
def sync_run(kind: str, *, shop_id: int | None, account_id: int | None = None, task: str | None = None,
             task_args: list | None = None, triggered_by: str = "schedule",
             lease: HeldLease | None = None) -> Iterator[RunRecorder]:
    """Record a run around the block. An AccountPaused ends it as skipped with one clear log line (nothing is lost:
    the work waits for the account); any other error ends it as failed, is logged and propagates."""
    run = start_run(kind, shop_id=shop_id, account_id=account_id, task=task, task_args=task_args,
                    triggered_by=triggered_by)
    heartbeat = _Heartbeat(db.engine, run.id, lease)
    heartbeat.start()
    recorder = RunRecorder(run, heartbeat)
    label = KIND_LABELS.get(kind, kind)
    try:
        yield recorder
    except AccountPaused as paused:
        db.session.rollback()
        recorder.log("warning", f"{label} skipped: {paused.message.rstrip('.')}. Nothing is lost; it runs again once "
                                "the account is usable.", error_code=paused.code)
        recorder._finish(RunStatus.SKIPPED, f"Skipped: {paused.message}")
    except LeaseLost:
        db.session.rollback()
        recorder._finish(RunStatus.INTERRUPTED, "Stopped: another consumer took over this job.")
        raise
    except Exception as error:
        db.session.rollback()
        message = f"{label} failed: {describe(error)}"
        recorder.log("error", message, **error_references(error))
        recorder._finish(RunStatus.FAILED, message)
        raise
    else:
        status = recorder.status or (RunStatus.PARTIAL if run.failed else RunStatus.SUCCEEDED)
        recorder._finish(status, run.summary)
    finally:
        heartbeat.stopped.set()


def describe(error: BaseException) -> str:
    """A sentence for the log: Amazon's errors already read well; anything else names what went wrong."""
    text = str(error).strip() or type(error).__name__
    return text if getattr(error, "http_status", None) is not None or text.endswith(".") else f"{text}."


def error_references(error: BaseException) -> dict[str, Any]:
    """The references an Amazon error carries, for the log entry."""
    references = {
        "amazon_request_id": getattr(error, "request_id", None),
        "http_status": getattr(error, "http_status", None),
        "error_code": getattr(error, "code", None),
    }
    return {key: value for key, value in references.items() if value is not None}
