"""confirmShipment (Orders v0) checks the body like Amazon, ships the order, and keeps every attempt for tests."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from connector.sandbox.orders.factory import ItemSpec
from orders_support import CA, ORDERS_V0, US, amazon, assert_valid, iso  # noqa: F401


def _body(order, items=None, marketplace_id=None, **package) -> dict:
    detail = {"packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z999AA10123456784",
              "shipDate": iso(order.created + timedelta(hours=1)),
              "orderItems": [{"orderItemId": item.order_item_id, "quantity": item.quantity} for item in order.items]
              if items is None else items}
    detail.update(package)
    return {"marketplaceId": marketplace_id or order.marketplace_id, "packageDetail": detail}


def test_partial_then_full_shipment(amazon):
    order = amazon.world.create("A1DEMOSELLERNA", [ItemSpec("SKU-A", 2), ItemSpec("SKU-B", 1)], marketplace_id=CA)
    first, second = order.items
    amazon.advance(minutes=30)

    partial = amazon.confirm(order.order_id, _body(order, [{"orderItemId": first.order_item_id, "quantity": 1}],
                                                   shippingMethod="Ground"))
    assert partial.status_code == 204 and partial.content == b""
    assert partial.headers["x-amzn-RateLimit-Limit"] == "2.0" and partial.headers["x-amzn-RequestId"]
    shown = amazon.get_order(order.order_id, includedData="FULFILLMENT,PACKAGES").json()["order"]
    assert shown["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    assert shown["lastUpdatedTime"] == iso(amazon.now())
    assert [item["fulfillment"] for item in shown["orderItems"]] == [
        {"quantityFulfilled": 1, "quantityUnfulfilled": 1}, {"quantityFulfilled": 0, "quantityUnfulfilled": 1}]
    assert shown["packages"][0] | {"createdTime": None, "shipTime": None} == {
        "packageReferenceId": "1", "createdTime": None, "shipTime": None, "packageStatus": {"status": "SHIPPED"},
        "carrier": "UPS", "shippingService": "Ground", "trackingNumber": "1Z999AA10123456784",
        "packageItems": [{"orderItemId": first.order_item_id, "quantity": 1}]}

    amazon.advance(minutes=30)
    rest = [{"orderItemId": first.order_item_id, "quantity": 1}, {"orderItemId": second.order_item_id, "quantity": 1}]
    full = amazon.confirm(order.order_id, _body(order, rest, packageReferenceId="2", carrierCode="Other",
                                                carrierName="Local Courier"))
    assert full.status_code == 204
    shown = amazon.get_order(order.order_id, includedData="FULFILLMENT,PACKAGES").json()["order"]
    assert shown["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert shown["packages"][1]["carrier"] == "Local Courier"
    assert [attempt.accepted for attempt in amazon.world.confirmations(order.order_id)] == [True, True]

    control = requests.get(f"{amazon.url}/_sim/orders/{order.order_id}", timeout=5).json()
    assert [c["body"]["packageDetail"]["packageReferenceId"] for c in control["confirmations"]] == ["1", "2"]
    assert control["order"]["fulfillment"]["fulfillmentStatus"] == "SHIPPED"


# (case, how the order is made, what happened to it first, how the body differs, what Amazon says)
REFUSALS = [
    ("cancelled", {"status": "CANCELLED"}, None, {}, "was cancelled"),
    ("already shipped", {"status": "SHIPPED"}, None, {}, "already fully shipped"),
    ("shipped in Seller Central", {}, "ship_elsewhere", {}, "already fully shipped"),
    ("pending", {"status": "PENDING"}, None, {}, "is PENDING"),
    ("fulfilled by Amazon", {"fulfilled_by": "AMAZON"}, None, {}, "fulfilled by Amazon"),
    ("quantity too high", {}, None, {"quantity": 3}, "exceeds the 2 unit(s) left to ship"),
    ("duplicate package", {}, "confirm_one", {"quantity": 1}, "packageReferenceId 1 was already confirmed"),
    ("unknown item", {}, None, {"orderItemId": "00000000000000"}, "is not an item of order"),
    ("other marketplace", {"marketplace_id": US}, None, {"marketplace_id": CA}, "is not the marketplace of order"),
    ("unknown carrier", {}, None, {"carrierCode": "Pony Express"}, "not a carrier code Amazon knows"),
    ("carrier in the wrong case", {}, None, {"carrierCode": "FEDEX"}, "Did you mean 'FedEx'?"),
    ("Other without a name", {}, None, {"carrierCode": "Other"}, "carrierName is required"),
    ("no tracking number", {}, None, {"trackingNumber": ""}, "trackingNumber is required"),
    ("date only", {}, None, {"shipDate": "02/21/2022"}, "shipDate must be an ISO 8601 date-time"),
    ("package id not numeric", {}, None, {"packageReferenceId": "PKG-1"}, "must be a positive number"),
]


@pytest.mark.parametrize("case,options,before,change,message", REFUSALS, ids=[case[0] for case in REFUSALS])
def test_refused_confirmations_leave_the_order_alone(amazon, case, options, before, change, message):
    order = amazon.world.create("A1DEMOSELLERNA", [ItemSpec("SKU-A", 2)], **options)
    one_unit = [{"orderItemId": order.items[0].order_item_id, "quantity": 1}]
    if before == "ship_elsewhere":
        amazon.world.ship_elsewhere(order.order_id)
    elif before == "confirm_one":
        assert amazon.confirm(order.order_id, _body(order, one_unit)).status_code == 204
    status, shipped = order.status, [item.shipped for item in order.items]
    change = dict(change)
    if {"quantity", "orderItemId"} & set(change):
        change["items"] = [{"orderItemId": change.pop("orderItemId", order.items[0].order_item_id),
                            "quantity": change.pop("quantity", 1)}]
    amazon.advance(minutes=5)

    response = amazon.confirm(order.order_id, _body(order, **change))
    assert response.status_code == 400, response.text
    assert_valid(ORDERS_V0, "ConfirmShipmentErrorResponse", response.json())
    [error] = response.json()["errors"]
    assert error["code"] == "InvalidInput" and message in error["message"]
    after = amazon.world.order(order.order_id)
    assert (after.status, [item.shipped for item in after.items]) == (status, shipped)
    assert amazon.world.confirmations(order.order_id)[-1].errors == [error]


def test_unknown_orders_and_broken_bodies(amazon):
    unknown = amazon.confirm("999-0000000-0000000", {"marketplaceId": US, "packageDetail": {}})
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == "NotFound"
    assert_valid(ORDERS_V0, "ConfirmShipmentErrorResponse", unknown.json())

    order = amazon.world.create("A1DEMOSELLERNA", [ItemSpec("SKU-A")])
    missing = amazon.confirm(order.order_id, {"marketplaceId": US, "packageDetail": {"orderItems": []}})
    message = missing.json()["errors"][0]["message"]
    for required in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
        assert f"packageDetail.{required} is required" in message
    not_json = requests.post(f"{amazon.url}/sp-api/na/orders/v0/orders/{order.order_id}/shipmentConfirmation",
                             data="carrier=UPS", headers={"x-amz-access-token": amazon.token}, timeout=5)
    assert not_json.status_code == 400 and "JSON object" in not_json.json()["errors"][0]["message"]
    assert [attempt.status for attempt in amazon.world.confirmations()] == [404, 400, 400]
    assert amazon.world.order(order.order_id).status == "UNSHIPPED"
