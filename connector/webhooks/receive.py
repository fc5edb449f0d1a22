"""Receiving a delivery: verify, store it durably, acknowledge. Processing happens later, in jobs.

The answer goes out only after the delivery is committed: a database that is down gives the host a 5xx (and it
retries), never an acknowledgement for something we did not keep.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..clock import utcnow
from ..extensions import db
from ..synclog.operations import record
from . import inbox_writer
from .handlers import handler_for
from .models import DeliveryStatus, InboxKick, WebhookDelivery
from .receivers import Receiver, receiver
from .signatures import VERIFIERS, SignatureRejected, Verified, body_digest

logger = logging.getLogger(__name__)

WOOCOMMERCE_PING = re.compile(rb"webhook_id=\d+")
HOST_NAMES = {"woocommerce": "WooCommerce", "shopify": "Shopify", "generic": "generic"}
IGNORED_TOPIC_LOG_INTERVAL = timedelta(hours=24)


@dataclass
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    kick_shop_id: int | None = None  # queue a drain job for this shop once the answer is committed
    headers: dict[str, str] = field(default_factory=dict)


def receive(shop: Receiver, body: bytes, headers: Mapping[str, str], remote_addr: str | None) -> Answer:
    host_kind = shop.host_kind
    if host_kind == "woocommerce" and "X-WC-Webhook-Signature" not in headers and WOOCOMMERCE_PING.fullmatch(body):
        # WooCommerce pings a new webhook unsigned and only accepts exactly 200 as success.
        return Answer(200, {"status": "ok"})
    try:
        verified = _verify(shop, body, headers)
    except SignatureRejected as rejected:
        _reject(shop, host_kind, body, headers, remote_addr, f"Signature refused: {rejected}.", status=401,
                keep_body=False)
        return Answer(401, {"error": "invalid signature", "detail": str(rejected)})
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _reject(shop, host_kind, body, headers, remote_addr, f"The body is not valid JSON ({error}).", status=400,
                keep_body=True)
        return Answer(400, {"error": "malformed JSON", "detail": str(error)})
    if b"\\u0000" in body or _has_nul(verified):
        _reject(shop, host_kind, body, headers, remote_addr, "The delivery contains NUL characters, which cannot be "
                "stored.", status=400, keep_body=False)
        return Answer(400, {"error": "NUL characters are not accepted"})
    topic = verified.topic if verified.topic is not None else _generic_topic(payload)
    handled = handler_for(host_kind, topic) is not None
    # Committed with its kick marker before we acknowledge.
    delivery_id, kick = inbox_writer.store({
        "shop_id": shop.id, "host_kind": host_kind, "topic": topic[:100], "dedupe_key": verified.dedupe_key[:200],
        "delivery_id": _clip(verified.delivery_id), "event_id": _clip(verified.event_id), "received_at": utcnow(),
        "sent_at": verified.sent_at, "status": DeliveryStatus.RECEIVED if handled else DeliveryStatus.IGNORED,
        "body": body, "body_sha256": body_digest(body), "body_size": len(body), "remote_addr": remote_addr})
    if delivery_id is None:
        return Answer(200, {"status": "duplicate"})
    if not handled:
        _log_ignored_topic(shop, host_kind, topic, delivery_id)
        return Answer(200, {"status": "ignored", "id": delivery_id})
    return Answer(200, {"status": "accepted", "id": delivery_id}, kick_shop_id=shop.id if kick else None)


def _verify(shop: Receiver, body: bytes, headers: Mapping[str, str]) -> Verified:
    """Against the remembered secret, then once more against the stored one: it may have just changed."""
    try:
        return VERIFIERS[shop.host_kind](shop.webhook_secret, body, headers)
    except SignatureRejected:
        current = receiver(shop.shop_key, fresh=True)
        if current is None or current.webhook_secret == shop.webhook_secret:
            raise
        return VERIFIERS[shop.host_kind](current.webhook_secret, body, headers)


def _has_nul(verified: Verified) -> bool:
    """In what we keep from the headers (PostgreSQL text cannot hold NUL)."""
    return any("\x00" in value for value in (verified.topic, verified.dedupe_key, verified.delivery_id,
                                              verified.event_id) if value)


def _generic_topic(payload: Any) -> str:
    return str(payload.get("type") or "") if isinstance(payload, dict) else ""



def mark_kick(shop_id: int) -> bool:
    """Set the shop's "drain queued" marker in the session's transaction; True when it was not set (the caller
    queues a drain). Ignores a conflict, so a receiver and a busy drain setting it at once do not fail."""
    return db.session.execute(_insert(InboxKick).values(shop_id=shop_id, queued_at=utcnow()).on_conflict_do_nothing()
                              .returning(InboxKick.shop_id)).scalar() is not None


def _insert(model):
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)


def _reject(shop: Receiver, host_kind: str, body: bytes, headers: Mapping[str, str], remote_addr: str | None,
            problem: str, *, status: int, keep_body: bool) -> None:
    """Keep a trace of what we refused: the deliveries list and the log show it, nothing is processed.
    Unverified bodies are not stored: anybody can send them."""
    # Read from the headers again rather than from `verified`: a NUL in them is why some deliveries end up here.
    topic = _topic_header(host_kind, headers) if host_kind != "generic" else ""
    db.session.add(WebhookDelivery(
        shop_id=shop.id, host_kind=host_kind, topic=topic[:100], dedupe_key=f"rejected:{uuid.uuid4().hex}",
        delivery_id=_delivery_header(host_kind, headers),
        status=DeliveryStatus.REJECTED, problem=problem, body=body if keep_body else None,
        body_sha256=body_digest(body), body_size=len(body), remote_addr=remote_addr,
    ))
    db.session.commit()
    record("warning", "webhook", f"Refused a {HOST_NAMES[host_kind]} webhook{f' ({topic})' if topic else ''} from "
           f"{remote_addr or 'an unknown address'}: {problem} Nothing was processed.",
           shop_id=shop.id, http_status=status, error_code="webhook_rejected")


def reject_oversized(shop: Receiver, size: int, limit: int, headers: Mapping[str, str],
                     remote_addr: str | None) -> Answer:
    host_kind = shop.host_kind
    problem = f"The body is {size} bytes, over the limit of {limit} bytes."
    db.session.add(WebhookDelivery(
        shop_id=shop.id, host_kind=host_kind, topic=_topic_header(host_kind, headers)[:100],
        dedupe_key=f"rejected:{uuid.uuid4().hex}", delivery_id=_delivery_header(host_kind, headers),
        status=DeliveryStatus.REJECTED, problem=problem, body_size=size, remote_addr=remote_addr,
    ))
    db.session.commit()
    record("warning", "webhook", f"Refused a {HOST_NAMES[host_kind]} webhook from {remote_addr or 'an unknown address'}:"
           f" {problem} Raise CONNECTOR_WEBHOOK_MAX_BYTES if such bodies are expected.",
           shop_id=shop.id, http_status=413, error_code="webhook_too_large")
    return Answer(413, {"error": "body too large", "limit": limit})


def _topic_header(host_kind: str, headers: Mapping[str, str]) -> str:
    name = {"woocommerce": "X-WC-Webhook-Topic", "shopify": "X-Shopify-Topic"}.get(host_kind, "")
    return headers.get(name, "").replace("\x00", "")


def _delivery_header(host_kind: str, headers: Mapping[str, str]) -> str | None:
    name = {"woocommerce": "X-WC-Webhook-Delivery-ID", "shopify": "X-Shopify-Webhook-Id"}.get(host_kind, "webhook-id")
    value = headers.get(name)
    return _clip(value.replace("\x00", "")) if value else value


def _clip(identifier: str | None) -> str | None:
    """Hosts' IDs are short; a longer one is kept cut to the column's 200 characters, not refused by the database."""
    return identifier[:200] if identifier else identifier


def _log_ignored_topic(shop: Receiver, host_kind: str, topic: str, delivery_id: int) -> None:
    """Once a day per topic, not on every delivery: a cart sending a topic we do not use is not an error storm."""
    since = utcnow() - IGNORED_TOPIC_LOG_INTERVAL
    earlier = db.session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.shop_id == shop.id, WebhookDelivery.status == DeliveryStatus.IGNORED,
            WebhookDelivery.topic == topic[:100], WebhookDelivery.received_at >= since,
            WebhookDelivery.id != delivery_id,
        ).limit(1)
    )
    if earlier is None:
        record("info", "webhook", f"Ignored {HOST_NAMES[host_kind]} webhooks with topic \"{topic}\": the connector "
               "does not use this topic. You can remove this subscription in your cart.",
               shop_id=shop.id, webhook_delivery_id=delivery_id)
