"""Expiry reminders: 30 days ahead, weekly, each exactly once, to the admin, by e-mail and to the host."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, timedelta

import pytest

from helpers import launch, make_shop
from connector import clock
from connector.accounts.models import AmazonAccount, TokenReminder, TokenState
from connector.extensions import db
from connector.lifecycle.operations import (
    EXPIRED_NOTICE,
    client_secret_age_warning,
    due_sequence,
    send_due_reminders,
)
from connector.synclog.models import LogEntry
from fakehost import FakeHost


@pytest.fixture
def host():
    fake = FakeHost()
    yield fake
    fake.stop()


def _connected_account(shop, expires_in_days: float) -> AmazonAccount:
    now = clock.utcnow()
    account = AmazonAccount(
        shop_id=shop.id, alias="EU main", region="EU", marketplace_ids=["A1PA6795UKMFR9"],
        selling_partner_id="A2DEMOSELLEREU", refresh_token="Atzr|stored", token_state=TokenState.VALID,
        authorized_at=now - timedelta(days=365 - expires_in_days), expires_at=now + timedelta(days=expires_in_days),
    )
    db.session.add(account)
    db.session.commit()
    return account


def test_due_sequence_weekly_from_thirty_days():
    expires = clock.utcnow() + timedelta(days=100)
    assert due_sequence(expires, expires - timedelta(days=31)) is None
    assert due_sequence(expires, expires - timedelta(days=30)) == 0
    assert due_sequence(expires, expires - timedelta(days=24)) == 0
    assert due_sequence(expires, expires - timedelta(days=23)) == 1
    assert due_sequence(expires, expires - timedelta(days=1)) == 4
    assert due_sequence(expires, expires) == EXPIRED_NOTICE


def test_reminders_go_out_once_each_week_until_expiry(app, host):
    shop = make_shop(contact_email="owner@shop.example", notification_url=f"{host.url}/notify")
    _connected_account(shop, expires_in_days=40)
    assert send_due_reminders() == 0
    sent = 0
    for _day in range(45):
        sent += send_due_reminders()
        sent += send_due_reminders()  # a second consumer running the same job changes nothing
        clock.advance(timedelta(days=1))
    sequences = sorted(r.sequence for r in db.session.scalars(db.select(TokenReminder)))
    assert sequences == [0, 1, 2, 3, 4, EXPIRED_NOTICE]
    assert sent == 6 and len(host.requests) == 6
    assert all(r.sent_at and r.channels == {"email": "logged", "host": "sent"} for r in db.session.scalars(db.select(TokenReminder)))
    assert [r["json"]["type"] for r in host.requests][-1] == "amazon.token.expired"
    messages = [e.message for e in db.session.scalars(db.select(LogEntry).where(LogEntry.kind == "token"))]
    assert len(messages) == 6 and "Request / Renew Token" in messages[0]


def test_host_notification_is_signed_with_standard_webhooks(app, host):
    shop = make_shop(notification_url=f"{host.url}/notify")
    _connected_account(shop, expires_in_days=10)
    send_due_reminders()
    request = host.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    key = base64.b64decode(shop.webhook_secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert request["json"]["type"] == "amazon.token.expiring"


def test_a_failed_host_delivery_is_retried_not_lost(app, host):
    shop = make_shop(notification_url=f"{host.url}/notify")
    _connected_account(shop, expires_in_days=10)
    host.fail_with = 503
    assert send_due_reminders() == 1
    reminder = db.session.scalars(db.select(TokenReminder)).one()
    assert reminder.sent_at is None and reminder.channels["host"].startswith("failed")
    host.fail_with = None
    clock.advance(timedelta(minutes=20))
    send_due_reminders()
    db.session.refresh(reminder)
    assert reminder.sent_at is not None and reminder.channels["host"] == "sent"
    assert len(host.requests) == 2
    assert db.session.scalars(db.select(TokenReminder)).all() == [reminder]


def test_dashboard_asks_for_renewal_while_it_is_due(app):
    shop = make_shop()
    _connected_account(shop, expires_in_days=12)
    html = launch(app.test_client(), shop).get("/admin/").get_data(as_text=True)
    assert "action-amber" in html and "Renew the token now" in html


def test_expired_account_is_red_and_paused(app):
    from connector.accounts.status import account_status

    shop = make_shop()
    account = _connected_account(shop, expires_in_days=1)
    clock.advance(timedelta(days=2))
    status = account_status(account)
    assert status.code == "expired" and status.colour == "red" and not status.can_sync
    assert "Syncing is paused" in status.words


def test_client_secret_rotation_reminder(app):
    app.config["LWA_CLIENT_SECRET_CREATED_ON"] = "2026-01-01"
    assert client_secret_age_warning(date(2026, 5, 30)) is None  # 149 days
    warning = client_secret_age_warning(date(2026, 6, 1))
    assert "151 days old" in warning and "deadline 2026-06-30" in warning
    response = app.test_client().get("/healthz")
    assert response.json["warnings"][0].startswith("The Login with Amazon client secret is")
