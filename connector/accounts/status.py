"""The one account status a person sees: colour, words, and whether syncing may run."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from ..clock import as_utc, utcnow
from ..i18n.labels import N_, nphrase, phrase
from ..shops.formatting import shop_date
from .models import RENEWAL_WINDOW, AmazonAccount, TokenState


@dataclass(frozen=True)
class AccountStatus:
    code: str  # not_connected, connected, expiring, expired, invalid, checking
    colour: str  # grey, green, amber, red, blue
    can_sync: bool
    renewal_due: bool
    expires_at: datetime | None = None
    days_left: int | None = None

    @property
    def words(self) -> str:
        """What the admin shows, in the admin's language."""
        return self._words(translate=True)

    @property
    def english(self) -> str:
        """The same words in English, for log entries."""
        return self._words(translate=False)

    def _words(self, translate: bool) -> str:
        if self.expires_at is None or self.code in ("not_connected", "checking", "invalid"):
            return phrase(FIXED_WORDS[self.code], translate)
        date = shop_date(self.expires_at) if translate else self.expires_at.strftime("%Y-%m-%d")
        if self.code == "expired":
            return phrase(N_("Expired on %(date)s. Syncing is paused; renew the token to reinstate it."), translate,
                          date=date)
        if self.code == "expiring":
            return nphrase("Expires on %(date)s, in %(num)s day. Renew the token now.",
                           "Expires on %(date)s, in %(num)s days. Renew the token now.", self.days_left, translate,
                           date=date)
        return nphrase("Connected: expires on %(date)s, in %(num)s day.",
                       "Connected: expires on %(date)s, in %(num)s days.", self.days_left, translate, date=date)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "colour": self.colour,
            "words": self.words,
            "can_sync": self.can_sync,
            "renewal_due": self.renewal_due,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "expires_text": shop_date(self.expires_at) if self.expires_at else None,  # as the page writes it
            "days_left": self.days_left,
        }


FIXED_WORDS = {
    "not_connected": N_("Not connected. Click Request / Renew Token."),
    "checking": N_("Checking the connection with Amazon…"),
    "invalid": N_("Amazon refused the token (revoked or invalid). Syncing is paused: request a new token."),
    # Self-authorized refresh tokens carry no known expiry.
    "connected": N_("Connected (self-authorized, no expiry known)."),
}
def account_status(account: AmazonAccount, now: datetime | None = None) -> AccountStatus:
    now = now or utcnow()
    expires_at = as_utc(account.expires_at)
    if not account.refresh_token:
        return AccountStatus("not_connected", "grey", False, True)
    if account.token_state == TokenState.CHECKING:
        return AccountStatus("checking", "blue", False, False, expires_at)
    if account.token_state == TokenState.INVALID:
        return AccountStatus("invalid", "red", False, True, expires_at)
    if expires_at is None:
        return AccountStatus("connected", "green", True, False)
    # Rounded up: a token authorized a minute ago has 365 days left, not 364.
    days_left = max(math.ceil((expires_at - now).total_seconds() / 86400), 0)
    if expires_at <= now:
        return AccountStatus("expired", "red", False, True, expires_at, 0)
    if expires_at - now <= RENEWAL_WINDOW:
        return AccountStatus("expiring", "amber", True, True, expires_at, days_left)
    return AccountStatus("connected", "green", True, False, expires_at, days_left)
