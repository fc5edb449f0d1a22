"""Test and demo controls under /_sim: move or speed up the clock, revoke, inject faults, read the call log."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from .settings import SellerSpec

bp = Blueprint("sandbox_controls", __name__)


def _world():
    return current_app.extensions["sandbox_state"]


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.get("/")
def index():
    world = _world()
    return render_template("sandbox/index.html", settings=world.settings, world=world)


@bp.get("/_sim/clock")
def clock():
    return jsonify(now=_world().now().isoformat(), speed=_world().clock.speed)


@bp.post("/_sim/clock")
def change_clock():
    """Set the speed first, then advance: {"speed": 1000} and/or {"advance_seconds": 3600}."""
    body = _body()
    try:
        if "speed" in body:
            _world().set_clock_speed(float(body["speed"]))
        _world().advance_clock(float(body.get("advance_seconds", 0)))
    except (TypeError, ValueError) as invalid:
        return jsonify(error=str(invalid)), 400
    return jsonify(now=_world().now().isoformat(), speed=_world().clock.speed)


@bp.post("/_sim/authorizations/revoke")
def revoke():
    _world().revoke(str(_body().get("selling_partner_id", "")))
    return jsonify(status="revoked")


@bp.get("/_sim/authorizations")
def authorizations():
    return jsonify([
        {"selling_partner_id": a.selling_partner_id, "authorized_at": a.authorized_at.isoformat(),
         "expires_at": a.expires_at.isoformat(), "revoked": a.revoked}
        for a in _world().authorizations.values()
    ])


@bp.post("/_sim/access-tokens/expire")
def expire_access_tokens():
    _world().expire_access_tokens()
    return jsonify(status="expired")


@bp.post("/_sim/faults")
def add_fault():
    body = _body()
    try:
        _world().add_fault(str(body.get("operation", "*")), str(body.get("kind", "")), int(body.get("count", 1)),
                           float(body.get("delay_seconds", 0)))
    except ValueError as invalid:
        return jsonify(error=str(invalid)), 400
    return jsonify(status="added"), 201


@bp.delete("/_sim/faults")
def clear_faults():
    _world().clear_faults()
    return jsonify(status="cleared")


@bp.get("/_sim/calls")
def calls():
    return jsonify([
        {"operation": c.operation, "selling_partner_id": c.selling_partner_id, "monotonic": c.monotonic,
         "at": c.at.isoformat(), "status": c.status}
        for c in _world().calls(request.args.get("operation"))
    ])


@bp.post("/_sim/sellers")
def add_seller():
    body = _body()
    try:
        seller = SellerSpec(str(body["selling_partner_id"]), str(body["name"]), str(body["region"]),
                            [str(m) for m in body["marketplace_ids"]])
    except (KeyError, TypeError):
        return jsonify(error="selling_partner_id, name, region and marketplace_ids are required"), 400
    _world().add_seller(seller)
    return jsonify(status="added"), 201


@bp.post("/_sim/reset")
def reset():
    _world().reset()
    return jsonify(status="reset")
