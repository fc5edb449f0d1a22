"""The `late` fault: Amazon does what was asked, then holds its real answer back, so a client that gives up (or dies)
before it arrives never learns that the work was done."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from connector.sandbox.orders.factory import ItemSpec
from orders_support import US, amazon, iso  # noqa: F401
from seller_api import LISTINGS_MODEL, check, fresh_api

STOCK = {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 17}]}


def _shipment(order, reference: str = "1") -> dict:
    return {"marketplaceId": order.marketplace_id, "packageDetail": {
        "packageReferenceId": reference, "carrierCode": "UPS", "trackingNumber": "1Z999AA10123456784",
        "shipDate": iso(order.created + timedelta(hours=1)),
        "orderItems": [{"orderItemId": item.order_item_id, "quantity": 1} for item in order.items]}}


def test_a_late_confirmation_ships_the_order_and_a_second_one_is_refused(amazon):
    order = amazon.world.create(amazon.seller, [ItemSpec("SKU-A", 2)], marketplace_id=US)
    amazon.advance(minutes=30)
    amazon.state.add_fault("confirmShipment", "late", delay_seconds=0.5)
    url = f"{amazon.url}/sp-api/na/orders/v0/orders/{order.order_id}/shipmentConfirmation"
    with pytest.raises(requests.Timeout):
        requests.post(url, json=_shipment(order), headers={"x-amz-access-token": amazon.token}, timeout=0.1)

    # Amazon shipped the unit although the client never heard so.
    assert [attempt.accepted for attempt in amazon.world.confirmations(order.order_id)] == [True]
    shown = amazon.get_order(order.order_id, includedData="PACKAGES,FULFILLMENT").json()["order"]
    assert [package["packageReferenceId"] for package in shown["packages"]] == ["1"]
    assert shown["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    assert [call.status for call in amazon.state.calls("confirmShipment")] == [204]

    # The same package sent again (a retry after the lost answer) is refused, and nothing ships twice.
    again = amazon.confirm(order.order_id, _shipment(order))
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "InvalidInput"
    assert "packageReferenceId 1 was already confirmed" in again.json()["errors"][0]["message"]
    assert [attempt.accepted for attempt in amazon.world.confirmations(order.order_id)] == [True, False]


def test_a_late_answer_is_the_real_answer_once_it_arrives(sandbox):
    api = fresh_api(sandbox)
    api.sim("POST", "faults", json={"operation": "patchListingsItem", "kind": "late", "delay_seconds": 0.3})
    path = api.item_path("DEMO-SKU-004")
    with pytest.raises(requests.Timeout):
        requests.patch(api.base + path, params={"marketplaceIds": US}, timeout=0.1,
                       headers={"x-amz-access-token": api.token},
                       json={"productType": "PRODUCT", "patches": [STOCK]})
    assert api.listing("DEMO-SKU-004")["quantity"] == 17  # applied before the answer left

    api.sim("POST", "faults", json={"operation": "patchListingsItem", "kind": "late", "delay_seconds": 0.3})
    waited = api.call("PATCH", path, params={"marketplaceIds": US},
                      json={"productType": "PRODUCT", "patches": [dict(STOCK, value=[{
                          "fulfillment_channel_code": "DEFAULT", "quantity": 18}])]})
    answer = check(waited, 200, LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert answer["status"] == "ACCEPTED"
    assert waited.elapsed.total_seconds() >= 0.3
    assert [change["source"].split(":")[0] for change in
            api.sim("GET", "listings/applied", params={"sku": "DEMO-SKU-004"}).json()["applied"]] == ["listings-api"] * 2


def test_late_token_grants_still_issue_the_token(sandbox):
    sandbox.reset()
    sandbox.state.add_fault("token", "late", delay_seconds=0.3)
    settings = sandbox.state.settings
    with pytest.raises(requests.Timeout):
        requests.post(f"{sandbox.url}/auth/o2/token", timeout=0.1, data={
            "grant_type": "client_credentials", "scope": "sellingpartnerapi::notifications",
            "client_id": settings.client_id, "client_secret": settings.client_secret})
    assert [call.status for call in sandbox.state.calls("token")] == [200]
