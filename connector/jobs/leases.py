"""Leases: "only one of these runs at a time", across every consumer on every machine, surviving crashes.

A lease is a row with an expiry. Taking it is one conditional upsert (free, or expired), so two consumers can never
both hold it; a holder that dies simply stops renewing and the lease is free again after its time to live.
"""
from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from flask import current_app, has_app_context
from sqlalchemy import Engine, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from ..clock import utcnow
from ..extensions import db
from .models import Lease

DEFAULT_TTL = timedelta(minutes=2)


def lease_ttl() -> timedelta:
    """How long a dead consumer's lease blocks its job (CONNECTOR_JOB_LEASE_SECONDS). The heartbeat and the
    stalled-run check are derived from it, so one setting decides how soon a killed job runs again."""
    if has_app_context():
        return timedelta(seconds=current_app.config.get("JOB_LEASE_SECONDS", DEFAULT_TTL.total_seconds()))
    return DEFAULT_TTL


def holder_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class HeldLease:
    def __init__(self, engine: Engine, name: str, holder: str, ttl: timedelta) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder
        self.ttl = ttl

    def renew(self) -> bool:
        """Extend the lease; False if it was lost (expired and taken by another consumer)."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(Lease).where(Lease.name == self.name, Lease.holder == self.holder)
                .values(expires_at=utcnow() + self.ttl)
            )
        return result.rowcount == 1

    def release(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(Lease).where(Lease.name == self.name, Lease.holder == self.holder))


def acquire(name: str, ttl: timedelta | None = None, engine: Engine | None = None) -> HeldLease | None:
    """Take the lease if it is free or expired; None if someone else holds it.

    Uses its own short transaction: call it when the caller's session has nothing uncommitted (SQLite has one
    writer, so a pending write in the caller's session would make this wait for itself).
    """
    engine = engine or db.engine
    ttl = ttl or lease_ttl()
    holder = holder_identity()
    now = utcnow()
    insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
    statement = insert(Lease).values(name=name, holder=holder, expires_at=now + ttl)
    statement = statement.on_conflict_do_update(
        index_elements=[Lease.name],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=Lease.expires_at < now,
    ).returning(Lease.holder)
    # RETURNING rather than rowcount: psycopg reports no row count for INSERT … ON CONFLICT.
    with engine.begin() as connection:
        taken = connection.execute(statement).scalar() == holder
    return HeldLease(engine, name, holder, ttl) if taken else None


@contextmanager
def held(name: str, ttl: timedelta | None = None) -> Iterator[HeldLease | None]:
    """`with held("order-import:12") as lease:` — lease is None when another consumer has it."""
    lease = acquire(name, ttl)
    try:
        yield lease
    finally:
        if lease is not None:
            lease.release()
