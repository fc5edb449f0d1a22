"""Background jobs on Huey: SqliteHuey in the instance folder by default, RedisHuey when Redis is configured."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

_app: Flask | None = None
huey: Huey = MemoryHuey("connector", immediate=True)


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
