"""Writing a verified delivery and its shop's kick marker, durably, before the delivery is acknowledged.

PostgreSQL: deliveries received at the same moment by one process are written together, by one statement in
autocommit on a connection of their own (group commit, see group_commit.py); each request is answered only after
the statement holding its delivery has committed. SQLite: two inserts and a commit on the local file.

A delivery stored as received (one a handler will process) sets its shop's kick marker; whoever set it queues the
shop's drain.
"""
from __future__ import annotations

import functools
import logging
import os
import threading
import weakref
from typing import Any

import psycopg
from sqlalchemy import event, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine

from ..extensions import db
from .group_commit import GroupCommit
from .models import DeliveryStatus, InboxKick, WebhookDelivery

logger = logging.getLogger(__name__)

COLUMNS = ("shop_id", "host_kind", "topic", "dedupe_key", "delivery_id", "event_id", "received_at", "sent_at",
           "status", "body", "body_sha256", "body_size", "remote_addr")


@functools.cache
def batch_statement(rows: int) -> str:
    """Insert `rows` deliveries and set the kick markers of their shops; a delivery seen before (same shop and
    dedupe key, earlier or within the batch) inserts nothing and returns nothing."""
    width = len(COLUMNS)
    values = ", ".join("(" + ", ".join(f"${row * width + column}" for column in range(1, width + 1)) + ", 0, 0)"
                       for row in range(rows))
    return f"""
        WITH delivery AS (
            INSERT INTO webhook_deliveries ({", ".join(COLUMNS)}, attempts, duplicates)
            VALUES {values}
            ON CONFLICT (shop_id, dedupe_key) DO NOTHING
            RETURNING id, shop_id, dedupe_key, status, received_at
        ), kick AS (
            INSERT INTO inbox_kicks (shop_id, queued_at)
            SELECT shop_id, min(received_at) FROM delivery WHERE status = '{DeliveryStatus.RECEIVED}' GROUP BY shop_id
            ON CONFLICT (shop_id) DO NOTHING RETURNING shop_id
        )
        SELECT delivery.id, delivery.shop_id, delivery.dedupe_key, kick.shop_id IS NOT NULL
        FROM delivery LEFT JOIN kick ON kick.shop_id = delivery.shop_id"""


COUNT_DUPLICATE = "UPDATE webhook_deliveries SET duplicates = duplicates + 1 WHERE shop_id = $1 AND dedupe_key = $2"


class InboxUnavailable(Exception):
    """The delivery could not be stored: the request is answered 503 and the host delivers it again."""


def store(values: dict[str, Any]) -> tuple[int | None, bool]:
    """Insert the delivery (a dict of COLUMNS), committed on return. Returns (the delivery's ID, or None when it
    was a duplicate; whether this call set the shop's kick marker: then the caller queues a drain)."""
    if db.engine.dialect.name == "postgresql":
        return _postgres_inbox(db.engine).store(values)
    return _sqlite_store(values)


class PostgresInbox:
    """The group-committed writer of one process: one autocommit connection, used by whichever request leads."""

    def __init__(self, engine: Engine) -> None:
        self._connect_args = engine.dialect.create_connect_args(engine.url)
        self._connection: psycopg.Connection | None = None
        self._pid = os.getpid()
        self._group: GroupCommit[dict[str, Any], tuple[int | None, bool]] = GroupCommit(self._write)

    def store(self, values: dict[str, Any]) -> tuple[int | None, bool]:
        return self._group.submit(values)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and self._pid == os.getpid():
            connection.close()

    def _connect(self) -> psycopg.Connection:
        if self._pid != os.getpid():  # a forked child must not use (or close) its parent's connection
            self._connection, self._pid = None, os.getpid()
        if self._connection is None or self._connection.closed:
            args, kwargs = self._connect_args
            # Native $n placeholders: psycopg converts %s ones on every call once a statement has over 50
            # parameters (a batch of four), which cost as much as the rest of the call.
            self._connection = psycopg.connect(*args, **{**kwargs, "autocommit": True,
                                                         "cursor_factory": psycopg.RawCursor})
        return self._connection

    def _write(self, batch: list[dict[str, Any]]) -> list[tuple[int | None, bool] | BaseException]:
        try:
            connection = self._connect()
            rows = connection.execute(batch_statement(len(batch)), [v[c] for v in batch for c in COLUMNS],
                                      prepare=True).fetchall()
        except psycopg.OperationalError as error:  # the connection is gone or the server is down
            self.close()
            raise InboxUnavailable(f"database unavailable: {type(error).__name__}") from error
        except psycopg.Error as error:
            if len(batch) > 1:  # one delivery the database refuses must not fail the others
                return [self._write_alone(values) for values in batch]
            raise InboxUnavailable(f"the database refused the delivery: {type(error).__name__}") from error
        stored = {(shop_id, key): (delivery_id, kicked) for delivery_id, shop_id, key, kicked in rows}
        outcomes: list[tuple[int | None, bool] | BaseException] = []
        kicks_given: set[int] = set()
        for values in batch:
            found = stored.pop((values["shop_id"], values["dedupe_key"]), None)
            if found is None:
                self._count_duplicate(connection, values)
                outcomes.append((None, False))
                continue
            delivery_id, kicked = found
            outcomes.append((delivery_id, kicked and values["shop_id"] not in kicks_given))
            if kicked:
                kicks_given.add(values["shop_id"])
        return outcomes

    def _write_alone(self, values: dict[str, Any]) -> tuple[int | None, bool] | BaseException:
        try:
            return self._write([values])[0]
        except InboxUnavailable as error:
            return error

    @staticmethod
    def _count_duplicate(connection: psycopg.Connection, values: dict[str, Any]) -> None:
        try:
            connection.execute(COUNT_DUPLICATE, [values["shop_id"], values["dedupe_key"]])
        except psycopg.Error:  # the count is for people reading the list; the duplicate is acknowledged anyway
            logger.warning("Could not count a duplicate webhook delivery", exc_info=True)


_inboxes: weakref.WeakKeyDictionary[Engine, PostgresInbox] = weakref.WeakKeyDictionary()
_inboxes_lock = threading.Lock()


def _postgres_inbox(engine: Engine) -> PostgresInbox:
    inbox = _inboxes.get(engine)
    if inbox is None:
        with _inboxes_lock:
            inbox = _inboxes.get(engine)
            if inbox is None:
                inbox = _inboxes[engine] = PostgresInbox(engine)
                event.listen(engine, "engine_disposed", lambda _engine: inbox.close())
    return inbox


@functools.cache
def _sqlite_statements():
    delivery = (sqlite.insert(WebhookDelivery.__table__).on_conflict_do_nothing(index_elements=["shop_id", "dedupe_key"])
                .returning(WebhookDelivery.__table__.c.id))
    kick = sqlite.insert(InboxKick.__table__).on_conflict_do_nothing().returning(InboxKick.__table__.c.shop_id)
    return delivery, kick


def _sqlite_store(values: dict[str, Any]) -> tuple[int | None, bool]:
    insert_delivery, insert_kick = _sqlite_statements()
    connection = db.session.connection()
    delivery_id = connection.execute(insert_delivery, {**values, "attempts": 0, "duplicates": 0}).scalar()
    marked = False
    if delivery_id is None:
        connection.execute(update(WebhookDelivery).where(
            WebhookDelivery.shop_id == values["shop_id"], WebhookDelivery.dedupe_key == values["dedupe_key"],
        ).values(duplicates=WebhookDelivery.duplicates + 1))
    elif values["status"] == DeliveryStatus.RECEIVED:
        marked = connection.execute(insert_kick, {"shop_id": values["shop_id"],
                                                  "queued_at": values["received_at"]}).scalar() is not None
    db.session.commit()
    return delivery_id, marked
