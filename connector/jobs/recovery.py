"""Noticing runs whose consumer died (its heartbeat stopped) and queueing their job again.

Every job is written to be safe to run twice, so rerunning a half-finished one completes it instead of doubling it.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from ..clock import utcnow
from ..extensions import db
from ..synclog.models import RunStatus, SyncRun
from ..synclog.operations import record
from ..synclog.runs import KIND_LABELS, stale_after
from .registry import enqueue

logger = logging.getLogger(__name__)


def recover_stalled_runs(now: datetime | None = None) -> list[int]:
    """Mark runs without a heartbeat for stale_after() as interrupted and queue their job again; returns their IDs."""
    now = now or utcnow()
    stalled = db.session.scalars(
        select(SyncRun).where(SyncRun.status == RunStatus.RUNNING, SyncRun.heartbeat_at < now - stale_after())
    ).all()
    recovered = []
    for run in stalled:
        claimed = db.session.execute(
            update(SyncRun)
            .where(SyncRun.id == run.id, SyncRun.status == RunStatus.RUNNING, SyncRun.heartbeat_at == run.heartbeat_at)
            .values(status=RunStatus.INTERRUPTED, finished_at=now,
                    summary="Stopped answering (its job consumer probably stopped); queued again.")
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        db.session.commit()
        if not claimed:
            continue
        label = KIND_LABELS.get(run.kind, run.kind)
        requeue = run.task is not None
        record("warning", run.kind,
               f"{label} (run {run.id}) stopped answering: its job consumer probably stopped. "
               + ("It was queued again and continues where it left off." if requeue else
                  "It runs again at its next scheduled time."),
               shop_id=run.shop_id, account_id=run.account_id, run_id=run.id)
        if requeue:
            enqueue(run.task, *(run.task_args or []))
        recovered.append(run.id)
    return recovered
