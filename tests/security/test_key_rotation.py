"""Key rotation: every secret moves to the new key, nothing is lost, and rotating while webhooks arrive, tokens are
refreshed and an owner replaces a webhook secret neither fails a request nor brings back an older value."""
from __future__ import annotations

import threading

from cryptography.fernet import Fernet
from sqlalchemy import text

import hostwebhooks as send
from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa, token_cache
from connector.clock import utcnow
from connector.amazon.models import CachedAccessToken
from connector.authorization.operations import check_connection
from connector.extensions import db
from connector.security import key_rotation
from connector.security.crypto import fernet
from connector.shops.models import Shop, new_webhook_secret
from connector.synclog.models import SyncRun
from connector.webhooks.models import WebhookDelivery
from helpers import make_shop

REDIRECT_URI = "http://connector.test/amazon/authorize/callback"


def _shops(count: int) -> list[Shop]:
    shops = []
    for number in range(count):
        shop = make_shop(f"Shop {number}", origin=f"https://shop-{number}.example")
        shop.cart_api_url, shop.cart_api_key, shop.cart_api_secret = (
            f"https://shop-{number}.example", f"ck_{number:040d}", f"cs_{number:040d}")
        shops.append(shop)
    db.session.commit()
    return shops


def _account(sandbox, shop: Shop) -> AmazonAccount:
    grant = lwa.exchange_code(sandbox.state.issue_code("A1DEMOSELLERNA", REDIRECT_URI), REDIRECT_URI)
    now = utcnow()
    account = AmazonAccount(shop_id=shop.id, alias="US main", region="NA", marketplace_ids=["ATVPDKIKX0DER"],
                            selling_partner_id="A1DEMOSELLERNA", refresh_token=grant.refresh_token,
                            authorization_method="website", authorized_at=now,
                            expires_at=now + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID)
    db.session.add(account)
    db.session.commit()
    return account


def _raw_values() -> list[str]:
    values = []
    with db.engine.connect() as connection:
        for table, column in key_rotation.encrypted_columns():
            values += [value for (value,) in connection.execute(
                text(f'SELECT "{column.name}" FROM "{table.name}" WHERE "{column.name}" IS NOT NULL'))]
    return values


def _start_rotation(app) -> list[str]:
    """What `connector keys rotate` does first with keys from the environment: the new key goes in front."""
    keys = [Fernet.generate_key().decode(), *app.config["ENCRYPTION_KEYS"]]
    app.config["ENCRYPTION_KEYS"] = keys
    return keys


def test_rotation_moves_every_secret_to_the_new_key_and_keeps_their_values(app):
    shops = _shops(3)
    before = {shop.id: (shop.webhook_secret, shop.cart_api_key, shop.cart_api_secret) for shop in shops}
    keys = _start_rotation(app)
    assert key_rotation.rotate_all(keys) == len(_raw_values()) == 9
    app.config["ENCRYPTION_KEYS"] = keys[:1]  # the old key removed
    only_new = fernet(keys[:1])
    assert all(only_new.decrypt(value.encode()) for value in _raw_values())
    db.session.expire_all()
    assert {shop.id: (shop.webhook_secret, shop.cart_api_key, shop.cart_api_secret) for shop in shops} == before


def test_a_secret_replaced_between_reading_and_rewriting_is_not_overwritten(app, monkeypatch):
    shop = _shops(1)[0]
    keys = _start_rotation(app)
    replaced = new_webhook_secret()
    real = fernet(keys)

    class ReplacingWhileRotating:
        """The owner presses "New webhook secret" right after the rotation read the old one."""

        done = False

        def rotate(self, token: bytes) -> bytes:
            if not self.done:
                self.done = True
                with app.app_context():
                    owner = db.session.get(Shop, shop.id)
                    owner.webhook_secret = replaced
                    db.session.commit()
            return real.rotate(token)

    monkeypatch.setattr(key_rotation, "fernet", lambda _keys: ReplacingWhileRotating())
    key_rotation.rotate_all(keys)
    app.config["ENCRYPTION_KEYS"] = keys[:1]
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).webhook_secret == replaced


def test_rotation_under_load_loses_no_delivery_no_token_and_no_secret(app, sandbox, monkeypatch):
    monkeypatch.setattr(key_rotation, "BATCH_SIZE", 25)  # many short batches: more chances to interleave
    sandbox.state.set_clock_speed(0)
    shops = _shops(120)
    account = _account(sandbox, shops[0])
    account_id = account.id
    token_cache.get_access_token(account)
    secret_owner = shops[1]
    keys = _start_rotation(app)
    failures: list[BaseException] = []
    checks: list = []
    replacements: list[int] = []
    sent: list[int] = []
    last_secret = [secret_owner.webhook_secret]
    rotated = threading.Event()

    def worker(body):
        def run():
            try:
                with app.app_context():
                    body()
            except BaseException as error:  # noqa: BLE001 (reported by the test)
                failures.append(error)
        return threading.Thread(target=run)

    def deliveries():
        client = app.test_client()
        number = 0
        while not rotated.is_set() or number < 60:
            target = db.session.get(Shop, shops[2 + number % 20].id)
            answer = send.woocommerce(client, target, "coupon.created", {"id": number})
            assert answer.status_code == 200, answer.get_data(as_text=True)
            sent.append(number)
            number += 1

    def syncs():
        """Connection checks, each after dropping the cached access token: a refresh, a write, an SP-API call."""
        while not rotated.is_set():
            db.session.expire_all()
            account = db.session.get(AmazonAccount, account_id)
            token_cache.invalidate(account, token_cache.get_access_token(account))
            check = check_connection(db.session.get(AmazonAccount, account_id))
            assert check.ok, check
            checks.append(check)

    def secret_replacements():
        while not rotated.is_set():
            replacements.append(1)
            owner = db.session.get(Shop, secret_owner.id)
            owner.webhook_secret = new_webhook_secret()
            db.session.commit()
            last_secret[0] = owner.webhook_secret

    def rotation():
        try:
            key_rotation.rotate_all(keys)
        finally:
            rotated.set()

    threads = [worker(deliveries), worker(syncs), worker(secret_replacements), worker(rotation)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures

    app.config["ENCRYPTION_KEYS"] = keys[:1]  # the old key removed: everything must still be readable
    only_new = fernet(keys[:1])
    raw = _raw_values()
    assert len(raw) >= 3 * 120 + 2 and all(only_new.decrypt(value.encode()) for value in raw)
    db.session.expire_all()
    assert db.session.get(Shop, secret_owner.id).webhook_secret == last_secret[0]
    assert db.session.query(WebhookDelivery).count() == len(sent) >= 60
    assert db.session.get(CachedAccessToken, account_id).access_token in sandbox.state.access_tokens
    assert not db.session.query(SyncRun).filter_by(status="failed").count()
    assert checks and replacements and len(sandbox.state.calls("token")) >= len(checks)
    client = app.test_client()
    owner = db.session.get(Shop, secret_owner.id)
    assert send.woocommerce(client, owner, "coupon.created", {"id": 1}).status_code == 200


def test_embedded_rotation_by_the_cli_is_picked_up_by_a_running_process(tmp_path):
    """`connector keys rotate` in the embedded default (keys in instance/encryption_keys) is another process: the
    server that was already running must read the rotated secrets, and what it writes afterwards must stay readable
    once the old key is gone from the file."""
    from connector import create_app

    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'connector.db'}",
                "HUEY_IMMEDIATE": True}
    server = create_app(dict(settings), instance_path=str(tmp_path / "instance"))
    with server.app_context():
        db.create_all()
        shop = make_shop()
        shop_id, before = shop.id, shop.webhook_secret
        db.session.remove()

    command_line = create_app(dict(settings), instance_path=str(tmp_path / "instance"))
    with command_line.app_context():
        result = command_line.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        db.session.remove()

    with server.app_context():  # the running server, not restarted
        shop = db.session.get(Shop, shop_id)
        assert shop.webhook_secret == before
        shop.webhook_secret = replaced = new_webhook_secret()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    restarted = create_app(dict(settings), instance_path=str(tmp_path / "instance"))
    with restarted.app_context():
        assert len(restarted.config["ENCRYPTION_KEYS"]) == 1
        assert db.session.get(Shop, shop_id).webhook_secret == replaced
        db.session.remove()
        db.engine.dispose()
