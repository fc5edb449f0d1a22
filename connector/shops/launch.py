"""Turning the cart's launch into an admin session: our signed launch tokens and Shopify session tokens."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import Shop, UsedLaunchToken

ROLES = ("owner", "support")
SHOPIFY_CLOCK_TOLERANCE = 10  # seconds, as Shopify's own library allows


class LaunchRefused(Exception):
    """The launch cannot become a session; the message is safe to show."""


@dataclass(frozen=True)
class Launch:
    shop: Shop
    role: str
    locale: str | None = None
    user: str | None = None  # who the cart says opened us, for "replayed by …" in the log


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="connector.admin-launch")


def make_launch_token(shop: Shop, role: str = "owner", locale: str | None = None, user: str | None = None) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    payload = {"shop": shop.shop_key, "role": role, "jti": secrets.token_urlsafe(16)}
    if locale:
        payload["locale"] = locale
    if user:
        payload["user"] = user[:100]
    return _serializer().dumps(payload)


def launch_url(shop: Shop, role: str = "owner", locale: str | None = None, user: str | None = None) -> str:
    query = urlencode({"token": make_launch_token(shop, role, locale, user)})
    return f"{current_app.config['PUBLIC_URL']}/admin/launch?{query}"


def consume_launch_token(token: str) -> Launch:
    """Verify signature and age, then burn the token so it cannot be replayed."""
    try:
        payload = _serializer().loads(token, max_age=current_app.config["LAUNCH_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise LaunchRefused(gettext("This launch link has expired. Open the connector again from your shop admin."))
    except BadSignature:
        raise LaunchRefused(gettext("This launch link is not valid. Open the connector again from your shop admin."))
    shop = db.session.scalar(db.select(Shop).filter_by(shop_key=payload.get("shop")))
    if shop is None or payload.get("role") not in ROLES:
        raise LaunchRefused(gettext("This launch link does not belong to a known shop."))
    _burn(shop, "launch:" + payload["jti"])
    return Launch(shop, payload["role"], payload.get("locale"), payload.get("user"))


def consume_shopify_session_token(shop_key: str, token: str) -> Launch:
    """A Shopify App Bridge session token (HS256 JWT keyed with the app secret) for a Shopify shop."""
    shop = db.session.scalar(db.select(Shop).filter_by(shop_key=shop_key))
    if shop is None or shop.host_kind != "shopify" or not shop.host_client_id:
        raise LaunchRefused(gettext("Session tokens are only accepted for Shopify shops with a configured client ID."))
    essential = {"essential": True}
    registry = jwt.JWTClaimsRegistry(
        leeway=SHOPIFY_CLOCK_TOLERANCE,
        aud={"essential": True, "value": shop.host_client_id},
        exp=essential, nbf=essential, iss=essential, dest=essential, jti=essential,
    )
    try:
        claims = jwt.decode(token, OctKey.import_key(shop.webhook_secret), algorithms=["HS256"]).claims
        registry.validate(claims)
    except (JoseError, ValueError) as exc:
        reason = getattr(exc, "error", None) or "malformed token"
        raise LaunchRefused(gettext("The Shopify session token was refused (%(reason)s).", reason=reason))
    issuer_host = urlsplit(str(claims["iss"])).hostname
    if issuer_host != urlsplit(str(claims["dest"])).hostname or (shop.shop_domain and issuer_host != shop.shop_domain):
        raise LaunchRefused(gettext("The Shopify session token was issued for another shop."))
    _burn(shop, "shopify:" + str(claims["jti"]))
    return Launch(shop, "owner", user=f"Shopify user {claims['sub']}" if claims.get("sub") else None)


def _burn(shop: Shop, jti: str) -> None:
    db.session.add(UsedLaunchToken(jti=jti[:64], shop_id=shop.id))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise LaunchRefused(gettext("This launch link was already used. Open the connector again from your shop "
                                    "admin."))
