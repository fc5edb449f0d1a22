"""Jobs by name: schedules and crash recovery store a task's name and arguments, and queue it again from them."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from huey.api import TaskWrapper

from . import huey, with_app_context

TASKS: dict[str, TaskWrapper] = {}


def job(name: str, **options: Any) -> Callable[[Callable[..., Any]], TaskWrapper]:
    """Declare a background job: a Huey task running in the app context, queued by name with enqueue()."""

    def register(function: Callable[..., Any]) -> TaskWrapper:
        if name in TASKS:
            raise ValueError(f"job {name!r} is declared twice")
        task = huey.task(name=name, **options)(with_app_context(function))
        TASKS[name] = task
        return task

    return register


def enqueue(name: str, *args: Any, delay: float | None = None, eta: datetime | None = None) -> None:
    try:
        task = TASKS[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}; is its tasks module imported in jobs.consumer?") from None
    if delay is None and eta is None:
        task(*args)
    else:
        task.schedule(args=args, delay=delay, eta=eta)
