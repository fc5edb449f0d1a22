"""Access tokens cached per account, refreshed once per hour by one process however many ask at once.

The refresh happens under a lock (the CachedAccessToken row on PostgreSQL, the write lock on SQLite, a Redis lock
when REDIS_URL is set) in a session of its own, so the caller's unit of work is neither committed nor rolled back.
Whoever gets the lock second finds the new token and does not call Amazon again.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import AmazonAccount, TokenState
from ..clock import as_utc, utcnow
from ..extensions import db
from ..synclog.models import LogEntry
from . import lwa
from .errors import AccountPaused, InvalidGrant, LWAUnavailable
from .models import CachedAccessToken
from .ratelimit import redis_client

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=1)
INVALID_GRANT_DETAIL = (
    "Amazon refused the refresh token (invalid_grant): the seller revoked access or the authorization expired. "
    "Request a new token."
)


def get_access_token(account: AmazonAccount) -> str:
    """A valid access token for the account; raises AccountPaused instead of asking Amazon when it cannot work."""
    ensure_usable(account)
    with Session(db.engine) as session:
        cached = session.get(CachedAccessToken, account.id)
        if _fresh(cached):
            return cached.access_token
    with _locked(account.id) as session:
        outcome = _refresh_locked(session, account.id)
    if isinstance(outcome, AccountPaused):
        # The caller's copy of the account should say what the database now says, without dirtying it.
        set_committed_value(account, "token_state", TokenState.INVALID)
        set_committed_value(account, "token_state_detail", INVALID_GRANT_DETAIL)
        raise outcome
    return outcome


def invalidate(account: AmazonAccount, access_token: str) -> None:
    """Forget `access_token` after Amazon called it expired, unless another process already replaced it."""
    with _locked(account.id) as session:
        cached = session.get(CachedAccessToken, account.id)
        if cached is not None and cached.access_token == access_token:
            session.delete(cached)


def ensure_usable(account: AmazonAccount) -> None:
    """Raise AccountPaused for an account that cannot get a token now, so nobody asks Amazon in vain."""
    if not account.refresh_token:
        raise AccountPaused("this account has no Amazon token; request one", code="not_connected")
    if account.token_state == TokenState.INVALID:
        raise AccountPaused(account.token_state_detail or INVALID_GRANT_DETAIL, code="invalid_grant")
    expires_at = as_utc(account.expires_at)
    if expires_at is not None and expires_at <= utcnow():
        raise AccountPaused(f"the authorization expired on {expires_at:%Y-%m-%d}; renew the token",
                            code="authorization_expired")


def _fresh(cached: CachedAccessToken | None) -> bool:
    return (cached is not None and cached.access_token is not None and cached.expires_at is not None
            and cached.expires_at - REFRESH_MARGIN > utcnow())


def _refresh_locked(session: Session, account_id: int) -> str | AccountPaused:
    """Under the lock: reuse what another process fetched meanwhile, else ask Amazon.
    Returns the AccountPaused to raise so that its bookkeeping is committed first."""
    cached = session.get(CachedAccessToken, account_id)
    if _fresh(cached):
        return cached.access_token
    account = session.get(AmazonAccount, account_id)
    ensure_usable(account)  # another process may have marked it invalid while we waited
    try:
        grant = lwa.refresh_access_token(account.refresh_token)
    except InvalidGrant as error:
        return _pause(session, account, cached, error)
    if cached is None:
        cached = CachedAccessToken(account_id=account_id)
        session.add(cached)
    cached.access_token = grant.access_token
    cached.expires_at = grant.expires_at
    return grant.access_token


def _pause(session: Session, account: AmazonAccount, cached: CachedAccessToken | None,
           error: InvalidGrant) -> AccountPaused:
    if cached is not None:
        session.delete(cached)
    # The lock makes this check race-free: one log entry per change of state, not one per failed job.
    if account.token_state != TokenState.INVALID:
        account.token_state = TokenState.INVALID
        account.token_state_detail = INVALID_GRANT_DETAIL
        session.add(LogEntry(
            level="error", kind="token", shop_id=account.shop_id, account_id=account.id,
            message=f"Syncing paused for Amazon account {account.alias}: {INVALID_GRANT_DETAIL}",
            amazon_request_id=error.request_id, http_status=error.http_status, error_code=error.code,
        ))
        logger.error("Account %s paused: refresh token refused (request id %s)", account.id, error.request_id)
    return AccountPaused(INVALID_GRANT_DETAIL, code="invalid_grant", http_status=error.http_status,
                         request_id=error.request_id)


@contextmanager
def _locked(account_id: int) -> Iterator[Session]:
    """A session in its own transaction, holding the refresh lock of the account; commits on success."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        # Long enough for a slow token request, short enough that a crashed holder does not stall the account.
        hold = max(60.0, 3 * float(app.config["HTTP_TIMEOUT"]))
        lock = redis_client(app).lock(f"connector:token-refresh:{account_id}", timeout=hold, blocking_timeout=hold)
        if not lock.acquire():
            raise LWAUnavailable("another process has been refreshing this account's token for too long")
        try:
            with Session(db.engine) as session, session.begin():
                yield session
        finally:
            lock.release()
        return
    with Session(db.engine) as session, session.begin():
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            # FOR UPDATE needs a row to lock, so make sure there is one (an empty slot until the first refresh).
            session.execute(postgresql.insert(CachedAccessToken).values(account_id=account_id)
                            .on_conflict_do_nothing())
            session.execute(select(CachedAccessToken).where(CachedAccessToken.account_id == account_id)
                            .with_for_update())
        yield session
