"""Where reminders go: e-mail (or the log when no SMTP is configured) and the host's notification URL."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import time
import uuid
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests
from flask import current_app

logger = logging.getLogger("connector.notify")


def send_email(to: str, subject: str, body: str) -> str:
    """Send through CONNECTOR_SMTP_URL (smtp://user:pass@host:port); without it the mail goes to the log."""
    smtp_url = current_app.config.get("SMTP_URL")
    if not smtp_url:
        logger.info("E-mail (no SMTP configured) to %s: %s\n%s", to, subject, body)
        return "logged"
    parts = urlsplit(smtp_url)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 25), timeout=20) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)
    return "sent"


def standard_webhook_headers(secret: str, body: bytes, message_id: str | None = None) -> dict[str, str]:
    """Standard Webhooks signature headers, keyed with the shop's webhook secret."""
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    timestamp = str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": f"v1,{signature}",
        "content-type": "application/json",
    }


def notify_host(url: str, secret: str, event: dict, message_id: str) -> str:
    """POST a signed event to the host; raises for anything but 2xx so the caller retries."""
    body = json.dumps(event, separators=(",", ":")).encode()
    response = requests.post(
        url, data=body, headers=standard_webhook_headers(secret, body, message_id),
        timeout=current_app.config["HTTP_TIMEOUT"],
    )
    response.raise_for_status()
    return "sent"
