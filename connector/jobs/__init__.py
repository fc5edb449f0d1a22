"""Background jobs on Huey: SqliteHuey in the instance folder by default, RedisHuey when Redis is configured.

Huey only carries the "run this now" messages. What work is pending lives in the database (inbox rows, desired
state, orders to create, schedules), so a message lost with a killed consumer costs a delay, never data:
jobs.recovery queues again whatever stopped half-way.
"""
from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

_app: Flask | None = None
huey: Huey = MemoryHuey("connector", immediate=True)

# Every module that declares jobs; imported by every process so any of them can queue any job by name.
TASK_MODULES = (
    "connector.jobs.tasks",
    "connector.lifecycle.tasks",
    "connector.webhooks.tasks",
    "connector.synclog.tasks",
    "connector.orders.tasks",
    "connector.stock.tasks",
)


def build_huey(config: dict) -> Huey:
    if config.get("HUEY_IMMEDIATE"):
        return MemoryHuey("connector", immediate=True)
    if config.get("REDIS_URL"):
        return RedisHuey("connector", url=config["REDIS_URL"])
    return SqliteHuey("connector", filename=config["HUEY_SQLITE_PATH"], timeout=30)


def init_app(app: Flask) -> None:
    """Point the module-level Huey (which the task decorators already registered with) at the configured storage."""
    global _app
    _app = app
    configured = build_huey(app.config)
    huey.immediate = configured.immediate  # first: the setter recreates storage
    huey.storage = configured.storage
    app.extensions["huey"] = huey
    for module in TASK_MODULES:
        importlib.import_module(module)


def with_app_context(function: Callable[..., Any]) -> Callable[..., Any]:
    """Tasks run in the consumer with the app that configured Huey."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _app is None:
            raise RuntimeError("jobs.init_app was not called: start consumers with `connector worker`")
        with _app.app_context():
            return function(*args, **kwargs)

    return wrapper


def queue_reachable() -> bool:
    try:
        current_app.extensions["huey"].pending_count()
        return True
    except Exception:  # noqa: BLE001 - any storage failure means "not reachable" for the health check
        return False
