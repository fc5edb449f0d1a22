"""The Webhooks page: every delivery received, verified or rejected and why, duplicates, processing outcome;
replay a failed one, discard a stuck one (the owner only; the log says who)."""
from __future__ import annotations

import json

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import or_, select

from ..accounts.operations import accounts_of
from ..extensions import db
from ..shops.session import actor_name, shop_required
from ..synclog import queries
from ..synclog.links import link
from ..synclog.models import LogEntry
from ..synclog.runs import KIND_LABELS
from .models import DeliveryStatus, WebhookDelivery
from .processing import discard, replay
from .tasks import kick

bp = Blueprint("webhook_admin", __name__, url_prefix="/admin/webhooks")
PAGE_SIZE = 50
STATUSES = (DeliveryStatus.RECEIVED, DeliveryStatus.PROCESSED, DeliveryStatus.FAILED, DeliveryStatus.IGNORED,
            DeliveryStatus.REJECTED, DeliveryStatus.DISCARDED)
BODY_PREVIEW_BYTES = 20_000


@bp.get("")
@shop_required
def deliveries():
    query = select(WebhookDelivery).where(WebhookDelivery.shop_id == g.shop.id)
    status, topic, term = request.args.get("status"), request.args.get("topic"), (request.args.get("q") or "").strip()
    if status == "duplicates":
        query = query.where(WebhookDelivery.duplicates > 0)
    elif status in STATUSES:
        query = query.where(WebhookDelivery.status == status)
    if topic:
        query = query.where(WebhookDelivery.topic == topic)
    if term:
        matches = [WebhookDelivery.delivery_id == term, WebhookDelivery.event_id == term]
        if term.isdigit() and len(term) < 18:
            matches.append(WebhookDelivery.id == int(term))
        query = query.where(or_(*matches))
    before = queries.optional_int(request.args.get("before"))
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    rows = db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(PAGE_SIZE + 1)).all()
    older = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    topics = db.session.scalars(select(WebhookDelivery.topic).where(WebhookDelivery.shop_id == g.shop.id)
                                .distinct().order_by(WebhookDelivery.topic)).all()
    return render_template("webhooks/deliveries.html", deliveries=rows[:PAGE_SIZE], older=older, statuses=STATUSES,
                           topics=[t for t in topics if t], args=request.args)


def _delivery_or_404(delivery_id: int) -> WebhookDelivery:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.shop_id != g.shop.id:
        abort(404)
    return delivery


def _body_preview(delivery: WebhookDelivery) -> str | None:
    if delivery.body is None:
        return None
    text = delivery.body[:BODY_PREVIEW_BYTES].decode("utf-8", errors="replace")
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text + ("\n…" if len(delivery.body) > BODY_PREVIEW_BYTES else "")


@bp.get("/<int:delivery_id>")
@shop_required
def delivery(delivery_id: int):
    current = _delivery_or_404(delivery_id)
    entries = db.session.scalars(
        select(LogEntry).where(LogEntry.shop_id == g.shop.id, LogEntry.webhook_delivery_id == current.id)
        .order_by(LogEntry.id.desc()).limit(100)
    ).all()
    return render_template("webhooks/delivery.html", delivery=current, body=_body_preview(current), entries=entries,
                           aliases={a.id: a.alias for a in accounts_of(g.shop)}, kind_labels=KIND_LABELS, link=link)


@bp.post("/<int:delivery_id>/replay")
@shop_required(write=True)
def replay_delivery(delivery_id: int):
    current = _delivery_or_404(delivery_id)
    try:
        replay(current, actor_name())
    except ValueError:
        flash(gettext("Only failed or discarded webhooks can be replayed."), "error")
    else:
        kick(current.shop_id)
        flash(gettext("Webhook %(id)s queued again; it is processed within seconds.", id=current.id), "success")
    return redirect(url_for(".delivery", delivery_id=delivery_id))


@bp.post("/<int:delivery_id>/discard")
@shop_required(write=True)
def discard_delivery(delivery_id: int):
    current = _delivery_or_404(delivery_id)
    try:
        discard(current, actor_name())
    except ValueError:
        flash(gettext("Only webhooks waiting for processing can be discarded."), "error")
    else:
        flash(gettext("Webhook %(id)s discarded; it will not be processed.", id=current.id), "success")
    return redirect(url_for(".delivery", delivery_id=delivery_id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
