"""Per-account stock sync settings and the push's own bookkeeping (backoff after failed submissions)."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..extensions import db
from .models import StockSettings

FAILURE_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


def settings_for(account_id: int) -> StockSettings:
    """The account's settings row, created with the defaults (auto-submit on) when missing."""
    settings = db.session.get(StockSettings, account_id)
    if settings is None:
        settings = StockSettings(account_id=account_id, auto_submit=True, mapped_only=False, failures=0)
        db.session.add(settings)
        db.session.flush()
    return settings


def current_settings(account_id: int) -> StockSettings:
    """For reading: the stored settings, or the defaults (nothing is written)."""
    return db.session.get(StockSettings, account_id) or StockSettings(
        account_id=account_id, auto_submit=True, mapped_only=False, failures=0)


def back_off(account_id: int, now: datetime) -> datetime:
    """A submission failed as a whole: the next push waits longer each time, so a broken feed is not retried in a
    tight loop; returns when pushing resumes."""
    settings = settings_for(account_id)
    settings.failures = (settings.failures or 0) + 1
    settings.retry_at = now + FAILURE_BACKOFF[min(settings.failures, len(FAILURE_BACKOFF)) - 1]
    return settings.retry_at


def succeeded(account_id: int) -> None:
    settings = settings_for(account_id)
    settings.failures = 0
    settings.retry_at = None
