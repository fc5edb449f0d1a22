"""`connector worker`: a Huey consumer running every job with the app's context."""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from flask import current_app

from . import huey

logger = logging.getLogger(__name__)


def run_consumer(workers: int = 2, periodic: bool = True) -> None:
    if current_app.config.get("HUEY_IMMEDIATE"):
        raise SystemExit("HUEY_IMMEDIATE is set: jobs run inline, there is nothing to consume.")
    tick = current_app.config.get("SCHEDULER_TICK_SECONDS", 60)
    if periodic and tick < 60:
        threading.Thread(target=_tick_every, args=(tick,), name="scheduler-tick", daemon=True).start()
    huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic, check_worker_health=True).run()


def minute_tasks() -> list:
    """The periodic tasks that run every minute (schedules, stalled-run recovery, sweeps): those whose crontab
    matches two unrelated minutes. Hourly and daily tasks keep Huey's own once-a-minute check."""
    samples = (datetime(2026, 1, 1, 0, 0), datetime(2026, 6, 17, 13, 37))
    return [task_class for task_class in huey._registry._periodic_tasks
            if all(task_class().validate_datetime(sample) for sample in samples)]


def _tick_every(seconds: int) -> None:
    """CONNECTOR_SCHEDULER_TICK_SECONDS below 60: the scheduler's minute work runs this often, so a killed job is
    noticed and a due schedule dispatched within seconds (Huey's crontab has a one-minute resolution). Every one
    of these tasks is safe to run more often than once a minute."""
    tasks = minute_tasks()
    while True:
        time.sleep(seconds)
        for task_class in tasks:
            try:
                huey.enqueue(task_class())
            except Exception:  # noqa: BLE001 - the queue may be restarting; the next tick tries again
                logger.warning("Could not queue %s", task_class.__name__, exc_info=True)
