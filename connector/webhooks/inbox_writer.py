"""Writing a verified delivery and its shop's kick marker, durably, in as few round trips as the database allows.

PostgreSQL: one statement (both inserts in a WITH) in autocommit, committed when its answer arrives: one round trip
per webhook. SQLite: two inserts and a commit on the local file.
"""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import TextClause, text, update
from sqlalchemy.dialects import sqlite

from ..extensions import db
from .models import InboxKick, WebhookDelivery

COLUMNS = ("shop_id", "host_kind", "topic", "dedupe_key", "delivery_id", "event_id", "received_at", "sent_at",
           "status", "body", "body_sha256", "body_size", "remote_addr", "attempts", "duplicates")


@functools.cache
def _postgresql_statement() -> TextClause:
    return text(f"""
        WITH delivery AS (
            INSERT INTO webhook_deliveries ({", ".join(COLUMNS)}) VALUES ({", ".join(":" + c for c in COLUMNS)})
            ON CONFLICT (shop_id, dedupe_key) DO NOTHING RETURNING id
        ), kick AS (
            INSERT INTO inbox_kicks (shop_id, queued_at)
            SELECT :shop_id, :received_at WHERE :kick AND EXISTS (SELECT 1 FROM delivery)
            ON CONFLICT (shop_id) DO NOTHING RETURNING shop_id
        )
        SELECT (SELECT id FROM delivery), (SELECT shop_id FROM kick) IS NOT NULL""")


@functools.cache
def _sqlite_statements():
    delivery = (sqlite.insert(WebhookDelivery.__table__).on_conflict_do_nothing(index_elements=["shop_id", "dedupe_key"])
                .returning(WebhookDelivery.__table__.c.id))
    kick = sqlite.insert(InboxKick.__table__).on_conflict_do_nothing().returning(InboxKick.__table__.c.shop_id)
    return delivery, kick


def _count_duplicate(connection, values: dict[str, Any]) -> None:
    connection.execute(update(WebhookDelivery).where(
        WebhookDelivery.shop_id == values["shop_id"], WebhookDelivery.dedupe_key == values["dedupe_key"],
    ).values(duplicates=WebhookDelivery.duplicates + 1))


def store(values: dict[str, Any], kick: bool) -> tuple[int | None, bool]:
    """Insert the delivery (a dict of COLUMNS) and, when `kick` is asked and the delivery is new, the shop's kick
    marker; committed on return. Returns (the delivery's ID or None when it was a duplicate, whether this call set
    the marker: then the caller queues a drain)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            delivery_id, marked = connection.execute(_postgresql_statement(), {**values, "kick": kick}).one()
            if delivery_id is None:
                _count_duplicate(connection, values)
        return delivery_id, bool(marked)
    insert_delivery, insert_kick = _sqlite_statements()
    connection = db.session.connection()
    delivery_id = connection.execute(insert_delivery, values).scalar()
    marked = False
    if delivery_id is None:
        _count_duplicate(connection, values)
    elif kick:
        marked = connection.execute(insert_kick, {"shop_id": values["shop_id"],
                                                  "queued_at": values["received_at"]}).scalar() is not None
    db.session.commit()
    return delivery_id, marked
