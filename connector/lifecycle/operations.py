"""Expiry reminders (30 days ahead, weekly, once each), the expiry notice, and the client-secret age check."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import RENEWAL_WINDOW, AmazonAccount, TokenReminder, TokenState
from ..clock import as_utc, utcnow
from ..extensions import db
from ..synclog.operations import record
from ..carts.generic import GenericCartClient
from .notify import send_email

REMINDER_INTERVAL = timedelta(days=7)
EXPIRED_NOTICE = 100  # sequence number of the "your token has expired" notice
RETRY_UNSENT_AFTER = timedelta(minutes=15)
CLIENT_SECRET_WARN_AGE = timedelta(days=150)
CLIENT_SECRET_MAX_AGE = timedelta(days=180)


def due_sequence(expires_at: datetime, now: datetime) -> int | None:
    """Which reminder is due now: 0 at 30 days before expiry, 1 a week later, …; the expiry notice after it."""
    if now >= expires_at:
        return EXPIRED_NOTICE
    window_start = expires_at - RENEWAL_WINDOW
    if now < window_start:
        return None
    return int((now - window_start) / REMINDER_INTERVAL)


def send_due_reminders(now: datetime | None = None) -> int:
    """Claim and deliver every reminder that is due; returns how many were delivered by this call."""
    now = now or utcnow()
    accounts = db.session.scalars(
        select(AmazonAccount).where(
            AmazonAccount.refresh_token.is_not(None),
            AmazonAccount.expires_at.is_not(None),
            AmazonAccount.token_state != TokenState.INVALID,
            AmazonAccount.expires_at <= now + RENEWAL_WINDOW,
        )
    ).all()
    delivered = 0
    for account in accounts:
        sequence = due_sequence(as_utc(account.expires_at), now)
        if sequence is not None and _claim(account, sequence):
            delivered += 1
    for reminder in _unsent_claims(now):
        _deliver(reminder)
    return delivered


def _claim(account: AmazonAccount, sequence: int) -> bool:
    """Insert the reminder row; the unique key lets exactly one consumer win, and only the winner delivers."""
    reminder = TokenReminder(account_id=account.id, authorization_expires_at=account.expires_at, sequence=sequence)
    db.session.add(reminder)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    _deliver(reminder)
    return True


def _unsent_claims(now: datetime) -> list[TokenReminder]:
    """Claims whose delivery failed part-way (host down, SMTP error) are retried, never forgotten."""
    return db.session.scalars(
        select(TokenReminder).where(TokenReminder.sent_at.is_(None), TokenReminder.created_at < now - RETRY_UNSENT_AFTER)
    ).all()


def _deliver(reminder: TokenReminder) -> None:
    account = db.session.get(AmazonAccount, reminder.account_id)
    if account is None:
        return
    shop = account.shop
    subject, text = _reminder_text(account, reminder.sequence)
    channels = dict(reminder.channels or {})
    if channels.get("email") not in ("sent", "logged", "no address"):
        channels["email"] = _attempt(lambda: send_email(shop.contact_email, subject, text) if shop.contact_email else "no address")
    if channels.get("host") not in ("sent", "no url"):
        event_type = "amazon.token.expired" if reminder.sequence == EXPIRED_NOTICE else "amazon.token.expiring"
        data = {
            "account_alias": account.alias,
            "selling_partner_id": account.selling_partner_id,
            "expires_at": as_utc(account.expires_at).isoformat(),
            "message": text,
        }
        message_id = f"reminder-{reminder.id}"
        channels["host"] = (
            _attempt(lambda: _notify_host(shop, event_type, data, message_id)) if shop.notification_url else "no url"
        )
    reminder.channels = channels
    failed = [name for name, outcome in channels.items() if outcome.startswith("failed")]
    if not failed:
        reminder.sent_at = utcnow()
    db.session.commit()
    level = "error" if reminder.sequence == EXPIRED_NOTICE or failed else "warning"
    detail = f" Delivery failed for {', '.join(failed)}; it will be retried." if failed else ""
    record(level, "token", text + detail, shop_id=shop.id, account_id=account.id)


def _notify_host(shop, event_type: str, data: dict, message_id: str) -> str:
    GenericCartClient(shop.notification_url, shop.webhook_secret).send_event(event_type, data, message_id)
    return "sent"


def _attempt(send) -> str:
    try:
        return send()
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried later
        return f"failed: {type(exc).__name__}"


def _reminder_text(account: AmazonAccount, sequence: int) -> tuple[str, str]:
    expires = as_utc(account.expires_at).strftime("%Y-%m-%d")
    if sequence == EXPIRED_NOTICE:
        return (
            f"Amazon authorization for {account.alias} has expired",
            f"The Amazon authorization of account {account.alias} expired on {expires}. Syncing for this account "
            "is paused and nothing is lost. Open the connector and click Request / Renew Token to reinstate it.",
        )
    days = max((as_utc(account.expires_at) - utcnow()).days, 0)
    return (
        f"Renew the Amazon authorization for {account.alias} (expires {expires})",
        f"The Amazon authorization of account {account.alias} expires on {expires}, in {days} days. "
        "Open the connector and click Request / Renew Token; syncing pauses when it expires.",
    )


def client_secret_age_warning(today: date | None = None) -> str | None:
    created = current_app.config.get("LWA_CLIENT_SECRET_CREATED_ON")
    if not created:
        return None
    created_on = date.fromisoformat(created)
    today = today or utcnow().date()
    if today - created_on < CLIENT_SECRET_WARN_AGE:
        return None
    deadline = created_on + CLIENT_SECRET_MAX_AGE
    return (
        f"The Login with Amazon client secret is {(today - created_on).days} days old. Amazon requires rotation "
        f"every 180 days (deadline {deadline.isoformat()}): rotate it in the Solution Provider Portal, set "
        "CONNECTOR_LWA_CLIENT_SECRET and CONNECTOR_LWA_CLIENT_SECRET_CREATED_ON, and restart."
    )


def remind_operator_of_client_secret() -> str | None:
    warning = client_secret_age_warning()
    if warning:
        record("warning", "operator", warning)
        operator = current_app.config.get("OPERATOR_EMAIL")
        if operator:
            send_email(operator, "Rotate the Login with Amazon client secret", warning)
    return warning
