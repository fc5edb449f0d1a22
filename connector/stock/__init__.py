"""Stock and price sync: host webhooks in, Amazon listings out (docs/stock-sync.md)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import handlers  # noqa: F401 - registers the webhook topics
    from . import views

    views.init_app(app)
