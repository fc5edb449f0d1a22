"""The dashboard: per shop, what each Amazon account is doing and what needs doing."""
from __future__ import annotations

from flask import Flask

from . import views


def init_app(app: Flask) -> None:
    views.init_app(app)
