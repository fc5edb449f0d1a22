"""`connector worker`: a Huey consumer running every task module with the app's context."""
from __future__ import annotations

import importlib

from flask import current_app

from . import huey

TASK_MODULES = ("connector.lifecycle.tasks",)


def load_tasks() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


def run_consumer(workers: int = 2, periodic: bool = True) -> None:
    load_tasks()
    if current_app.config.get("HUEY_IMMEDIATE"):
        raise SystemExit("HUEY_IMMEDIATE is set: jobs run inline, there is nothing to consume.")
    huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic, check_worker_health=True).run()
