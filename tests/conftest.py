"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL when CONNECTOR_TEST_DATABASE_URL says so)
and the Amazon simulator running on a real port, the way the connector meets Amazon."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from connector import clock, create_app
from connector.config import amazon_endpoints
from connector.extensions import db
from helpers import launch, make_shop


def pytest_ignore_collect(collection_path, config):
    """The reliability suite starts clusters and restarts servers: bin/test runs it on its own, after the others."""
    if "reliability" in collection_path.parts and not os.environ.get("CONNECTOR_RELIABILITY"):
        return True
    return None



def _test_database_url(tmp_path: Path) -> tuple[str, callable]:
    """A brand-new database per test: a SQLite file, or a throwaway PostgreSQL database."""
    server = os.environ.get("CONNECTOR_TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp_path / 'connector.db'}", lambda: None
    name = f"connector_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def sandbox():
    """The Amazon simulator on a real port, shared by the session and reset before each test that uses it."""
    from connector.sandbox.server import start_in_thread
    from connector.sandbox.settings import SandboxSettings

    running = start_in_thread(SandboxSettings.for_tests())
    yield running
    running.stop()


@pytest.fixture
def feeds(sandbox):
    """The simulator's feed store, processing feeds as soon as they are created."""
    sandbox.state.feeds.processing_seconds = 0
    return sandbox.state.feeds


@pytest.fixture
def app(tmp_path, request):
    database_url, drop_database = _test_database_url(tmp_path)
    overrides = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-" + uuid.uuid4().hex,
        "ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "HUEY_IMMEDIATE": True,
        "WEBHOOK_DRAIN_DELAY": 0,  # an in-process queue runs nothing scheduled for later
        "PUBLIC_URL": "http://connector.test",
        "SERVER_NAME": None,
    }
    if "sandbox" in request.fixturenames:
        running = request.getfixturevalue("sandbox")
        running.reset()
        overrides["SIMULATOR_URL"] = running.url
        overrides["AMAZON_ENDPOINTS"] = amazon_endpoints("simulator", running.url)
        overrides.update(running.connector_overrides())
    application = create_app(overrides, instance_path=str(tmp_path / "instance"))
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()
    clock.reset()
    drop_database()


@pytest.fixture
def shop(app):
    return make_shop()


@pytest.fixture
def admin(app, shop):
    """A test client with an owner session for `shop`, as if opened from the cart admin."""
    return launch(app.test_client(), shop)
