"""/_sim controls for Amazon's side of the listings: seed SKUs (one by one or in bulk), read one, many or a summary
with a checksum, clear, and read the log of applied changes. Reads first let due feeds finish."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .feed_lifecycle import advance
from .listing_seeds import BulkSeed, listing_from_json, marketplace

bp = Blueprint("sandbox_listing_controls", __name__, url_prefix="/_sim/listings")
MAX_PAGE = 100_000


def _world():
    return current_app.extensions["sandbox_state"]


def _where() -> tuple[str, str]:
    """(selling partner, marketplace) from the query string or JSON body; ValueError when missing or unknown."""
    body = request.get_json(silent=True) if request.is_json else None
    source = body if isinstance(body, dict) else request.args
    seller = source.get("selling_partner_id")
    if not isinstance(seller, str) or not seller:
        raise ValueError("selling_partner_id is required")
    return seller, marketplace(source.get("marketplace_id"))


@bp.errorhandler(ValueError)
def _bad(error: ValueError):
    """Input these controls could not use: a clear 400, nothing changed."""
    return jsonify(error=str(error)), 400


@bp.post("")
def seed():
    """{"selling_partner_id", "marketplace_id", "listings": [{"sku", "quantity", "price", ...}]}
    or {..., "bulk": {"count", "prefix", "start", "digits", "quantity", "price", "fba_every", "product_type"}}."""
    world, body = _world(), request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    seller, marketplace_id = _where()
    if "bulk" in body:
        listings = BulkSeed.from_json(body["bulk"]).listings(marketplace_id, world.now())
    elif isinstance(body.get("listings"), list):
        listings = [listing_from_json(spec, marketplace_id, world.now()) for spec in body["listings"]]
    else:
        raise ValueError("give either listings: [...] or bulk: {...}")
    added = world.listings.put_many(seller, marketplace_id, listings)
    return jsonify(seeded=len(listings), new=added), 201


@bp.get("")
def many():
    """?selling_partner_id&marketplace_id[&prefix][&offset][&limit] -> {"total", "listings": [...]} in SKU order."""
    seller, marketplace_id = _where()
    offset, limit = int(request.args.get("offset", 0)), int(request.args.get("limit", 1000))
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"offset must be at least 0 and limit between 1 and {MAX_PAGE}")
    advance(_world())
    total, listings = _world().listings.page(seller, marketplace_id, request.args.get("prefix", ""), offset, limit)
    return jsonify(total=total, listings=listings)


@bp.get("/item")
def one():
    """?selling_partner_id&marketplace_id&sku -> the listing, or 404."""
    seller, marketplace_id = _where()
    advance(_world())
    listing = _world().listings.get(seller, marketplace_id, request.args.get("sku", ""))
    return (jsonify(listing), 200) if listing else (jsonify(error="no such SKU"), 404)


@bp.get("/summary")
def summary():
    """?selling_partner_id&marketplace_id[&prefix] -> {"count", "fba", "total_quantity", "checksum"}."""
    seller, marketplace_id = _where()
    advance(_world())
    return jsonify(_world().listings.summary(seller, marketplace_id, request.args.get("prefix", "")))


@bp.delete("")
def clear():
    """?selling_partner_id[&marketplace_id]: that seller's listings disappear (all marketplaces without one)."""
    seller = request.args.get("selling_partner_id")
    if not seller:
        raise ValueError("selling_partner_id is required")
    _world().listings.clear(seller, request.args.get("marketplace_id"))
    return jsonify(status="cleared")


@bp.get("/applied")
def applied():
    """[?source=feed:<id>|listings-api:<submissionId>][&selling_partner_id][&sku] -> the changes applied, in order."""
    advance(_world())
    entries = _world().listings.applications(request.args.get("source"), request.args.get("selling_partner_id"),
                                             request.args.get("sku"))
    return jsonify(applied=[entry.as_dict() for entry in entries])
