"""Order controls under /_sim for tests, benchmarks and demos: create orders, generate many, run a live generator,
change orders as Amazon or the seller would, and read orders with every shipment confirmation Amazon received."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request

from .catalog import DEMO_SKUS
from .factory import ItemSpec, OrderMix
from .model import ConfirmationAttempt, OrderStateError, SimOrder, UnknownOrder
from .render import INCLUDED_DATA, amazon_order, iso
from .search import parse_time
from .world import LiveGenerator, OrderWorld

bp = Blueprint("sandbox_orders", __name__, url_prefix="/_sim")


def _world() -> OrderWorld:
    return current_app.extensions["sandbox_state"].orders


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.errorhandler(ValueError)
@bp.errorhandler(TypeError)
def _bad_request(error: Exception) -> tuple[Response, int]:
    return jsonify(error=str(error)), 400


@bp.errorhandler(OrderStateError)
def _conflict(error: OrderStateError) -> tuple[Response, int]:
    return jsonify(error=str(error)), 409


@bp.errorhandler(UnknownOrder)
def _not_found(error: UnknownOrder) -> tuple[Response, int]:
    return jsonify(error=str(error)), 404


def _time(body: dict, name: str) -> datetime | None:
    return parse_time(name, str(body[name])) if body.get(name) else None


def _items(body: dict) -> list[ItemSpec]:
    items = body.get("items") or [{"sku": DEMO_SKUS[0]}]
    if not all(isinstance(item, dict) and item.get("sku") for item in items):
        raise ValueError("items must be objects with a sku (and optional quantity, unit_price, title, asin)")
    return [ItemSpec(str(item["sku"]), int(item.get("quantity", 1)), item.get("unit_price"), item.get("title"),
                     item.get("asin")) for item in items]


def _skus(body: dict) -> tuple[str, ...]:
    return tuple(str(sku) for sku in body["skus"]) if body.get("skus") else DEMO_SKUS


def _seller(body: dict) -> str:
    if not body.get("selling_partner_id"):
        raise ValueError("selling_partner_id is required")
    return str(body["selling_partner_id"])


def attempt_view(attempt: ConfirmationAttempt) -> dict:
    return {"at": attempt.at.isoformat(), "selling_partner_id": attempt.seller_id, "order_id": attempt.order_id,
            "status": attempt.status, "accepted": attempt.accepted, "errors": attempt.errors, "body": attempt.body}


def order_view(order: SimOrder) -> dict:
    """The order as Amazon shows it with every includedData, plus what only the simulator knows."""
    return {"selling_partner_id": order.seller_id, "visible_at": iso(order.visible_at),
            "order": amazon_order(order, INCLUDED_DATA),
            "scheduled": [{"at": iso(change.at), "change": change.kind} for change in order.scheduled],
            "confirmations": [attempt_view(attempt) for attempt in _world().confirmations(order.order_id)]}


def _summary(order: SimOrder) -> dict:
    return {"orderId": order.order_id, "status": order.status, "fulfilledBy": order.fulfilled_by,
            "marketplaceId": order.marketplace_id, "createdTime": iso(order.created),
            "lastUpdatedTime": iso(order.last_updated), "visibleAt": iso(order.visible_at),
            "skus": [item.sku for item in order.items]}


def _generator_view(generator: LiveGenerator) -> dict:
    return {"selling_partner_id": generator.seller_id, "orders_per_hour": generator.orders_per_hour,
            "marketplace_ids": list(generator.marketplace_ids), "skus": list(generator.skus),
            "next_order_at": iso(generator.next_at)}


@bp.get("/orders")
def list_orders():
    seller = request.args.get("selling_partner_id", "")
    return jsonify([_summary(order) for order in _world().seller_orders(seller)])


@bp.post("/orders")
def create_order():
    body = _body()
    order = _world().create(
        _seller(body), _items(body), marketplace_id=body.get("marketplace_id"), status=body.get("status", "UNSHIPPED"),
        fulfilled_by=body.get("fulfilled_by", "MERCHANT"), service_level=body.get("service_level", "STANDARD"),
        created=_time(body, "created_time"), last_updated=_time(body, "last_updated_time"),
        visible_at=_time(body, "visible_time"), release_at=_time(body, "release_time"), order_id=body.get("order_id"))
    return jsonify(order_view(order)), 201


@bp.post("/orders/generate")
def generate_orders():
    body = _body()
    made = _world().generate(_seller(body), int(body.get("count", 0)), float(body.get("days", 1)),
                             marketplace_ids=body.get("marketplace_ids"), skus=_skus(body),
                             mix=OrderMix.from_json(body.get("mix")), seed=body.get("seed"))
    return jsonify(created=len(made), order_ids=[order.order_id for order in made]), 201


@bp.get("/orders/live")
def live_generators():
    return jsonify([_generator_view(generator) for generator in _world().live_generators()])


@bp.post("/orders/live")
def start_live_generator():
    body = _body()
    generator = _world().start_live(_seller(body), float(body.get("orders_per_hour", 0)),
                                    marketplace_ids=body.get("marketplace_ids"), skus=_skus(body),
                                    mix=OrderMix.from_json(body.get("mix")), seed=body.get("seed"))
    return jsonify(_generator_view(generator)), 201


@bp.delete("/orders/live/<seller_id>")
def stop_live_generator(seller_id: str):
    stopped = _world().stop_live(seller_id)
    return jsonify(stopped=stopped), 200 if stopped else 404


@bp.get("/orders/<order_id>")
def show_order(order_id: str):
    return jsonify(order_view(_world().order(order_id)))


@bp.post("/orders/<order_id>/release")
def release_order(order_id: str):
    return jsonify(order_view(_world().release(order_id)))


@bp.post("/orders/<order_id>/cancel")
def cancel_order(order_id: str):
    body = _body()
    return jsonify(order_view(_world().cancel(order_id, str(body.get("requester", "BUYER")),
                                              str(body.get("reason", "Buyer cancelled the order")))))


@bp.post("/orders/<order_id>/ship-elsewhere")
def ship_order_elsewhere(order_id: str):
    body = _body()
    return jsonify(order_view(_world().ship_elsewhere(order_id, str(body.get("carrier", "UPS")),
                                                      body.get("tracking_number"))))


@bp.get("/confirmations")
def confirmations():
    accepted = request.args.get("accepted")
    return jsonify([attempt_view(attempt) for attempt in _world().confirmations(
        request.args.get("order_id"), None if accepted is None else accepted.lower() == "true")])
