"""/_sim controls for feeds: the processing delay, feed faults (FATAL, or a report that never arrives), feeds as
Amazon holds them with the messages each applied, and "finish what is due now"."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .feed_lifecycle import advance
from .feeds import Feed

bp = Blueprint("sandbox_feed_controls", __name__, url_prefix="/_sim/feeds")


def _world():
    return current_app.extensions["sandbox_state"]


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.get("/settings")
def settings():
    return jsonify(processing_seconds=_world().feeds.processing_seconds)


@bp.post("/settings")
def change_settings():
    """{"processing_seconds": S}: feeds created from now on take S seconds of simulator time (0: at once)."""
    seconds = _body().get("processing_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        return jsonify(error="processing_seconds must be a number of at least 0"), 400
    _world().feeds.processing_seconds = float(seconds)
    return jsonify(processing_seconds=float(seconds))


@bp.post("/faults")
def add_fault():
    """{"kind": "fatal"|"stuck", "count": 1, "apply_messages": false}: the next `count` feeds created go wrong."""
    body = _body()
    count = body.get("count", 1)
    try:
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValueError("count must be a whole number")
        _world().feeds.add_fault(str(body.get("kind", "")), count, bool(body.get("apply_messages", False)))
    except ValueError as invalid:
        return jsonify(error=str(invalid)), 400
    return jsonify(status="added"), 201


@bp.delete("/faults")
def clear_faults():
    _world().feeds.clear_faults()
    return jsonify(status="cleared")


@bp.post("/process")
def process_due():
    """Finish everything that is due by the simulator's clock before answering."""
    advance(_world())
    return jsonify(status="processed")


@bp.get("")
def feeds():
    """[?selling_partner_id] -> every feed, oldest first, as the Feeds API shows it plus the simulator's record."""
    world = _world()
    advance(world)
    seller = request.args.get("selling_partner_id")
    with world.feeds.lock:
        chosen = [feed for feed in world.feeds.feeds.values() if seller in (None, feed.selling_partner_id)]
        return jsonify(feeds=[_record(feed, with_ids=False) for feed in chosen])


@bp.get("/<feed_id>")
def feed(feed_id: str):
    """One feed with the messageIds it applied."""
    world = _world()
    advance(world)
    with world.feeds.lock:
        found = world.feeds.feeds.get(feed_id)
        if found is None:
            return jsonify(error="no such feed"), 404
        return jsonify(_record(found, with_ids=True))


def _record(feed: Feed, with_ids: bool) -> dict:
    record = {**feed.as_json(), "selling_partner_id": feed.selling_partner_id, "processed": feed.processed,
              "fault": feed.fault.kind if feed.fault else None, "messages_applied": len(feed.applied_message_ids)}
    if with_ids:
        record["applied_message_ids"] = feed.applied_message_ids
    return record
