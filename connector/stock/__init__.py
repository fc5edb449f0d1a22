"""Stock and price sync: host webhooks in, Amazon listings out (docs/stock-sync.md)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import handlers  # noqa: F401 - registers the webhook topics
    from .views import bp

    app.register_blueprint(bp)
