"""The per-account schedules of the order area, kept in line with the accounts: an import every 15-60 minutes and
the re-check daily at 00:00 in the chosen time zone, for every account that imports orders and can sync; none for
accounts switched off, disconnected, expired or deleted.

reconcile_schedules() runs every minute (tasks.py), so an account changed anywhere (its form, the authorization
flow, Disconnect, Delete) has the right schedules within a minute without the accounts area knowing about orders;
saving the import settings applies them at once."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..accounts.models import AmazonAccount
from ..accounts.status import account_status
from ..extensions import db
from ..jobs.models import Schedule
from ..jobs.schedules import ensure_schedule, remove_schedule
from .models import DEFAULT_INTERVAL_MINUTES, DEFAULT_RECHECK_TIMEZONE, OrderImportSettings

IMPORT_TASK, RECHECK_TASK = "orders.import", "orders.recheck"
RECHECK_AT = "00:00"


def import_key(account_id: int) -> str:
    return f"order-import:{account_id}"


def recheck_key(account_id: int) -> str:
    return f"order-recheck:{account_id}"


def _wanted(account: AmazonAccount) -> dict[str, dict]:
    if not (account.import_orders and account_status(account).can_sync):
        return {}
    settings = db.session.get(OrderImportSettings, account.id)
    minutes = settings.interval_minutes if settings else DEFAULT_INTERVAL_MINUTES
    zone = settings.recheck_timezone if settings else DEFAULT_RECHECK_TIMEZONE
    return {
        import_key(account.id): {"task": IMPORT_TASK, "args": [account.id], "every_seconds": minutes * 60,
                                 "daily_at": None, "timezone": "UTC"},
        recheck_key(account.id): {"task": RECHECK_TASK, "args": [account.id], "every_seconds": None,
                                  "daily_at": RECHECK_AT, "timezone": zone},
    }


def _matches(schedule: Schedule, wanted: dict) -> bool:
    return (schedule.enabled and schedule.task == wanted["task"] and list(schedule.args or []) == wanted["args"]
            and schedule.every_seconds == wanted["every_seconds"] and schedule.daily_at == wanted["daily_at"]
            and schedule.timezone == wanted["timezone"])


def _apply(wanted: dict[str, dict], existing: dict[str, Schedule], keys: set[str]) -> None:
    for key in sorted(keys):
        if key in wanted and (key not in existing or not _matches(existing[key], wanted[key])):
            spec = wanted[key]
            ensure_schedule(key, spec["task"], spec["args"], every_seconds=spec["every_seconds"],
                            daily_at=spec["daily_at"], timezone=spec["timezone"])
        elif key not in wanted and key in existing:
            remove_schedule(key)


def _order_schedules(*keys: str) -> dict[str, Schedule]:
    query = select(Schedule).where(or_(Schedule.key.like("order-import:%"), Schedule.key.like("order-recheck:%")))
    if keys:
        query = select(Schedule).where(Schedule.key.in_(keys))
    return {schedule.key: schedule for schedule in db.session.scalars(query)}


def sync_account_schedules(account: AmazonAccount) -> None:
    keys = {import_key(account.id), recheck_key(account.id)}
    _apply(_wanted(account), _order_schedules(*keys), keys)


def reconcile_schedules() -> None:
    wanted: dict[str, dict] = {}
    for account in db.session.scalars(select(AmazonAccount)):
        wanted.update(_wanted(account))
    existing = _order_schedules()
    _apply(wanted, existing, set(wanted) | set(existing))
