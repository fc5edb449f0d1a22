"""Binding the database, with SQLite set up to share its file between the web app and job consumers."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

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


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    db.init_app(app)
