"""Support tools of the account page: import one order by its Amazon order ID, retry an order the cart held or
refused, retry a shipment Amazon refused."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select

from ..accounts.models import AmazonAccount
from ..amazon.client import SlotNotFree, SPAPIClient
from ..amazon.errors import AmazonError, AmazonNotFound
from ..extensions import db
from ..i18n.labels import N_, phrase
from ..jobs.registry import enqueue
from ..synclog.operations import record
from .amazon_orders import INCLUDED_DATA, AmazonOrder
from .models import CartState, ImportedOrder, Shipment, ShipmentState
from .settings import import_settings
from .storing import importable, store_orders

AMAZON_ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
SLOT_WAIT_LIMIT = 5.0


@dataclass(frozen=True)
class ToolResult:
    ok: bool
    message: str


def import_order_by_id(account: AmazonAccount, amazon_order_id: str, actor: str) -> ToolResult:
    """Fetch one order with getOrder and import it like the scheduled import would (never twice)."""
    amazon_order_id = amazon_order_id.strip()
    if not AMAZON_ORDER_ID.match(amazon_order_id):
        return ToolResult(False, gettext("An Amazon order ID has 3-7-7 digits, for example 112-1234567-1234567."))
    try:
        response = SPAPIClient.for_account(account).call(
            "getOrder", {"orderId": amazon_order_id}, {"includedData": list(INCLUDED_DATA)}, max_wait=SLOT_WAIT_LIMIT)
    except SlotNotFree as busy:
        return ToolResult(False, gettext("Amazon's getOrder quota is in use; try again in %(seconds)s seconds.",
                                         seconds=f"{busy.seconds:.0f}"))
    except AmazonNotFound:
        return ToolResult(False, gettext("Amazon does not know order %(order)s for this seller account.",
                                         order=amazon_order_id))
    except AmazonError as error:
        return ToolResult(False, gettext("Amazon answered with an error: %(error)s", error=error))
    order = AmazonOrder.from_json(response.json["order"])
    settings = import_settings(account.id)
    known = db.session.scalar(select(ImportedOrder).where(ImportedOrder.account_id == account.id,
                                                          ImportedOrder.amazon_order_id == amazon_order_id))
    if known is None and not importable(order, settings.statuses):
        return ToolResult(False, gettext(
            "Order %(order)s has status %(status)s and is fulfilled by %(fulfilment)s; only merchant-fulfilled "
            "orders with status %(statuses)s are imported.", order=amazon_order_id,
            status=order.status or gettext("unknown"), fulfilment=order.fulfilled_by or gettext("unknown"),
            statuses=", ".join(settings.statuses)))

    def log(level: str, message: str, **references: object) -> None:
        record(level, "order_import", message, shop_id=account.shop_id, account_id=account.id, commit=False,
               **references)

    result = store_orders(account, [response.json["order"]], settings.statuses, log)
    db.session.commit()
    if result.cart_work:
        enqueue("orders.cart_sync", account.shop_id)
    message = (N_("Order %(order)s imported by %(actor)s; it is being created in the cart.") if result.new else
               N_("Order %(order)s was already imported; its Amazon status (%(status)s) was refreshed."))
    facts = {"order": amazon_order_id, "actor": actor, "status": order.status}
    record("info", "order_import", phrase(message, False, **facts), shop_id=account.shop_id, account_id=account.id,
           amazon_order_id=amazon_order_id, amazon_request_id=response.request_id)
    return ToolResult(True, phrase(message, True, **facts))


def retry_order(order: ImportedOrder, actor: str) -> ToolResult:
    if order.cart_state not in CartState.ATTENTION:
        return ToolResult(False, gettext("Order %(order)s is not held or refused; nothing to retry.",
                                         order=order.amazon_order_id))
    order.cart_state = CartState.PENDING
    order.next_attempt_at = None
    db.session.commit()
    record("info", "order_create", f"{actor} retried Amazon order {order.amazon_order_id} in the cart.",
           shop_id=order.shop_id, account_id=order.account_id, amazon_order_id=order.amazon_order_id)
    enqueue("orders.cart_sync", order.shop_id)
    return ToolResult(True, gettext("Order %(order)s is being created in the cart again.", order=order.amazon_order_id))


def retry_shipment(shipment: Shipment, actor: str) -> ToolResult:
    order_id = shipment.order.amazon_order_id
    if shipment.state == ShipmentState.CONFIRMED:
        return ToolResult(False, gettext("The shipment of order %(order)s is already confirmed.", order=order_id))
    shipment.state = ShipmentState.PENDING
    shipment.next_attempt_at = None
    db.session.commit()
    record("info", "shipment_confirmation", f"{actor} retried the shipment confirmation of Amazon order {order_id}.",
           shop_id=shipment.shop_id, account_id=shipment.account_id, amazon_order_id=order_id)
    enqueue("orders.confirm_shipments", shipment.account_id)
    return ToolResult(True, gettext("The shipment of order %(order)s is being confirmed to Amazon again.",
                                    order=order_id))
