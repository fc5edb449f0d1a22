"""The one account status a person sees: colour, words, and whether syncing may run."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from ..clock import as_utc, utcnow
from .models import RENEWAL_WINDOW, AmazonAccount, TokenState


@dataclass(frozen=True)
class AccountStatus:
    code: str  # not_connected, connected, expiring, expired, invalid, checking
    colour: str  # grey, green, amber, red, blue
    words: str
    can_sync: bool
    renewal_due: bool
    expires_at: datetime | None = None
    days_left: int | None = None

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "colour": self.colour,
            "words": self.words,
            "can_sync": self.can_sync,
            "renewal_due": self.renewal_due,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "days_left": self.days_left,
        }


def account_status(account: AmazonAccount, now: datetime | None = None) -> AccountStatus:
    now = now or utcnow()
    expires_at = as_utc(account.expires_at)
    if not account.refresh_token:
        return AccountStatus("not_connected", "grey", "Not connected. Click Request / Renew Token.", False, True)
    if account.token_state == TokenState.CHECKING:
        return AccountStatus("checking", "blue", "Checking the connection with Amazon…", False, False, expires_at)
    if account.token_state == TokenState.INVALID:
        return AccountStatus(
            "invalid", "red",
            "Amazon refused the token (revoked or invalid). Syncing is paused: request a new token.",
            False, True, expires_at,
        )
    if expires_at is None:
        # Self-authorized refresh tokens carry no known expiry.
        return AccountStatus("connected", "green", "Connected (self-authorized, no expiry known).", True, False)
    # Rounded up: a token authorized a minute ago has 365 days left, not 364.
    days_left = max(math.ceil((expires_at - now).total_seconds() / 86400), 0)
    date = expires_at.strftime("%Y-%m-%d")
    if expires_at <= now:
        return AccountStatus(
            "expired", "red",
            f"Expired on {date}. Syncing is paused; renew the token to reinstate it.",
            False, True, expires_at, 0,
        )
    in_days = f"in {days_left} day{'s' if days_left != 1 else ''}"
    if expires_at - now <= RENEWAL_WINDOW:
        return AccountStatus(
            "expiring", "amber", f"Expires on {date}, {in_days}. Renew the token now.", True, True, expires_at, days_left
        )
    return AccountStatus("connected", "green", f"Connected: expires on {date}, {in_days}.", True, False, expires_at, days_left)
