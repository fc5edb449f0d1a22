"""Binding the database, with SQLite set up to share its file between the web app and job consumers."""
from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from .extensions import db

# Import every model module so metadata (create_all, Alembic, key rotation) sees all tables.
from .shops import models as _shops  # noqa: F401
from .accounts import models as _accounts  # noqa: F401
from .synclog import models as _synclog  # noqa: F401
from .amazon import models as _amazon  # noqa: F401
from .jobs import models as _jobs  # noqa: F401
from .webhooks import models as _webhooks  # noqa: F401
from .orders import models as _orders  # noqa: F401
from .stock import models as _stock  # noqa: F401


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        # WAL lets readers and one writer work at once; the busy timeout makes writers queue instead of failing.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


IDLE_BEFORE_PING = 5.0  # seconds


@event.listens_for(Pool, "connect")
@event.listens_for(Pool, "checkin")
def _remember_use(dbapi_connection, connection_record) -> None:
    if connection_record is not None:
        connection_record.info["last_used"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    """pool_pre_ping would ping on every checkout, a round trip on every request. A connection in steady use is
    known to be alive; only one that sat idle (through a database restart, a firewall's idle timeout) is pinged.
    A connection that dies while in use fails its request once and the pool replaces every older one."""
    if time.monotonic() - connection_record.info.get("last_used", 0.0) < IDLE_BEFORE_PING:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as error:  # noqa: BLE001 - any failure means this connection is gone
        raise exc.DisconnectionError(f"connection failed its ping: {type(error).__name__}") from error


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    db.init_app(app)
