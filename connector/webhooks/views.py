"""POST /webhooks/<host>/<shop_key>: the host platform's side of the connector. Signature-verified, not CSRF-checked;
served by WebhookEndpoint (endpoint.py) ahead of Flask's request dispatch."""
from __future__ import annotations

from flask import Blueprint, Flask

from . import admin
from .endpoint import RULE, WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
bp.add_url_rule(RULE, endpoint="deliver", methods=["POST"])


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.wsgi_app = WebhookEndpoint(app, app.wsgi_app)  # type: ignore[method-assign]
    admin.init_app(app)
