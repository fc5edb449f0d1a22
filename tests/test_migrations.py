"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from connector.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


def test_migrations_match_the_models(app):
    db.drop_all()
    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    downgrade(directory=MIGRATIONS, revision="base")
    upgrade(directory=MIGRATIONS)
