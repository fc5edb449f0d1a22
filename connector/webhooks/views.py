"""POST /webhooks/<host>/<shop_key>: the host platform's side of the connector. Signature-verified, not CSRF-checked."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import load_only

from ..extensions import csrf, db
from ..shops.models import HOST_KINDS, Shop
from .receive import Answer, receive, reject_oversized
from .tasks import kick

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
# What receiving needs; the shop's other secrets (cart API credentials) are not decrypted on every webhook.
_RECEIVING_COLUMNS = load_only(Shop.id, Shop.shop_key, Shop.host_kind, Shop.webhook_secret)


@bp.post("/<host_kind>/<shop_key>")
def deliver(host_kind: str, shop_key: str):
    shop = db.session.scalar(select(Shop).where(Shop.shop_key == shop_key).options(_RECEIVING_COLUMNS))
    if host_kind not in HOST_KINDS or shop is None or shop.host_kind != host_kind:
        current_app.logger.info("Webhook for unknown shop %r (%s) from %s", shop_key[:40], host_kind[:20],
                                request.remote_addr)
        return jsonify(error="unknown shop"), 404
    limit = current_app.config["WEBHOOK_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        answer = reject_oversized(shop, host_kind, request.content_length, limit, request.headers, request.remote_addr)
    else:
        body = request.stream.read(limit + 1)
        if len(body) > limit:
            answer = reject_oversized(shop, host_kind, len(body), limit, request.headers, request.remote_addr)
        else:
            answer = receive(shop, host_kind, body, request.headers, request.remote_addr)
    return _respond(answer)


def _respond(answer: Answer):
    if answer.kick_shop_id is not None:
        kick(answer.kick_shop_id)
    return jsonify(answer.body), answer.status


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    app.register_blueprint(bp)
