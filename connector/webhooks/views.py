"""POST /webhooks/<host>/<shop_key>: the host platform's side of the connector. Signature-verified, not CSRF-checked."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import csrf, db
from ..shops.models import HOST_KINDS
from . import admin, admission
from .inbox_writer import InboxUnavailable
from .receive import Answer, receive, reject_oversized
from .receivers import Receiver, receiver
from .tasks import kick

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
@bp.post("/<host_kind>/<shop_key>")
def deliver(host_kind: str, shop_key: str):
    address = request.remote_addr or "unknown"
    shop = receiver(shop_key)
    if host_kind not in HOST_KINDS or shop is None or shop.host_kind != host_kind:
        if (refused := admission.refuse(address, None)) is not None:
            return refused
        admission.note_refused(address)
        current_app.logger.info("Webhook for unknown shop %r (%s) from %s", shop_key[:40], host_kind[:20], address)
        return jsonify(error="unknown shop"), 404
    if (refused := admission.refuse(address, shop.id)) is not None:
        return refused
    answer = _receive_body(shop, address)
    if answer.status == 401:
        admission.note_refused(address)
    return _respond(answer)


def _receive_body(shop: Receiver, address: str) -> Answer:
    """Read at most the size limit (never the whole of an oversized body), then receive it."""
    max_bytes = current_app.config["WEBHOOK_MAX_BYTES"]
    if (request.content_length or 0) > max_bytes:
        return reject_oversized(shop, request.content_length, max_bytes, request.headers, address)
    body = request.stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        return reject_oversized(shop, len(body), max_bytes, request.headers, address)
    return receive(shop, body, request.headers, address)


def _respond(answer: Answer):
    if answer.kick_shop_id is not None:
        kick(answer.kick_shop_id)
    return jsonify(answer.body), answer.status


@bp.errorhandler(SQLAlchemyError)
@bp.errorhandler(InboxUnavailable)
def database_unavailable(error: Exception):
    """Nothing was acknowledged: tell the cart to deliver again shortly."""
    db.session.rollback()
    current_app.logger.warning("Webhook refused, database unavailable: %s", type(error).__name__)
    return jsonify(error="temporarily unavailable", detail="Please deliver again shortly."), 503, {"Retry-After": "5"}


class NoSessionForWebhooks(SecureCookieSessionInterface):
    """Hosts send no cookie and a delivery never needs a session: opening one (a signing serializer built per
    request) was a tenth of a delivery's time in the web process."""

    def open_session(self, app, request):
        if request.path.startswith(f"{bp.url_prefix}/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = NoSessionForWebhooks()
    csrf.exempt(bp)
    app.register_blueprint(bp)
    admin.init_app(app)
