"""Sending webhooks the way each host platform signs them, to the connector's test client."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from helpers import HOSTS_DIR


def as_bytes(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


def hmac_base64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def host_file(name: str) -> bytes:
    """A real payload from tests/data/hosts, as bytes."""
    return (HOSTS_DIR / name).read_bytes()


def woocommerce(client, shop, topic: str, payload: Any, *, secret: str | None = None, delivery_id: str | None = None,
                webhook_id: str = "142"):
    body = as_bytes(payload)
    resource, _, event = topic.partition(".")
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": "https://shop-a.example/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": hmac_base64((secret or shop.webhook_secret).encode(), body),
        "X-WC-Webhook-ID": webhook_id,
        "X-WC-Webhook-Delivery-ID": delivery_id or uuid.uuid4().hex,
    }
    return client.post(f"/webhooks/woocommerce/{shop.shop_key}", data=body, headers=headers)


def shopify(client, shop, topic: str, payload: Any, *, secret: str | None = None, webhook_id: str | None = None,
            triggered_at: str | None = None):
    body = as_bytes(payload)
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": hmac_base64((secret or shop.webhook_secret).encode(), body),
        "X-Shopify-Shop-Domain": "shop-a.myshopify.com",
        "X-Shopify-API-Version": "2025-07",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
    }
    if triggered_at:
        headers["X-Shopify-Triggered-At"] = triggered_at
    return client.post(f"/webhooks/shopify/{shop.shop_key}", data=body, headers=headers)


def standard_headers(secret: str, body: bytes, message_id: str | None = None, timestamp: int | None = None) -> dict:
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signature = hmac_base64(key, f"{message_id}.{timestamp}.".encode() + body)
    return {"Content-Type": "application/json", "webhook-id": message_id, "webhook-timestamp": timestamp,
            "webhook-signature": f"v1,{signature}"}


def generic(client, shop, event_type: str, data: Any, *, message_id: str | None = None, timestamp: int | None = None,
            secret: str | None = None):
    body = as_bytes({"type": event_type, "timestamp": "2026-11-23T10:00:00Z", "data": data})
    headers = standard_headers(secret or shop.webhook_secret, body, message_id, timestamp)
    return client.post(f"/webhooks/generic/{shop.shop_key}", data=body, headers=headers)
