"""Confirming recorded shipments to Amazon with Orders v0 confirmShipment, each exactly once.

The client already retries 429s and 5xx with backoff; what still fails is tried again every 30 minutes. Amazon's
refusal (a 400 or 404: wrong carrier code, cancelled order, ...) is kept with Amazon's message and waits for a person
instead of being sent again as is. Before sending a shipment again after an attempt whose answer we never stored,
Amazon's packages of the order are checked for its package reference."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from ..accounts.models import AmazonAccount
from ..amazon.client import SlotNotFree, SPAPIClient
from ..amazon.errors import AccountPaused, AmazonError, AmazonNotFound, AmazonRequestInvalid
from ..clock import utcnow
from ..extensions import db
from ..synclog.runs import RunRecorder
from .amazon_orders import PARTIALLY_SHIPPED, SHIPPED, AmazonOrder, amazon_time
from .carriers import amazon_carrier
from .models import Shipment, ShipmentState
from .storing import confirmed_everything

RETRY_AFTER_FAILURE = timedelta(minutes=30)
SLOT_WAIT_LIMIT = 5.0
BATCH_SIZE = 100


@dataclass
class ConfirmOutcome:
    confirmed: int = 0
    refused: int = 0
    retrying: int = 0
    resume_in: float | None = None


def due_shipments(account_id: int, now: datetime):
    return select(Shipment).where(
        Shipment.account_id == account_id, Shipment.state == ShipmentState.PENDING,
        or_(Shipment.next_attempt_at.is_(None), Shipment.next_attempt_at <= now)).order_by(Shipment.id)


def accounts_with_due_shipments(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return list(db.session.scalars(select(Shipment.account_id).where(and_(
        Shipment.state == ShipmentState.PENDING,
        or_(Shipment.next_attempt_at.is_(None), Shipment.next_attempt_at <= now))).distinct()))


def confirm_shipments(account: AmazonAccount, run: RunRecorder, client: SPAPIClient | None = None) -> ConfirmOutcome:
    client = client or SPAPIClient.for_account(account)
    outcome = ConfirmOutcome()
    for shipment in db.session.scalars(due_shipments(account.id, utcnow()).limit(BATCH_SIZE)).all():
        try:
            _confirm(shipment, client, run, outcome)
        except SlotNotFree as busy:
            outcome.resume_in = busy.seconds
            break
        finally:
            db.session.commit()
        run.progress(outcome.confirmed + outcome.refused + outcome.retrying)
    return outcome


def body_for(shipment: Shipment) -> dict:
    carrier = amazon_carrier(shipment.shop_id, shipment.carrier)
    package = {"packageReferenceId": shipment.package_reference, "carrierCode": carrier.code,
               "trackingNumber": shipment.tracking_number, "shipDate": amazon_time(shipment.shipped_at),
               "orderItems": [{"orderItemId": item["order_item_id"], "quantity": item["quantity"]}
                              for item in shipment.items]}
    if carrier.name:
        package["carrierName"] = carrier.name
    if shipment.shipping_method:
        package["shippingMethod"] = shipment.shipping_method
    return {"marketplaceId": shipment.order.marketplace_id, "packageDetail": package}


def _confirm(shipment: Shipment, client: SPAPIClient, run: RunRecorder, outcome: ConfirmOutcome) -> None:
    try:
        if shipment.attempts and _already_on_amazon(shipment, client):
            _confirmed(shipment, run, None, outcome, found_again=True)
            return
        body = body_for(shipment)
        shipment.carrier_code = body["packageDetail"]["carrierCode"]
        shipment.attempts += 1
        shipment.last_attempt_at = utcnow()
        db.session.commit()
        try:
            response = client.call("confirmShipment", {"orderId": shipment.order.amazon_order_id}, json=body,
                                   max_wait=SLOT_WAIT_LIMIT)
        except SlotNotFree:
            shipment.attempts -= 1  # nothing was sent
            raise
    except (SlotNotFree, AccountPaused):
        raise
    except AmazonRequestInvalid as refused:
        # After a lost answer the client sent the package again, and Amazon refuses a reference it already has.
        if _already_on_amazon(shipment, client):
            _confirmed(shipment, run, None, outcome, found_again=True)
        else:
            _refused(shipment, run, refused, outcome)
    except AmazonNotFound as refused:
        _refused(shipment, run, refused, outcome)
    except AmazonError as failed:
        _retry_later(shipment, run, failed, outcome)
    else:
        _confirmed(shipment, run, response.request_id, outcome, found_again=False)


def _already_on_amazon(shipment: Shipment, client: SPAPIClient) -> bool:
    response = client.call("getOrder", {"orderId": shipment.order.amazon_order_id}, {"includedData": ["PACKAGES"]},
                           max_wait=SLOT_WAIT_LIMIT)
    order = AmazonOrder.from_json((response.json or {}).get("order") or {})
    return shipment.package_reference in order.package_references()


def _what(shipment: Shipment) -> str:
    units = sum(int(item["quantity"]) for item in shipment.items)
    return (f"order {shipment.order.amazon_order_id} (package {shipment.package_reference}: {units} unit(s), "
            f"{shipment.carrier} {shipment.tracking_number})")


def _confirmed(shipment: Shipment, run: RunRecorder, request_id: str | None, outcome: ConfirmOutcome,
               found_again: bool) -> None:
    shipment.state = ShipmentState.CONFIRMED
    shipment.confirmed_at = utcnow()
    shipment.amazon_request_id = request_id or shipment.amazon_request_id
    shipment.next_attempt_at = shipment.last_problem = None
    order = shipment.order
    # After a 204 Amazon ships the units: the order is shipped once every unit was confirmed.
    db.session.flush()
    order.amazon_status = SHIPPED if confirmed_everything(order) else PARTIALLY_SHIPPED
    outcome.confirmed += 1
    run.count(sent=0 if found_again else 1, accepted=1)
    run.log("info", f"Amazon {'already had' if found_again else 'confirmed'} the shipment of {_what(shipment)}"
            + (" from an earlier attempt; not sent twice." if found_again else "."),
            amazon_order_id=order.amazon_order_id, cart_order_id=order.cart_order_id, amazon_request_id=request_id,
            commit=False)


def _refused(shipment: Shipment, run: RunRecorder, refused: AmazonError, outcome: ConfirmOutcome) -> None:
    shipment.state = ShipmentState.REFUSED
    shipment.next_attempt_at = None
    shipment.last_problem = refused.message
    shipment.amazon_request_id = refused.request_id
    outcome.refused += 1
    run.count(sent=1, failed=1)
    run.log("error", f"Amazon refused the shipment confirmation of {_what(shipment)}: {refused.message} "
            "It is not sent again as it is: fix the cause (for example the carrier table), then click Retry.",
            amazon_order_id=shipment.order.amazon_order_id, amazon_request_id=refused.request_id,
            http_status=refused.http_status, error_code=refused.code, commit=False)


def _retry_later(shipment: Shipment, run: RunRecorder, failed: AmazonError, outcome: ConfirmOutcome) -> None:
    shipment.next_attempt_at = utcnow() + RETRY_AFTER_FAILURE
    shipment.last_problem = str(failed)
    outcome.retrying += 1
    run.count(sent=1, failed=1)
    run.log("warning", f"Could not confirm the shipment of {_what(shipment)} (attempt {shipment.attempts}): {failed} "
            f"It is retried at {shipment.next_attempt_at:%Y-%m-%d %H:%M} UTC.",
            amazon_order_id=shipment.order.amazon_order_id, amazon_request_id=failed.request_id,
            http_status=failed.http_status, error_code=failed.code, commit=False)

