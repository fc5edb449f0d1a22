"""Generic carts: we POST events signed with Standard Webhooks to the shop's notification URL; anything but a
2xx is a failure the caller retries."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from .errors import CartNotConfigured
from .http import CartHTTP


def standard_webhook_headers(secret: str, body: bytes, message_id: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signature = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    return {"webhook-id": message_id, "webhook-timestamp": timestamp, "webhook-signature": f"v1,{signature.decode()}",
            "Content-Type": "application/json"}


class GenericCartClient:
    def __init__(self, url: str, secret: str, **options: Any) -> None:
        self.url = url
        self.secret = secret
        self.options = options

    @classmethod
    def for_shop(cls, shop, **options: Any) -> GenericCartClient:
        if not shop.notification_url:
            raise CartNotConfigured("enter your cart's notification URL on the Settings page")
        return cls(shop.notification_url, shop.webhook_secret, **options)

    def send_event(self, event_type: str, data: dict[str, Any], message_id: str | None = None) -> str:
        """POST {type, timestamp, data}. Keep `message_id` the same across retries of one event so the cart can
        drop duplicates (Standard Webhooks' webhook-id). Returns the message ID."""
        message_id = message_id or f"msg_{uuid.uuid4().hex}"
        body = json.dumps({"type": event_type, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "data": data}, separators=(",", ":")).encode()
        http = CartHTTP(self.url, headers=standard_webhook_headers(self.secret, body, message_id), **self.options)
        http.request("POST", "", data=body)
        return message_id

    def check(self) -> str:
        self.send_event("connector.test", {"message": "Test of the cart connection from the Amazon connector."})
        return f"Your cart at {self.url} accepted a signed test event."
