"""Stories: one SKU's or one order's history on one page, for support (see views.py)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import models  # noqa: F401 - the touch table and the story indexes belong to the schema
    from . import views

    views.init_app(app)
