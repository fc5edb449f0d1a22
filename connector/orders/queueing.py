"""Queueing a job once the caller's transaction commits, so the job finds what the caller stored: a webhook
handler runs inside the inbox drain's transaction, and a job started before its commit would look in vain (or, on
SQLite, wait for the drain's write lock). A message lost here costs a minute: the orders sweep finds the work."""
from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..jobs.registry import enqueue

logger = logging.getLogger(__name__)
_PENDING = "orders_jobs_after_commit"
_LISTENING = "orders_jobs_listener"


def enqueue_after_commit(name: str, *args: object) -> None:
    session = db.session()
    if not session.info.get(_LISTENING):
        event.listen(session, "after_commit", _queue_pending)
        session.info[_LISTENING] = True
    session.info.setdefault(_PENDING, set()).add((name, args))


def _queue_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released (the drain runs each handler in one): the transaction goes on
    for name, args in sorted(session.info.pop(_PENDING, set()), key=repr):
        try:
            enqueue(name, *args)
        except Exception:  # noqa: BLE001 - the work is stored; the sweep queues it if this message is lost
            logger.warning("Could not queue %s%s; the orders sweep will", name, args, exc_info=True)
