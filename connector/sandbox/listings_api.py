"""Listings Items API 2021-08-01: getListingsItem and patchListingsItem on the simulator's listings, registered with
spapi's operation(). The SKU is the rest of the path as the server decoded it, so it may hold '/', spaces or any
Unicode; a patch applies at once (Amazon takes minutes) and is logged as source "listings-api:<submissionId>"."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import fastjsonschema
from flask import Response, request

from . import listing_patches
from .feed_lifecycle import advance
from .listing_items import INCLUDED_DATA, render_item
from .listings import Application
from .responses import ACCESS_DENIED, amazon_json, errors
from .spapi import operation, state

ITEM_PATH = "/listings/2021-08-01/items/<sellerId>/<path:sku>"
MODEL = Path(__file__).parent / "amazon_models" / "models" / "listings-items-api-model" / "listingsItems_2021-08-01.json"
VALIDATE_PATCH_REQUEST = fastjsonschema.compile({
    "$ref": "#/definitions/ListingsItemPatchRequest",
    "definitions": json.loads(MODEL.read_text())["definitions"],
}, use_default=False)
CANNOT_PARSE = "Request has missing or invalid parameters and cannot be parsed."


def invalid(details: str) -> Response:
    return errors(400, {"code": "InvalidInput", "message": CANNOT_PARSE, "details": details})


def _refusal(seller, seller_id: str) -> tuple[list[str], Response | None]:
    """The requested marketplaces, or Amazon's answer when the path's seller or the marketplaces are wrong."""
    if seller_id != seller.selling_partner_id:
        return [], errors(403, {"code": "Unauthorized", "message": ACCESS_DENIED, "details": ""})
    marketplace_ids = _listed("marketplaceIds")
    if not marketplace_ids:
        return [], invalid("marketplaceIds is required.")
    foreign = [m for m in marketplace_ids if m not in seller.marketplace_ids]
    if foreign:
        return [], invalid(f"The seller does not participate in marketplace(s) {', '.join(foreign)}.")
    return marketplace_ids, None


def _listed(name: str) -> list[str]:
    return [item for value in request.args.getlist(name) for item in value.split(",") if item]


@operation("getListingsItem", "GET", ITEM_PATH)
def get_listings_item(seller, sellerId: str, sku: str) -> Response:
    marketplace_ids, refusal = _refusal(seller, sellerId)
    if refusal:
        return refusal
    included = _listed("includedData") or ["summaries"]
    unknown = [name for name in included if name not in INCLUDED_DATA]
    if unknown:
        return invalid(f"includedData allows {', '.join(INCLUDED_DATA)}; not {', '.join(unknown)}.")
    world = state()
    advance(world)
    with world.listings.lock:
        catalogs = {m: world.listings.catalog(sellerId, m) for m in marketplace_ids}
        found = {m: catalog[sku] for m, catalog in catalogs.items() if sku in catalog}
        if not found:
            return errors(404, {"code": "NOT_FOUND", "message": f"SKU '{sku}' not found in marketplace "
                                                                f"{','.join(marketplace_ids)}", "details": ""})
        return amazon_json(render_item(sku, found, included))


@operation("patchListingsItem", "PATCH", ITEM_PATH)
def patch_listings_item(seller, sellerId: str, sku: str) -> Response:
    marketplace_ids, refusal = _refusal(seller, sellerId)
    if refusal:
        return refusal
    mode = request.args.get("mode")
    preview = mode == "VALIDATION_PREVIEW"
    included = _listed("includedData") or ["issues"]
    if mode is not None and not preview:
        return invalid("mode allows only VALIDATION_PREVIEW.")
    if any(name not in ("identifiers", "issues") for name in included) or ("identifiers" in included and not preview):
        return invalid("includedData allows issues, and identifiers with mode=VALIDATION_PREVIEW.")
    body = request.get_json(silent=True)
    try:
        VALIDATE_PATCH_REQUEST(body)
    except fastjsonschema.JsonSchemaException as error:
        return invalid(f"The body is not a ListingsItemPatchRequest: {error.message}")
    world = state()
    advance(world)  # feeds that are due land first, as they would have on Amazon
    submission_id, now = uuid.uuid4().hex, world.now()
    with world.listings.lock:
        catalogs = {m: world.listings.catalog(sellerId, m) for m in marketplace_ids}
        plans = [listing_patches.plan(catalog, m, sku, "PATCH", now, body["productType"], body["patches"])
                 for m, catalog in catalogs.items()]
        valid = all(p.valid for p in plans)
        if valid and not preview:
            world.listings.record([
                Application(f"listings-api:{submission_id}", sellerId, p.marketplace_id, sku, None,
                            listing_patches.apply(catalogs[p.marketplace_id], p, now), now) for p in plans])
        identifiers = [{"marketplaceId": m, "asin": catalog[sku].asin} for m, catalog in catalogs.items()
                       if sku in catalog]
    status = ("VALID" if valid else "INVALID") if preview else ("ACCEPTED" if valid else "INVALID")
    answer: dict = {"sku": sku, "status": status, "submissionId": submission_id}
    if "issues" in included:
        answer["issues"] = [_issue_json(issue, p.marketplace_id) for p in plans for issue in p.issues]
    if "identifiers" in included:
        answer["identifiers"] = identifiers
    return amazon_json(answer)


def _issue_json(issue: listing_patches.Issue, marketplace_id: str) -> dict:
    answer = {"code": issue.code, "message": issue.message, "severity": issue.severity,
              "categories": [issue.category] if issue.category else [], "marketplaceIds": [marketplace_id]}
    if issue.attribute:
        answer["attributeNames"] = [issue.attribute]
    return answer
