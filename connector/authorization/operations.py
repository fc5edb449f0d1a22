"""What happens when Amazon hands back a code, or a seller pastes a self-authorized refresh token."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app

from ..accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, AuthorizationAttempt, TokenState
from ..amazon import lwa
from ..amazon.client import SPAPIClient
from ..amazon.errors import AmazonError, InvalidClient, InvalidGrant, LWAUnavailable
from ..amazon.marketplaces import BY_ID, REGION_SELLER_CENTRAL
from ..clock import utcnow
from ..extensions import db
from ..security.credential_guard import forbidden_credential
from ..synclog.operations import record


class AuthorizationFailed(Exception):
    """Shown to the seller as is; `code` goes to the log for support."""

    def __init__(self, message: str, code: str, request_id: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.request_id = request_id
        self.http_status = http_status


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
    request_id: str | None


def callback_url() -> str:
    return f"{current_app.config['PUBLIC_URL']}/amazon/authorize/callback"


def consent_url(account: AmazonAccount, state: str) -> str:
    """The Seller Central consent page of the account's region (authorizations are regional)."""
    first = BY_ID.get(account.marketplace_ids[0]) if account.marketplace_ids else None
    real = first.seller_central_url if first else REGION_SELLER_CENTRAL[account.region]
    base = current_app.config["AMAZON_ENDPOINTS"].seller_central_url(real)
    query = {"application_id": current_app.config["SPAPI_APPLICATION_ID"], "state": state}
    if current_app.config["SPAPI_APP_DRAFT"]:
        query["version"] = "beta"
    return f"{base}/apps/authorize/consent?{urlencode(query)}"


def complete_authorization(attempt: AuthorizationAttempt, selling_partner_id: str, code: str) -> AmazonAccount:
    """Exchange the code, refuse a different seller, store the token, and check the connection."""
    account = db.session.get(AmazonAccount, attempt.account_id)
    try:
        grant = lwa.exchange_code(code, callback_url())
    except InvalidGrant as error:
        raise AuthorizationFailed(
            "Amazon refused the authorization code: it expired (codes last 5 minutes) or was already used. "
            "Please start again.", "invalid_grant", error.request_id, error.http_status,
        )
    except InvalidClient as error:
        raise AuthorizationFailed(
            "Amazon did not accept this app's credentials (invalid_client). The connector's operator must check "
            "the Login with Amazon client ID and secret; your Amazon account is fine.",
            "invalid_client", error.request_id, error.http_status,
        )
    except LWAUnavailable as error:
        raise AuthorizationFailed(
            "Amazon's sign-in service did not answer. Nothing was changed; please try again in a few minutes.",
            "lwa_unavailable", error.request_id, error.http_status,
        )
    if account.selling_partner_id and account.selling_partner_id != selling_partner_id:
        raise AuthorizationFailed(
            f"You are logged into another Amazon account ({selling_partner_id}) than the one connected here "
            f"({account.selling_partner_id}). The existing token was kept. Sign out of Seller Central, sign in "
            "with the right account and try again, or add the other account separately.", "seller_mismatch",
        )
    now = utcnow()
    account.selling_partner_id = selling_partner_id
    account.refresh_token = grant.refresh_token
    account.authorization_method = "website"
    account.authorized_at = now
    account.expires_at = now + AUTHORIZATION_LIFETIME
    account.token_state = TokenState.CHECKING  # the account page shows "Checking the connection…" meanwhile
    account.token_state_detail = None
    account.disconnected_at = None
    db.session.commit()
    check = check_connection(account, SPAPIClient.with_access_token(account.region, selling_partner_id, grant.access_token))
    account.token_state = TokenState.VALID
    db.session.commit()
    record(
        "info", "authorization",
        f"Amazon account {account.alias} authorized by seller {selling_partner_id}; "
        f"authorization expires on {account.expires_at:%Y-%m-%d}. {check.message}",
        shop_id=account.shop_id, account_id=account.id, amazon_request_id=check.request_id,
    )
    return account


def save_self_authorized(account: AmazonAccount, selling_partner_id: str, refresh_token: str) -> ConnectionCheck:
    """Manual entry for self-authorized apps: check the token with Amazon before keeping it."""
    explanation = forbidden_credential(selling_partner_id, refresh_token)
    if explanation:
        raise AuthorizationFailed(explanation, "forbidden_credential")
    if not refresh_token.startswith("Atzr|"):
        raise AuthorizationFailed(
            "A Login with Amazon refresh token starts with \"Atzr|\". Copy it again from Seller Central "
            "(Develop apps → Authorize app).", "not_a_refresh_token",
        )
    if account.selling_partner_id and account.selling_partner_id != selling_partner_id:
        raise AuthorizationFailed(
            f"This account is connected to seller {account.selling_partner_id}; the token is for "
            f"{selling_partner_id}. Add the other seller as a separate account.", "seller_mismatch",
        )
    try:
        grant = lwa.refresh_access_token(refresh_token)
    except (InvalidGrant, InvalidClient, LWAUnavailable) as error:
        raise AuthorizationFailed(
            f"Amazon refused this refresh token ({error.code}): {error.message}. Nothing was saved.",
            error.code or "lwa_error", error.request_id, error.http_status,
        )
    check = check_connection(account, SPAPIClient.with_access_token(account.region, selling_partner_id, grant.access_token))
    if not check.ok:
        raise AuthorizationFailed(f"{check.message} Nothing was saved.", "check_failed", check.request_id)
    account.selling_partner_id = selling_partner_id
    account.refresh_token = refresh_token
    account.authorization_method = "self"
    account.authorized_at = utcnow()
    account.expires_at = None
    account.token_state = TokenState.VALID
    account.token_state_detail = None
    account.disconnected_at = None
    db.session.commit()
    record("info", "authorization", f"Self-authorized refresh token saved for {account.alias}. {check.message}",
           shop_id=account.shop_id, account_id=account.id, amazon_request_id=check.request_id)
    return check


def check_connection(account: AmazonAccount, client: SPAPIClient | None = None) -> ConnectionCheck:
    """Call Sellers getMarketplaceParticipations and remember what Amazon said."""
    try:
        participations, request_id = (client or SPAPIClient.for_account(account)).get_marketplace_participations()
    except AmazonError as error:
        result = ConnectionCheck(False, f"Amazon answered with an error: {error}", error.request_id)
    else:
        account.participations = participations
        names = sorted(p["marketplace"]["countryCode"] for p in participations if p["participation"]["isParticipating"])
        result = ConnectionCheck(True, f"Connection OK: selling in {', '.join(names) or 'no marketplace'}.", request_id)
    account.last_checked_at = utcnow()
    account.last_check_ok = result.ok
    account.last_check_message = result.message
    account.last_check_request_id = result.request_id
    db.session.commit()
    return result


def disconnect(account: AmazonAccount) -> None:
    """Forget the token; the account, its settings and its history stay."""
    account.refresh_token = None
    account.token_state = TokenState.NONE
    account.token_state_detail = None
    account.expires_at = None
    account.disconnected_at = utcnow()
    db.session.commit()
    record("info", "authorization", f"Amazon account {account.alias} disconnected; its token was deleted.",
           shop_id=account.shop_id, account_id=account.id)
