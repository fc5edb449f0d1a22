"""Shipment confirmation: the cart's webhooks (real payload shapes from tests/data/hosts) record shipments, and each
is confirmed to the simulated Amazon exactly once, partial shipments included; unknown carriers go as "Other";
Amazon's refusals wait for a person; failures are retried; a lost answer does not confirm twice."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import hostwebhooks as send
from connector import clock
from connector.config import amazon_endpoints
from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.carriers import save_entry
from connector.orders.models import Shipment, ShipmentState
from connector.orders.storing import store_orders
from connector.orders.tasks import sweep
from connector.sandbox.orders.render import INCLUDED_DATA, amazon_order
from connector.webhooks.models import DeliveryStatus, WebhookDelivery
from orderhelpers import connect_account, imported, log_messages, shopify_shop
from fakehost import FakeHost
from helpers import csrf_from, launch, make_shop
from lossyproxy import LossyGateway


def woocommerce_completed(woo, amazon_order_id: str, *meta: dict) -> dict:
    """The order as WooCommerce's order.updated webhook sends it once the shop owner completes it."""
    created = woo.amazon_orders(amazon_order_id)[0]
    payload = json.loads(send.host_file("woocommerce/order.updated.json"))
    payload.update(id=created["id"], number=created["number"], status="completed", line_items=created["line_items"],
                   meta_data=created["meta_data"] + list(meta))
    return payload


SHIPPED_AT = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3)


def tracking_items(provider: str, number: str, custom: str = "") -> dict:
    """WooCommerce Shipment Tracking's meta entry (date_shipped is a Unix timestamp in a string)."""
    return {"key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": provider, "custom_tracking_provider": custom, "custom_tracking_link": "",
         "tracking_number": number, "date_shipped": str(int(SHIPPED_AT.timestamp())), "tracking_id": "a1b2c3"}]}


def shopify_fulfillment(order, fulfillment_id: int, company: str, number: str, lines: list[tuple[str, int]]) -> dict:
    """A fulfillments/create body: the vendored sample, pointed at our cart order and its line items."""
    payload = json.loads(send.host_file("shopify/fulfillments_create.json"))
    line_of = {item_id: line_id for line_id, item_id in order.cart_lines.items()}
    sample = payload["line_items"][0]
    payload.update(id=fulfillment_id, order_id=int(order.cart_order_id), tracking_company=company,
                   tracking_number=number, tracking_numbers=[number], line_items=[
                       {**sample, "id": int(line_of[item_id]), "sku": sku, "quantity": quantity}
                       for item_id, sku, quantity in lines])
    return payload


def accepted(amazon, order_id: str) -> list:
    return amazon.world.confirmations(order_id=order_id, accepted=True)


def test_a_completed_woocommerce_order_is_confirmed_once_with_its_tracking(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A", "SKU-B", quantity=2)
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    client = app.test_client()
    payload = woocommerce_completed(woo, order.order_id, tracking_items("usps", "9400111899223"))

    assert send.woocommerce(client, woo_account.shop, "order.updated", payload).status_code == 200
    send.woocommerce(client, woo_account.shop, "order.updated", payload)  # WooCommerce fires on every save

    [confirmation] = amazon.world.confirmations(order_id=order.order_id)
    assert confirmation.accepted
    package = confirmation.body["packageDetail"]
    assert confirmation.body["marketplaceId"] == order.marketplace_id
    assert (package["packageReferenceId"], package["carrierCode"], package["trackingNumber"]) == (
        "1", "USPS", "9400111899223")
    assert package["shipDate"] == SHIPPED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sorted((i["orderItemId"], i["quantity"]) for i in package["orderItems"]) == sorted(
        (item.order_item_id, 2) for item in order.items)
    assert amazon.world.order(order.order_id).status == "SHIPPED"
    assert imported(woo_account.id)[order.order_id].amazon_status == "SHIPPED"
    messages = log_messages()
    assert any("shipped in the cart: 4 unit(s), usps 9400111899223" in m for m in messages)
    assert any(f"Amazon confirmed the shipment of order {order.order_id}" in m for m in messages)


def test_shopify_partial_and_full_fulfillments_become_two_packages(app, amazon, shopify):
    account = connect_account(shopify_shop(shopify), amazon.state)
    order = amazon.order("SKU-A", "SKU-B", quantity=2)
    amazon.settle()
    enqueue("orders.import", account.id)
    row = imported(account.id)[order.order_id]
    first, second = order.items
    client = app.test_client()

    send.shopify(client, account.shop, "fulfillments/create",
                 shopify_fulfillment(row, 1069019878, "UPS", "1Z001", [(first.order_item_id, "SKU-A", 1)]))
    assert amazon.world.order(order.order_id).status == "PARTIALLY_SHIPPED"
    rest = shopify_fulfillment(row, 1069019879, "DHL Express", "JD002",
                               [(first.order_item_id, "SKU-A", 1), (second.order_item_id, "SKU-B", 2)])
    send.shopify(client, account.shop, "fulfillments/create", rest)
    # orders/fulfilled repeats both fulfillments: nothing is confirmed twice.
    fulfilled = json.loads(send.host_file("shopify/orders_fulfilled.json"))
    fulfilled.update(id=int(row.cart_order_id), fulfillments=[
        shopify_fulfillment(row, 1069019878, "UPS", "1Z001", [(first.order_item_id, "SKU-A", 1)]), rest])
    send.shopify(client, account.shop, "orders/fulfilled", fulfilled)

    confirmations = amazon.world.confirmations(order_id=order.order_id)
    assert [c.accepted for c in confirmations] == [True, True]
    packages = [c.body["packageDetail"] for c in confirmations]
    assert [(p["packageReferenceId"], p["carrierCode"]) for p in packages] == [("1", "UPS"), ("2", "DHL Express")]
    assert [[(i["orderItemId"], i["quantity"]) for i in p["orderItems"]] for p in packages] == [
        [(first.order_item_id, 1)], [(first.order_item_id, 1), (second.order_item_id, 2)]]
    assert amazon.world.order(order.order_id).status == "SHIPPED"


def test_an_unknown_carrier_goes_as_other_and_the_carrier_table_maps_names(app, amazon, woo, woo_account):
    first, second = amazon.order("SKU-A"), amazon.order("SKU-B")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    client = app.test_client()
    send.woocommerce(client, woo_account.shop, "order.updated", woocommerce_completed(
        woo, first.order_id, tracking_items("", "SP-1", custom="Speedy Parcels Ltd")))
    save_entry(woo_account.shop_id, "Speedy-Parcels  LTD", "DPD", None)
    send.woocommerce(client, woo_account.shop, "order.updated", woocommerce_completed(
        woo, second.order_id, {"key": "amazon_carrier", "value": "speedy parcels ltd"},
        {"key": "amazon_tracking_number", "value": "SP-2"}))

    [other] = accepted(amazon, first.order_id)
    assert other.body["packageDetail"]["carrierCode"] == "Other"
    assert other.body["packageDetail"]["carrierName"] == "Speedy Parcels Ltd"
    [mapped] = accepted(amazon, second.order_id)
    assert mapped.body["packageDetail"]["carrierCode"] == "DPD" and "carrierName" not in mapped.body["packageDetail"]


def test_amazon_refusing_a_confirmation_is_shown_and_not_retried_blindly(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    amazon.world.cancel(order.order_id)  # the cart does not know yet and ships it
    send.woocommerce(app.test_client(), woo_account.shop, "order.updated",
                     woocommerce_completed(woo, order.order_id, tracking_items("ups", "1Z777")))

    shipment = db.session.scalars(db.select(Shipment)).one()
    assert shipment.state == ShipmentState.REFUSED and "was cancelled" in shipment.last_problem
    assert any("Amazon refused the shipment confirmation" in m and "was cancelled" in m for m in log_messages())
    clock.advance(timedelta(hours=2))
    sweep()
    assert len(amazon.world.confirmations(order_id=order.order_id)) == 1

    admin = launch(app.test_client(), woo_account.shop)
    page = admin.get(f"/admin/accounts/{woo_account.id}").get_data(as_text=True)
    assert "Amazon refused it" in page and "was cancelled" in page
    admin.post(f"/admin/shipments/{shipment.id}/retry", data={"csrf_token": csrf_from(page)})
    assert len(amazon.world.confirmations(order_id=order.order_id)) == 2


def test_failures_are_retried_every_30_minutes(app, amazon, woo, woo_account):
    app.config["AMAZON_MAX_ATTEMPTS"] = 2  # the client's own quick retries, kept short for the test
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    amazon.state.add_fault("confirmShipment", "503", count=2)
    send.woocommerce(app.test_client(), woo_account.shop, "order.updated",
                     woocommerce_completed(woo, order.order_id, tracking_items("fedex", "7712")))

    shipment = db.session.scalars(db.select(Shipment)).one()
    assert shipment.state == ShipmentState.PENDING and shipment.attempts == 1
    assert timedelta(minutes=29) < shipment.next_attempt_at - clock.utcnow() <= timedelta(minutes=30)
    sweep()
    assert accepted(amazon, order.order_id) == []

    clock.advance(timedelta(minutes=31))
    sweep()
    db.session.expire_all()
    assert shipment.state == ShipmentState.CONFIRMED and len(accepted(amazon, order.order_id)) == 1


def test_a_lost_answer_from_amazon_does_not_confirm_twice(app, amazon, woo, woo_account):
    gateway = LossyGateway(app.config["SIMULATOR_URL"])
    app.config["AMAZON_ENDPOINTS"] = amazon_endpoints("simulator", gateway.url)
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    gateway.lose["shipmentConfirmation"] = 1  # Amazon confirms; its answer never arrives
    send.woocommerce(app.test_client(), woo_account.shop, "order.updated",
                     woocommerce_completed(woo, order.order_id, tracking_items("ups", "1Z555")))

    shipment = db.session.scalars(db.select(Shipment)).one()
    assert shipment.state == ShipmentState.CONFIRMED
    attempts = amazon.world.confirmations(order_id=order.order_id)
    assert [a.accepted for a in attempts] == [True, False]  # the client's retry was refused as a repeat
    assert any("already had the shipment" in m and "not sent twice" in m for m in log_messages())
    gateway.stop()


def test_generic_carts_report_shipments_with_order_shipped(app, amazon):
    host = FakeHost()
    shop = make_shop(host="generic", notification_url=f"{host.url}/amazon")
    account = connect_account(shop, amazon.state)
    order = amazon.order("SKU-A", "SKU-B", quantity=3)
    amazon.settle()
    enqueue("orders.import", account.id)
    client = app.test_client()

    send.generic(client, shop, "order.shipped", {"amazon_order_id": order.order_id, "shipment_id": "S-1",
                                                 "carrier": "Royal Mail", "tracking_number": "RM1",
                                                 "items": [{"sku": "SKU-B", "quantity": 2}]})
    send.generic(client, shop, "order.shipped", {"amazon_order_id": order.order_id, "carrier": "Royal Mail"})

    [confirmation] = accepted(amazon, order.order_id)
    assert confirmation.body["packageDetail"]["orderItems"] == [
        {"orderItemId": order.items[1].order_item_id, "quantity": 2}]
    invalid = db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id.desc())).first()
    assert invalid.status == DeliveryStatus.FAILED and invalid.next_attempt_at is None
    assert "lacks shipment_id, tracking_number" in invalid.problem
    host.stop()


def test_nothing_is_sent_when_shipments_are_not_to_be_confirmed_or_lack_tracking(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    client = app.test_client()
    send.woocommerce(client, woo_account.shop, "order.updated", woocommerce_completed(woo, order.order_id))
    assert any("without a tracking number" in m for m in log_messages())

    woo_account.confirm_shipments = False
    db.session.commit()
    send.woocommerce(client, woo_account.shop, "order.updated",
                     woocommerce_completed(woo, order.order_id, tracking_items("ups", "1Z1")))
    assert any("is off for US main" in m for m in log_messages())
    assert amazon.world.confirmations(order_id=order.order_id) == []
    assert db.session.scalars(db.select(Shipment)).all() == []

    other = json.loads(send.host_file("woocommerce/order.updated.json"))  # a shop order that is not Amazon's
    assert send.woocommerce(client, woo_account.shop, "order.updated", other).status_code == 200
    assert db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id.desc())).first().status == (
        DeliveryStatus.PROCESSED)


def test_a_page_read_before_the_confirmation_does_not_undo_it(app, amazon, woo, woo_account):
    order = amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", woo_account.id)
    before = amazon_order(amazon.world.order(order.order_id), INCLUDED_DATA)  # what a slow page still shows
    send.woocommerce(app.test_client(), woo_account.shop, "order.updated",
                     woocommerce_completed(woo, order.order_id, tracking_items("ups", "1Z9")))
    assert imported(woo_account.id)[order.order_id].amazon_status == "SHIPPED"

    result = store_orders(woo_account, [before], ["UNSHIPPED"], lambda *args, **kwargs: None)

    assert result.updated == 0 and imported(woo_account.id)[order.order_id].amazon_status == "SHIPPED"
