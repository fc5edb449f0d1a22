"""Recurring jobs as rows: every N seconds, or daily at a local time in a time zone.

The one scheduler (the consumer started with periodic tasks) calls dispatch_due() every minute. Each due row is
claimed by a conditional update of its next_run_at, so a second scheduler started by mistake finds nothing to claim
and nothing runs twice.
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from ..clock import utcnow
from ..extensions import db
from .models import Schedule
from .registry import enqueue

logger = logging.getLogger(__name__)


def next_run_after(schedule: Schedule, after: datetime) -> datetime:
    if schedule.every_seconds:
        return after + timedelta(seconds=schedule.every_seconds)
    hour, minute = (int(part) for part in (schedule.daily_at or "00:00").split(":"))
    zone = ZoneInfo(schedule.timezone)
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), tzinfo=zone)
    return candidate.astimezone(after.tzinfo)


def ensure_schedule(key: str, task: str, args: list | None = None, *, every_seconds: int | None = None,
                    daily_at: str | None = None, timezone: str = "UTC", enabled: bool = True,
                    first_run_at: datetime | None = None) -> Schedule:
    """Create or update the schedule `key`. A changed interval or time moves the next run accordingly."""
    if (every_seconds is None) == (daily_at is None):
        raise ValueError("give exactly one of every_seconds and daily_at")
    ZoneInfo(timezone)  # refuse an unknown zone here, not at 00:00
    schedule = db.session.scalar(select(Schedule).where(Schedule.key == key))
    changed_timing = schedule is None or (schedule.every_seconds, schedule.daily_at, schedule.timezone) != (
        every_seconds, daily_at, timezone)
    if schedule is None:
        schedule = Schedule(key=key)
        db.session.add(schedule)
    schedule.task, schedule.args = task, list(args or [])
    schedule.every_seconds, schedule.daily_at, schedule.timezone = every_seconds, daily_at, timezone
    schedule.enabled = enabled
    if first_run_at is not None:
        schedule.next_run_at = first_run_at
    elif changed_timing:
        schedule.next_run_at = next_run_after(schedule, utcnow()) if daily_at else utcnow()
    db.session.commit()
    return schedule


def remove_schedule(key: str) -> None:
    schedule = db.session.scalar(select(Schedule).where(Schedule.key == key))
    if schedule is not None:
        db.session.delete(schedule)
        db.session.commit()


def dispatch_due(now: datetime | None = None) -> list[str]:
    """Queue every due schedule this scheduler manages to claim; returns the keys dispatched."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Schedule).where(Schedule.enabled.is_(True), Schedule.next_run_at <= now).order_by(Schedule.next_run_at)
    ).all()
    dispatched = []
    for schedule in due:
        # A scheduler that was down does not fire every missed run: the next one is counted from now.
        following = next_run_after(schedule, max(now, schedule.next_run_at))
        claimed = db.session.execute(
            update(Schedule)
            .where(Schedule.id == schedule.id, Schedule.next_run_at == schedule.next_run_at)
            .values(next_run_at=following, last_run_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        db.session.commit()
        if claimed:
            enqueue(schedule.task, *schedule.args)
            dispatched.append(schedule.key)
    if dispatched:
        logger.info("Dispatched %d scheduled job(s): %s", len(dispatched), ", ".join(dispatched))
    return dispatched
