"""SP-API operations under /sp-api/<region>: authentication, usage plans, faults, then the handler.

Operations register here with their method and path so Feeds, Listings and Orders can be added beside Sellers.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, g, request

from ..amazon.marketplaces import BY_ID
from .ratelimit import USAGE_PLANS
from .responses import QUOTA_EXCEEDED, access_denied, amazon_json, errors, injected_fault

bp = Blueprint("sandbox_spapi", __name__, url_prefix="/sp-api/<region>")
REGIONS = {"na": "NA", "eu": "EU", "fe": "FE"}
LANGUAGES = {"US": "en_US", "CA": "en_CA", "MX": "es_MX", "GB": "en_GB", "DE": "de_DE", "FR": "fr_FR", "IT": "it_IT",
             "ES": "es_ES", "JP": "ja_JP", "AU": "en_AU"}


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    handler: Callable[..., Response]


OPERATIONS: list[Operation] = []


def operation(name: str, method: str, path: str) -> Callable:
    """Register an operation and its route; modules defining operations are imported before the app is built."""
    def register(handler: Callable[..., Response]) -> Callable[..., Response]:
        op = Operation(name, method, path, handler)
        OPERATIONS.append(op)

        def view(region: str, **path_params) -> Response:
            return _dispatch(op, region, **path_params)

        bp.add_url_rule(op.path, endpoint=op.name, view_func=view, methods=[op.method])
        return handler

    return register


def state():
    return current_app.extensions["sandbox_state"]


def _dispatch(op: Operation, region: str, **path_params) -> Response:
    world = state()
    if region not in REGIONS:
        return errors(404, {"code": "NotFound", "message": "Resource not found", "details": ""})
    seller, reason = world.access_token_status(request.headers.get("x-amz-access-token"))
    if seller is None:
        world.record_call(op.name, None, 403, g.sim_generation)
        return access_denied(reason)
    spec = world.settings.seller(seller)
    if spec is None or spec.region != REGIONS[region]:
        world.record_call(op.name, seller, 403, g.sim_generation)
        return access_denied("invalid")
    fault = world.take_fault(op.name)
    if fault is not None and not fault.answers_late:
        response = injected_fault(fault.kind, fault.delay_seconds)
    elif not world.take_quota(seller, op.name):
        response = errors(429, QUOTA_EXCEEDED)
    else:
        response = op.handler(spec, **path_params)
        if response.status_code in (200, 201, 202, 204, 400, 404):
            response.headers["x-amzn-RateLimit-Limit"] = str(USAGE_PLANS[op.name][0])
    world.record_call(op.name, seller, response.status_code, g.sim_generation)
    if fault is not None and fault.answers_late:
        time.sleep(fault.delay_seconds)  # done and logged; the caller may give up or die before this answer
    return response


@operation("getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations")
def marketplace_participations(seller) -> Response:
    payload = []
    for marketplace_id in seller.marketplace_ids:
        marketplace = BY_ID[marketplace_id]
        payload.append({
            "marketplace": {
                "id": marketplace.id,
                "countryCode": marketplace.country,
                "name": f"Amazon.{domain_suffix(marketplace.country)}",
                "defaultCurrencyCode": marketplace.currency,
                "defaultLanguageCode": LANGUAGES.get(marketplace.country, "en_US"),
                "domainName": f"www.amazon.{domain_suffix(marketplace.country)}",
            },
            "storeName": seller.name,
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
        })
    return amazon_json({"payload": payload})


def domain_suffix(country: str) -> str:
    return {"US": "com", "GB": "co.uk", "JP": "co.jp", "AU": "com.au", "MX": "com.mx", "BR": "com.br",
            "TR": "com.tr", "BE": "com.be", "ZA": "co.za"}.get(country, country.lower())
