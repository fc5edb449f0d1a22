"""Health, configuration safety, the CLI, and secrets at rest."""
from __future__ import annotations

import json
import sqlite3

import pytest
from cryptography.fernet import Fernet

from helpers import make_shop
from connector import create_app
from connector.config import ConfigurationError
from connector.extensions import db
from connector.shops.models import Shop


def test_healthz_reports_database_and_queue(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": True, "job_queue": True}


def test_production_refuses_default_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECTOR_ENV", "production")
    monkeypatch.setenv("CONNECTOR_PUBLIC_URL", "https://connector.example.com")
    with pytest.raises(ConfigurationError) as refused:
        create_app(instance_path=str(tmp_path))
    assert "CONNECTOR_SECRET_KEY" in str(refused.value) and "CONNECTOR_ENCRYPTION_KEYS" in str(refused.value)
    monkeypatch.setenv("CONNECTOR_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("CONNECTOR_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("CONNECTOR_LWA_CLIENT_SECRET", "amzn1.oa2-cs.v1.real")
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    assert create_app(instance_path=str(tmp_path)).config["ENV_NAME"] == "production"


def test_shops_create_prints_json(app):
    result = app.test_cli_runner().invoke(args=[
        "shops", "create", "--host", "woocommerce", "--name", "My Shop", "--admin-origin", "https://shop.example/",
        "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["shop_key"] and data["webhook_secret"].startswith("whsec_")
    assert data["launch_url"].startswith("http://connector.test/admin/launch?token=")
    assert data["admin_origins"] == ["https://shop.example"]
    listing = app.test_cli_runner().invoke(args=["shops", "list"])
    assert "My Shop" in listing.output and data["webhook_secret"] not in listing.output
    url = app.test_cli_runner().invoke(args=["shops", "launch-url", data["shop_key"], "--role", "support"]).output.strip()
    client = app.test_client()
    assert client.get(url.removeprefix("http://connector.test")).status_code == 302
    assert "Support (read only)" in client.get("/admin/").get_data(as_text=True)


def test_shops_create_rejects_bad_input(app):
    result = app.test_cli_runner().invoke(args=[
        "shops", "create", "--host", "woocommerce", "--name", "X", "--admin-origin", "javascript:alert(1)"])
    assert result.exit_code != 0 and "is not an origin" in result.output


def _raw_database_bytes(app) -> bytes:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        db.session.commit()
        db.engine.dispose()
        path = uri.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return open(path, "rb").read()
    rows = db.session.execute(db.text("SELECT webhook_secret FROM shops UNION ALL SELECT refresh_token FROM amazon_accounts")).all()
    return "\n".join(str(row[0]) for row in rows).encode()


def test_secrets_are_encrypted_at_rest_and_keys_rotate(app):
    shop = make_shop()
    from connector.accounts.models import AmazonAccount

    db.session.add(AmazonAccount(shop_id=shop.id, alias="a", region="EU", refresh_token="Atzr|very-secret-refresh"))
    db.session.commit()
    secret = shop.webhook_secret
    raw = _raw_database_bytes(app)
    assert b"Atzr|very-secret-refresh" not in raw and secret.encode() not in raw

    old_keys = list(app.config["ENCRYPTION_KEYS"])
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = [new_key, *old_keys]
    app.config["ENCRYPTION_KEYS_FROM_ENV"] = True
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "Rotated 2 secrets" in result.output
    app.config["ENCRYPTION_KEYS"] = [new_key]  # the old key is gone: everything must still read
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).webhook_secret == secret
    assert db.session.scalars(db.select(AmazonAccount)).one().refresh_token == "Atzr|very-secret-refresh"


def test_embedded_key_rotation_replaces_the_instance_key(app):
    shop = make_shop()
    secret = shop.webhook_secret
    key_file = app.instance_path + "/encryption_keys"
    open(key_file, "w").write(app.config["ENCRYPTION_KEYS"][0] + "\n")
    app.config["ENCRYPTION_KEYS_FROM_ENV"] = False
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new_keys = open(key_file).read().split()
    assert len(new_keys) == 1 and new_keys[0] == app.config["ENCRYPTION_KEYS"][0]
    app.config["ENCRYPTION_KEYS"] = new_keys
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).webhook_secret == secret


def test_shop_keys_are_safe_on_the_command_line_and_in_urls(app):
    from connector.shops.models import new_shop_key

    keys = {new_shop_key() for _ in range(500)}
    assert len(keys) == 500 and all(key.isalnum() and len(key) == 16 for key in keys)
