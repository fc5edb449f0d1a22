"""The log support reads: sync runs (one per job run) and the entries they and everything else write."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..dbtypes import BigIntegerKey, UTCDateTime
from ..extensions import db


class RunStatus:
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # finished, but some items failed
    FAILED = "failed"
    SKIPPED = "skipped"  # nothing could be done (account paused, switched off); state is kept for later
    INTERRUPTED = "interrupted"  # its consumer stopped answering; the job was queued again

    FINISHED = (SUCCEEDED, PARTIAL, FAILED, SKIPPED, INTERRUPTED)


class SyncRun(db.Model):
    """One run of a job: what it was, for which account, how far it got and how it ended."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        Index("ix_sync_runs_shop_started", "shop_id", "started_at", "id"),
        Index("ix_sync_runs_account_kind_started", "account_id", "kind", "started_at"),
        Index("ix_sync_runs_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    # Kept after an account is deleted, like log entries: support still needs the history.
    account_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    triggered_by: Mapped[str] = mapped_column(String(60), default="schedule")
    # What to queue again if the consumer running this dies (see jobs.recovery).
    task: Mapped[str | None] = mapped_column(String(100))
    task_args: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    summary: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    progress_done: Mapped[int | None] = mapped_column(Integer)
    progress_total: Mapped[int | None] = mapped_column(Integer)

    COUNTERS = ("seen", "changed", "sent", "accepted", "failed")

    @property
    def running(self) -> bool:
        return self.status == RunStatus.RUNNING

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(100 * (self.progress_done or 0) / self.progress_total))


class LogEntry(db.Model):
    __tablename__ = "log_entries"
    __table_args__ = (
        # Keyset pages walk these from either end: newest and oldest pages cost the same.
        Index("ix_log_entries_shop_time", "shop_id", "created_at", "id"),
        Index("ix_log_entries_account_time", "account_id", "created_at", "id"),
        Index("ix_log_entries_shop_level_time", "shop_id", "level", "created_at", "id"),
        Index("ix_log_entries_shop_kind_time", "shop_id", "kind", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntegerKey, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    level: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(40))
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    # Kept after an account is deleted: support still needs its history.
    account_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(BigIntegerKey, index=True)
    message: Mapped[str] = mapped_column(Text)
    amazon_request_id: Mapped[str | None] = mapped_column(String(80), index=True)
    http_status: Mapped[int | None] = mapped_column(Integer, index=True)
    error_code: Mapped[str | None] = mapped_column(String(80), index=True)
    sku: Mapped[str | None] = mapped_column(String(100), index=True)
    amazon_order_id: Mapped[str | None] = mapped_column(String(40), index=True)
    cart_order_id: Mapped[str | None] = mapped_column(String(40), index=True)
    feed_id: Mapped[str | None] = mapped_column(String(40), index=True)
    webhook_delivery_id: Mapped[int | None] = mapped_column(BigIntegerKey, index=True)
    details: Mapped[dict | None] = mapped_column(JSON)


class DailyCount(db.Model):
    """Per shop, account, UTC day and kind: what the runs of that day did and how many problems were logged.
    Kept after the entries themselves are purged, for the dashboard's charts."""

    __tablename__ = "daily_counts"
    __table_args__ = (Index("ix_daily_counts_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
