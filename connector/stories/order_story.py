"""One Amazon order's story: when it was imported and by which run, the cart order it became, every status change
and re-check the log recorded, and each shipment with Amazon's answer to its confirmation. Scoped to the shop; the
order is found through the (shop, Amazon order ID) or (shop, cart order ID / number) indexes."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from ..accounts.models import AmazonAccount
from ..extensions import db
from ..i18n.labels import status_word
from ..orders.models import CartState, ImportedOrder, Shipment, ShipmentState
from ..shops.formatting import shop_time
from ..shops.models import Shop
from ..synclog.models import LogEntry, SyncRun
from .sku_events import where
from .timeline import STORY_LIMIT, Event, delivery_link, in_order, log_event, run_link


@dataclass
class OrderStory:
    amazon_order_id: str
    orders: list[ImportedOrder] = field(default_factory=list)  # one per account that imported it (usually one)
    shipments: list[Shipment] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    truncated: bool = False

    @property
    def found(self) -> bool:
        return bool(self.orders or self.events)

    @property
    def headline(self) -> tuple[str, str]:
        """(level, sentence): where the order stands, before any detail."""
        if not self.orders:
            return "warning", _("Not imported by this shop; the log mentions it.")
        order = self.orders[0]
        cart = order.cart_order_number or order.cart_order_id
        if order.cart_state in CartState.ATTENTION:
            return "error", _("Needs attention: the cart did not take it (%(problem)s). Fix the cause, then Retry.",
                              problem=order.last_problem or status_word(order.cart_state))
        if any(shipment.state == ShipmentState.REFUSED for shipment in self.shipments):
            return "error", _("Amazon refused a shipment confirmation: see its answer below.")
        where = (_("In the cart as order %(number)s", number=cart) if cart
                 else _("Not in the cart yet (%(state)s)", state=status_word(order.cart_state)))
        confirmed = sum(shipment.state == ShipmentState.CONFIRMED for shipment in self.shipments)
        if self.shipments:
            return "info", _("%(where)s; %(confirmed)s of %(total)s shipment(s) confirmed on Amazon (Amazon status "
                             "%(status)s).", where=where, confirmed=confirmed, total=len(self.shipments),
                             status=order.amazon_status)
        return "info", _("%(where)s; Amazon status %(status)s.", where=where, status=order.amazon_status)


@dataclass(frozen=True)
class OrderedItem:
    sku: str | None
    title: str
    quantity: int


def ordered_items(order: ImportedOrder) -> list[OrderedItem]:
    """What the buyer ordered, as Amazon last showed it (the seller SKU links to that SKU's story)."""
    items = []
    for body in (order.snapshot or {}).get("orderItems") or []:
        product = body.get("product") or {}
        items.append(OrderedItem(product.get("sellerSku"), product.get("title") or product.get("asin") or "",
                                 int(body.get("quantityOrdered") or 0)))
    return items


def order_by_cart_id(shop: Shop, cart_order_id: str) -> ImportedOrder | None:
    """The imported order the cart knows by this ID, or by the number it shows (with or without its "#")."""
    by_id = db.session.scalar(select(ImportedOrder).where(ImportedOrder.shop_id == shop.id,
                                                          ImportedOrder.cart_order_id == cart_order_id).limit(1))
    if by_id is not None:
        return by_id
    numbers = {cart_order_id, f"#{cart_order_id.lstrip('#')}", cart_order_id.lstrip("#")}
    return db.session.scalar(select(ImportedOrder).where(ImportedOrder.shop_id == shop.id,
                                                         ImportedOrder.cart_order_number.in_(numbers)).limit(1))


def order_story(shop: Shop, amazon_order_id: str) -> OrderStory:
    story = OrderStory(amazon_order_id)
    story.orders = list(db.session.scalars(select(ImportedOrder).where(
        ImportedOrder.shop_id == shop.id, ImportedOrder.amazon_order_id == amazon_order_id)
        .order_by(ImportedOrder.id)))
    if story.orders:
        story.shipments = list(db.session.scalars(select(Shipment).where(
            Shipment.order_id.in_([order.id for order in story.orders])).order_by(Shipment.id)))
    events: list[Event] = []
    for order in story.orders:
        events += _order_events(order)
    events += [event for shipment in story.shipments for event in _shipment_events(shipment)]
    entries = _entries(shop.id, amazon_order_id, [o.cart_order_id for o in story.orders if o.cart_order_id])
    events += [log_event(entry, "amazon_order_id") for entry in entries]
    story.truncated = len(entries) >= STORY_LIMIT
    story.events = in_order(events)
    return story


def _import_run(order: ImportedOrder) -> SyncRun | None:
    """The import run that was going when the order was stored (the newest started before it)."""
    run = db.session.scalar(select(SyncRun).where(
        SyncRun.account_id == order.account_id, SyncRun.kind == "order_import",
        SyncRun.started_at <= order.imported_at).order_by(SyncRun.started_at.desc()).limit(1))
    if run is None or (run.finished_at is not None and run.finished_at < order.imported_at):
        return None
    return run


def _order_events(order: ImportedOrder) -> list[Event]:
    account: AmazonAccount = order.account
    run = _import_run(order)
    events = [Event(at=order.imported_at, source="order", title=_("Imported from Amazon"),
                    detail=_("Order %(order)s (%(where)s), purchased %(purchased)s, was imported; it is to be "
                             "created in the cart.", order=order.amazon_order_id,
                             where=where(account, order.marketplace_id),
                             purchased=shop_time(order.purchased_at)),
                    links=run_link(run.id if run else None), account_id=account.id, order=10)]
    if order.cart_created_at:
        events.append(Event(at=order.cart_created_at, source="order", title=_("Created in the cart"),
                            detail=_("Cart order %(number)s (ID %(id)s).", number=order.cart_order_number,
                                     id=order.cart_order_id)
                            if order.cart_order_number not in (None, order.cart_order_id)
                            else _("Cart order %(id)s.", id=order.cart_order_id),
                            references=[(_("Cart order"), order.cart_order_id or "")], account_id=account.id,
                            order=20))
    return events


def _shipment_events(shipment: Shipment) -> list[Event]:
    units = sum(int(item.get("quantity") or 0) for item in shipment.items or [])
    events = [Event(at=shipment.recorded_at, source="shipment", title=_("Shipped in the cart"),
                    detail=_("Package %(package)s: %(units)s unit(s), %(carrier)s %(tracking)s, shipped %(at)s.",
                             package=shipment.package_reference, units=units, carrier=shipment.carrier,
                             tracking=shipment.tracking_number, at=shop_time(shipment.shipped_at)),
                    links=delivery_link(shipment.webhook_delivery_id), account_id=shipment.account_id, order=30)]
    references = [(_("Request ID"), shipment.amazon_request_id)] if shipment.amazon_request_id else []
    if shipment.carrier_code:
        references.append((_("Carrier code"), shipment.carrier_code))
    if shipment.state == ShipmentState.CONFIRMED and shipment.confirmed_at:
        events.append(Event(at=shipment.confirmed_at, source="answer", title=_("Amazon confirmed the shipment"),
                            detail=_("Package %(package)s is confirmed on Amazon.", package=shipment.package_reference),
                            references=references, account_id=shipment.account_id, order=40))
    elif shipment.last_attempt_at and shipment.last_problem:
        refused = shipment.state == ShipmentState.REFUSED
        events.append(Event(at=shipment.last_attempt_at, source="answer",
                            title=_("Amazon refused the shipment") if refused else _("Confirmation not through yet"),
                            detail=shipment.last_problem, level="error" if refused else "warning",
                            references=references, account_id=shipment.account_id, order=40))
    return events


def _entries(shop_id: int, amazon_order_id: str, cart_order_ids: list[str]) -> list[LogEntry]:
    which = LogEntry.amazon_order_id == amazon_order_id
    if cart_order_ids:
        which = or_(which, and_(LogEntry.cart_order_id.in_(cart_order_ids), LogEntry.amazon_order_id.is_(None)))
    return list(db.session.scalars(select(LogEntry).where(LogEntry.shop_id == shop_id, which)
                                   .order_by(LogEntry.id.desc()).limit(STORY_LIMIT)))
