"""The scheduler's own periodic work: dispatch due schedules, and rerun jobs whose consumer died."""
from __future__ import annotations

from huey import crontab

from . import huey, with_app_context
from .recovery import recover_stalled_runs
from .schedules import dispatch_due


@huey.periodic_task(crontab(minute="*"))
@with_app_context
def dispatch_schedules() -> list[str]:
    return dispatch_due()


@huey.periodic_task(crontab(minute="*"))
@with_app_context
def recover_stalled() -> list[int]:
    return recover_stalled_runs()
