"""E-mail for reminders: through SMTP when configured, otherwise into the log (the embedded default)."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

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
