"""`connector worker`: a Huey consumer running every job with the app's context."""
from __future__ import annotations

from flask import current_app

from . import huey


def run_consumer(workers: int = 2, periodic: bool = True) -> None:
    if current_app.config.get("HUEY_IMMEDIATE"):
        raise SystemExit("HUEY_IMMEDIATE is set: jobs run inline, there is nothing to consume.")
    huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic, check_worker_health=True).run()
