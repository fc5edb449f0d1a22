"""The Orders operations: searchOrders and getOrder (v2026-01-01), confirmShipment (v0).

They register with the SP-API dispatcher, which applies authentication, usage plans, faults and the call log.
"""
from __future__ import annotations

import uuid

from flask import Response, request

from ..responses import amazon_json, errors
from ..settings import SellerSpec
from ..spapi import operation, state
from .model import ORDER_ID, InvalidInput
from .render import amazon_order
from .search import parse_included_data, search_orders
from .shipping import confirm_shipment


def _invalid(message: str) -> Response:
    return errors(400, {"code": "InvalidInput", "message": message, "details": ""})


@operation("searchOrders", "GET", "/orders/2026-01-01/orders")
def search(seller: SellerSpec) -> Response:
    try:
        return amazon_json(search_orders(state().orders, seller, request.args))
    except InvalidInput as bad:
        return _invalid(str(bad))


@operation("getOrder", "GET", "/orders/2026-01-01/orders/<order_id>")
def get_order(seller: SellerSpec, order_id: str) -> Response:
    world = state().orders
    try:
        included = parse_included_data(request.args)
    except InvalidInput as bad:
        return _invalid(str(bad))
    if not ORDER_ID.match(order_id):
        return _invalid(f"orderId {order_id!r} is not an Amazon order id (3-7-7 digits).")
    with world.lock:
        order = world.visible_order(seller.selling_partner_id, order_id, world.catch_up())
        if order is None:
            return errors(404, {"code": "NotFound", "message": f"Order {order_id} was not found for this seller.",
                                "details": ""})
        return amazon_json({"order": amazon_order(order, included)})


@operation("confirmShipment", "POST", "/orders/v0/orders/<order_id>/shipmentConfirmation")
def shipment_confirmation(seller: SellerSpec, order_id: str) -> Response:
    attempt = confirm_shipment(state().orders, seller, order_id, request.get_json(silent=True))
    if attempt.accepted:
        return Response(status=204, headers={"x-amzn-RequestId": str(uuid.uuid4())})
    return errors(attempt.status, *attempt.errors)
