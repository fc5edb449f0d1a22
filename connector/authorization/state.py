"""Signed, single-use values that carry the flow across Amazon: the popup ticket and the OAuth state.

The popup runs top-level on our origin, where the iframe's partitioned session cookie is not visible, so the
admin hands it a signed ticket. The OAuth state is bound to the shop, the account and the popup's browser session
(a random nonce kept there), expires after 10 minutes, and its AuthorizationAttempt row makes it work once.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app, session
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update

from ..accounts.models import AmazonAccount, AuthorizationAttempt
from ..clock import utcnow
from ..extensions import db
from ..i18n.labels import N_

TICKET_MAX_AGE = 600
NONCE_KEY = "authorization_nonce"
PENDING_STATE_KEY = "authorization_state"


class StateRejected(Exception):
    """The flow cannot continue; the message tells the seller what happened and what to do."""

    def __init__(self, message: str, reason: str, attempt: AuthorizationAttempt | None = None):
        super().__init__(message)
        self.reason = reason
        self.attempt = attempt


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"connector.authorization.{purpose}")


def issue_ticket(account: AmazonAccount) -> str:
    return _serializer("ticket").dumps({"shop": account.shop_id, "account": account.id})


def read_ticket(ticket: str | None) -> AmazonAccount:
    try:
        payload = _serializer("ticket").loads(ticket or "", max_age=TICKET_MAX_AGE)
    except SignatureExpired:
        raise StateRejected(
            N_("This window was open too long. Close it and click Request / Renew Token again."), "ticket_expired")
    except BadSignature:
        raise StateRejected(
            N_("This link is not valid. Close this window and click Request / Renew Token again."), "ticket_invalid")
    account = db.session.get(AmazonAccount, payload["account"])
    if account is None or account.shop_id != payload["shop"]:
        raise StateRejected(N_("This Amazon account no longer exists in the connector."), "account_missing")
    return account


def browser_nonce() -> str:
    if NONCE_KEY not in session:
        session[NONCE_KEY] = secrets.token_urlsafe(24)
    return session[NONCE_KEY]


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()[:32]


def issue_state(account: AmazonAccount) -> str:
    attempt = AuthorizationAttempt(state_id=secrets.token_urlsafe(24), shop_id=account.shop_id, account_id=account.id)
    db.session.add(attempt)
    db.session.commit()
    state = _serializer("state").dumps(
        {"id": attempt.state_id, "shop": account.shop_id, "account": account.id, "browser": _nonce_hash(browser_nonce())}
    )
    session[PENDING_STATE_KEY] = state
    return state


def consume_state(state: str | None) -> AuthorizationAttempt:
    """Verify the state and burn it; every refusal names its reason for the log."""
    if not state:
        raise StateRejected(N_("Amazon sent us back without the security state. Please start again."), "state_missing")
    try:
        payload = _serializer("state").loads(state, max_age=current_app.config["AUTHORIZATION_STATE_MAX_AGE"])
    except SignatureExpired:
        raise StateRejected(N_("The authorization took longer than 10 minutes. Please start again."), "state_expired")
    except BadSignature:
        raise StateRejected(N_("The security state was altered, so we stopped. Please start again."), "state_tampered")
    attempt = db.session.scalar(db.select(AuthorizationAttempt).filter_by(state_id=payload["id"]))
    if attempt is None or attempt.shop_id != payload["shop"] or attempt.account_id != payload["account"]:
        raise StateRejected(N_("The security state does not match any request. Please start again."), "state_unknown")
    if payload["browser"] != _nonce_hash(session.get(NONCE_KEY, "")):
        raise StateRejected(
            N_("This authorization was started in another browser window or session. Start it again from the "
               "connector in this browser."), "state_other_browser", attempt,
        )
    burned = db.session.execute(
        update(AuthorizationAttempt)
        .where(AuthorizationAttempt.id == attempt.id, AuthorizationAttempt.finished_at.is_(None))
        .values(finished_at=utcnow(), outcome="in_progress")
    )
    db.session.commit()
    if burned.rowcount != 1:
        raise StateRejected(
            N_("This authorization link was already used. Please start again."), "state_replayed", attempt)
    session.pop(PENDING_STATE_KEY, None)
    return attempt


def pending_state() -> str | None:
    return session.get(PENDING_STATE_KEY)
