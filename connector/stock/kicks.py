"""Queueing the stock jobs once the work they look for is committed, and debouncing the push: a burst of
webhooks for an account queues one push job, not thousands.

Jobs are queued after the commit (a job that ran before it would find nothing); if that queueing is lost with a
killed process, the sweep finds the pending work within a minute.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..extensions import db
from ..jobs.registry import enqueue
from .models import PushKick
from .sql import insert

logger = logging.getLogger(__name__)

_QUEUED = "stock_jobs_after_commit"
QUIET_SECONDS = 2.0  # a push waits this long after the last change, so a burst goes out together


def enqueue_after_commit(name: str, *args, delay: float | None = None) -> None:
    db.session().info.setdefault(_QUEUED, {})[(name, args)] = delay


@event.listens_for(Session, "after_commit")
def _queue_committed_work(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the work is committed with the outer transaction
    for (name, args), delay in session.info.pop(_QUEUED, {}).items():
        try:
            enqueue(name, *args, delay=delay)
        except Exception:  # noqa: BLE001 - the work is in the database; the sweep queues it later
            logger.warning("Could not queue %s%r; the stock sweep will", name, args, exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_work(session: Session) -> None:
    if not session.in_nested_transaction():  # after a savepoint's rollback, a job too many finds nothing: harmless
        session.info.pop(_QUEUED, None)


def request_push(account_ids: Iterable[int], triggered_by: str = "webhook") -> None:
    """Mark the accounts as needing a push; queue a job for those that had none queued."""
    rows = [{"account_id": account_id, "queued_at": utcnow()} for account_id in sorted(set(account_ids))]
    if not rows:
        return
    statement = insert(PushKick).values(rows).on_conflict_do_nothing().returning(PushKick.account_id)
    for account_id in db.session.scalars(statement):
        enqueue_after_commit("stock.push", account_id, triggered_by, delay=QUIET_SECONDS)
