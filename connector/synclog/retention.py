"""Keeping the log small and the history long: daily counts per account and kind are kept, entries older than
CONNECTOR_LOG_RETENTION_DAYS (90) are purged by a daily job, in batches, so the tables never lock for long."""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, select

from ..clock import utcnow
from ..extensions import db
from ..webhooks.models import DeliveryStatus, WebhookDelivery
from .models import DailyCount, LogEntry, RunStatus, SyncRun

logger = logging.getLogger(__name__)

PURGE_BATCH = 5000
RECOUNTED_DAYS = 2  # runs that finish after midnight still change yesterday's counts
FINISHED_DELIVERIES = (DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED, DeliveryStatus.REJECTED,
                       DeliveryStatus.DISCARDED)


@dataclass
class Counts:
    runs: int = 0
    seen: int = 0
    changed: int = 0
    sent: int = 0
    accepted: int = 0
    failed: int = 0
    errors: int = 0
    warnings: int = 0

    FIELDS = ("runs", "seen", "changed", "sent", "accepted", "failed", "errors", "warnings")


@dataclass
class PurgeResult:
    counted_days: list[date] = field(default_factory=list)
    deleted: dict[str, int] = field(default_factory=dict)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def count_between(start: datetime, end: datetime, shop_id: int | None = None) -> dict[tuple, Counts]:
    """Counts per (shop, account, kind) of the runs started and the problems logged in [start, end)."""
    totals: dict[tuple, Counts] = defaultdict(Counts)
    runs = select(SyncRun.shop_id, SyncRun.account_id, SyncRun.kind, func.count(), func.sum(SyncRun.seen),
                  func.sum(SyncRun.changed), func.sum(SyncRun.sent), func.sum(SyncRun.accepted),
                  func.sum(SyncRun.failed)).where(SyncRun.started_at >= start, SyncRun.started_at < end,
                                                  SyncRun.shop_id.is_not(None))
    problems = select(LogEntry.shop_id, LogEntry.account_id, LogEntry.kind, LogEntry.level, func.count()).where(
        LogEntry.created_at >= start, LogEntry.created_at < end, LogEntry.level.in_(("error", "warning")),
        LogEntry.shop_id.is_not(None))
    if shop_id is not None:
        runs, problems = runs.where(SyncRun.shop_id == shop_id), problems.where(LogEntry.shop_id == shop_id)
    for shop, account, kind, number, *sums in db.session.execute(
            runs.group_by(SyncRun.shop_id, SyncRun.account_id, SyncRun.kind)):
        counts = totals[(shop, account, kind)]
        counts.runs = number
        counts.seen, counts.changed, counts.sent, counts.accepted, counts.failed = (int(s or 0) for s in sums)
    for shop, account, kind, level, number in db.session.execute(
            problems.group_by(LogEntry.shop_id, LogEntry.account_id, LogEntry.kind, LogEntry.level)):
        setattr(totals[(shop, account, kind)], "errors" if level == "error" else "warnings", number)
    return totals


def store_day(day: date) -> None:
    """Recount one UTC day; safe to repeat."""
    db.session.execute(delete(DailyCount).where(DailyCount.day == day))
    for (shop, account, kind), counts in count_between(*day_bounds(day)).items():
        db.session.add(DailyCount(shop_id=shop, account_id=account, day=day, kind=kind,
                                  **{name: getattr(counts, name) for name in Counts.FIELDS}))
    db.session.commit()


def days_to_count(today: date) -> list[date]:
    last = db.session.scalar(select(func.max(DailyCount.day)))
    if last is None:
        first_run = db.session.scalar(select(func.min(SyncRun.started_at)))
        first_entry = db.session.scalar(select(func.min(LogEntry.created_at)))
        known = [value for value in (first_run, first_entry) if value is not None]
        if not known:
            return []
        first = min(known).date()
    else:
        first = min(last + timedelta(days=1), today - timedelta(days=RECOUNTED_DAYS))
    return [first + timedelta(days=n) for n in range((today - first).days)]


def purge(now: datetime | None = None, keep_days: int | None = None) -> PurgeResult:
    """Count every complete day not counted yet, then delete what is older than the retention period."""
    now = now or utcnow()
    keep_days = keep_days if keep_days is not None else int(current_app.config["LOG_RETENTION_DAYS"])
    result = PurgeResult()
    for day in days_to_count(now.date()):
        store_day(day)
        result.counted_days.append(day)
    cutoff = now - timedelta(days=keep_days)
    result.deleted["log_entries"] = _delete_batches(LogEntry, LogEntry.created_at < cutoff)
    result.deleted["sync_runs"] = _delete_batches(SyncRun, SyncRun.started_at < cutoff,
                                                  SyncRun.status != RunStatus.RUNNING)
    # Deliveries still waiting (received or failed) are kept whatever their age: nothing verified is dropped.
    result.deleted["webhook_deliveries"] = _delete_batches(WebhookDelivery, WebhookDelivery.received_at < cutoff,
                                                           WebhookDelivery.status.in_(FINISHED_DELIVERIES))
    logger.info("Retention: counted %d day(s), deleted %s", len(result.counted_days), result.deleted)
    return result


def _delete_batches(model, *conditions) -> int:
    deleted = 0
    while True:
        ids = db.session.scalars(select(model.id).where(*conditions).limit(PURGE_BATCH)).all()
        if not ids:
            return deleted
        db.session.execute(delete(model).where(model.id.in_(ids)))
        db.session.commit()
        deleted += len(ids)
