"""Scheduled lifecycle jobs; the operations are idempotent, so a second consumer running them changes nothing."""
from __future__ import annotations

from huey import crontab

from ..jobs import huey, with_app_context
from .operations import remind_operator_of_client_secret, send_due_reminders


@huey.periodic_task(crontab(minute="7"))
@with_app_context
def token_reminders() -> int:
    return send_due_reminders()


@huey.periodic_task(crontab(minute="15", hour="6"))
@with_app_context
def client_secret_reminder() -> str | None:
    return remind_operator_of_client_secret()
