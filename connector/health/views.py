"""GET /healthz: is the database answering, is the job queue reachable."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from ..extensions import db
from ..jobs import queue_reachable
from ..lifecycle.operations import client_secret_age_warning

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    checks = {"database": _database_ok(), "job_queue": queue_reachable()}
    body = {"status": "ok" if all(checks.values()) else "unavailable", "checks": checks}
    warning = client_secret_age_warning()
    if warning:
        body["warnings"] = [warning]
    return jsonify(body), 200 if all(checks.values()) else 503


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return False


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
