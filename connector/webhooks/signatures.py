"""Checking that a delivery really comes from the shop's cart: over the raw bytes, in constant time, before parsing.

WooCommerce: base64 HMAC-SHA256 of the body in X-WC-Webhook-Signature, keyed with the webhook's secret.
Shopify: base64 HMAC-SHA256 of the body in X-Shopify-Hmac-Sha256, keyed with the app's client secret.
Generic: Standard Webhooks, HMAC-SHA256 of "id.timestamp.body" keyed with the base64-decoded whsec_ secret,
one or more "v1,<base64>" signatures (several during key rotation), timestamp within five minutes.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..clock import utcnow

STANDARD_WEBHOOKS_TOLERANCE = timedelta(minutes=5)


class SignatureRejected(Exception):
    """The delivery cannot be trusted; the message says why, for the log (never the secret)."""


@dataclass(frozen=True)
class Verified:
    """What a verified delivery's headers tell us. `topic` is None for generic deliveries: it is in the body."""

    topic: str | None
    dedupe_key: str
    delivery_id: str | None
    event_id: str | None = None
    sent_at: datetime | None = None


def _hmac_base64(key: bytes, message: bytes) -> bytes:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest())


def _matches(expected: bytes, given: str) -> bool:
    return hmac.compare_digest(expected, given.strip().encode())


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _check_body_hmac(secret: str, body: bytes, headers: Mapping[str, str], header: str, key_name: str) -> None:
    """WooCommerce and Shopify: base64 HMAC-SHA256 of the body in one header."""
    signature = headers.get(header)
    if not signature:
        raise SignatureRejected(f"the {header} header is missing")
    if not _matches(_hmac_base64(secret.encode(), body), signature):
        raise SignatureRejected(f"the signature does not match the {key_name} configured for this shop")


def verify_woocommerce(secret: str, body: bytes, headers: Mapping[str, str]) -> Verified:
    _check_body_hmac(secret, body, headers, "X-WC-Webhook-Signature", "webhook secret")
    # WooCommerce's delivery ID only depends on the webhook and the second it was sent, so two different
    # deliveries can share it: the body's hash makes the key unique per payload.
    webhook_id = headers.get("X-WC-Webhook-ID", "")
    delivery_id = headers.get("X-WC-Webhook-Delivery-ID")
    return Verified(
        topic=headers.get("X-WC-Webhook-Topic", ""),
        dedupe_key=f"wc:{webhook_id}:{delivery_id or ''}:{body_digest(body)}",
        delivery_id=delivery_id,
    )


def verify_shopify(secret: str, body: bytes, headers: Mapping[str, str]) -> Verified:
    _check_body_hmac(secret, body, headers, "X-Shopify-Hmac-Sha256", "app client secret")
    topic = headers.get("X-Shopify-Topic", "")
    webhook_id = headers.get("X-Shopify-Webhook-Id")
    return Verified(
        topic=topic,
        dedupe_key=f"shopify:{topic}:{webhook_id}" if webhook_id else f"shopify:{topic}:{body_digest(body)}",
        delivery_id=webhook_id,
        event_id=headers.get("X-Shopify-Event-Id"),
        sent_at=_parse_iso(headers.get("X-Shopify-Triggered-At")),
    )


def verify_standard(secret: str, body: bytes, headers: Mapping[str, str], now: datetime | None = None) -> Verified:
    message_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (message_id and timestamp and signatures):
        raise SignatureRejected("the webhook-id, webhook-timestamp or webhook-signature header is missing")
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise SignatureRejected("the webhook-timestamp header is not a Unix timestamp") from None
    if abs((now or utcnow()) - sent_at) > STANDARD_WEBHOOKS_TOLERANCE:
        raise SignatureRejected("the webhook-timestamp is more than five minutes away from our clock "
                                "(a replayed delivery, or a sender with a wrong clock)")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise SignatureRejected("the shop's webhook secret is not a Standard Webhooks whsec_ secret") from None
    expected = _hmac_base64(key, f"{message_id}.{timestamp}.".encode() + body)
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and _matches(expected, value):
            return Verified(topic=None, dedupe_key=f"sw:{message_id}", delivery_id=message_id, sent_at=sent_at)
    raise SignatureRejected("no v1 signature matches the webhook secret configured for this shop")


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


VERIFIERS: dict[str, Callable[[str, bytes, Mapping[str, str]], Verified]] = {
    "woocommerce": verify_woocommerce,
    "shopify": verify_shopify,
    "generic": verify_standard,
}
