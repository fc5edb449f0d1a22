"""Bringing imported orders into the cart: create them, cancel the ones Amazon cancelled, mark the ones shipped
outside the cart. One job per shop at a time; each order is committed before and after every cart call.

Exactly once: before an order is created again after an attempt whose outcome we never learned (the job died
between the cart's answer and our commit, or the cart timed out), the cart is searched for it first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from ..carts.errors import CartAuthFailed, CartError, CartNotConfigured, CartRejected, CartUnavailable
from ..clock import utcnow
from ..extensions import db
from ..shops.models import Shop
from ..synclog.runs import RunRecorder
from .amazon_orders import CANCELLED, SHIPPED
from .cart import CartOrder, OrderCart, UnknownSkus, order_cart
from .models import CartState, ImportedOrder
from .settings import import_settings
from .storing import confirmed_everything

BATCH_SIZE = 50
TIME_SLICE = timedelta(seconds=30)  # then the job yields its worker and queues itself again
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=30),
                timedelta(hours=1))
NOT_CONFIGURED_DELAY = timedelta(hours=1)


@dataclass
class CartSyncOutcome:
    done: int = 0
    waiting: int = 0  # held, failed or to be retried later
    more: bool = False  # stopped at the time slice with due orders left
    cart_down: bool = False  # stopped because the cart cannot be reached; the other orders wait for the next run


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def due_orders(shop_id: int, now: datetime):
    return select(ImportedOrder).where(
        ImportedOrder.shop_id == shop_id, ImportedOrder.cart_state.in_(CartState.WORK),
        or_(ImportedOrder.next_attempt_at.is_(None), ImportedOrder.next_attempt_at <= now),
    ).order_by(ImportedOrder.id)


def shops_with_cart_work(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return list(db.session.scalars(select(ImportedOrder.shop_id).where(and_(
        ImportedOrder.cart_state.in_(CartState.WORK),
        or_(ImportedOrder.next_attempt_at.is_(None), ImportedOrder.next_attempt_at <= now))).distinct()))


def sync_cart(shop: Shop, run: RunRecorder) -> CartSyncOutcome:
    outcome = CartSyncOutcome()
    try:
        cart = order_cart(shop)
    except CartNotConfigured as missing:
        _postpone_all(shop, run, missing)
        return outcome
    stop_at = utcnow() + TIME_SLICE
    while True:
        batch = db.session.scalars(due_orders(shop.id, utcnow()).limit(BATCH_SIZE)).all()
        if not batch:
            return outcome
        for order in batch:
            result = _step(order, cart, run)
            outcome.done += result == DONE
            outcome.waiting += result != DONE
            if result == CART_DOWN:
                # One order found the cart down or refusing our credentials: the rest would only repeat that.
                outcome.cart_down = True
                run.progress(outcome.done + outcome.waiting)
                return outcome
        run.progress(outcome.done + outcome.waiting)
        if utcnow() >= stop_at:
            outcome.more = db.session.scalar(due_orders(shop.id, utcnow()).limit(1)) is not None
            return outcome


DONE, WAITING, CART_DOWN = "done", "waiting", "cart_down"


def _step(order: ImportedOrder, cart: OrderCart, run: RunRecorder) -> str:
    """One action for one order: DONE, WAITING (held, refused, to retry) or CART_DOWN."""
    action = {CartState.CANCELLING: _cancel, CartState.COMPLETING: _complete}.get(order.cart_state, _create)
    attempts_before = order.attempts
    try:
        action(order, cart, run)
    except UnknownSkus as unknown:
        _hold(order, cart, run, unknown)
        return WAITING
    except CartRejected as refused:
        _refused(order, cart, run, refused)
        return WAITING
    except CartError as trouble:
        if order.attempts == attempts_before:
            # It failed while looking for an earlier attempt's order: still a try, so the backoff grows.
            order.attempts += 1
            order.last_attempt_at = utcnow()
        _retry_later(order, run, trouble)
        return CART_DOWN if isinstance(trouble, (CartUnavailable, CartAuthFailed)) else WAITING
    finally:
        db.session.commit()
    return DONE


def _start_attempt(order: ImportedOrder) -> None:
    order.attempts += 1
    order.last_attempt_at = utcnow()
    db.session.commit()


def _create(order: ImportedOrder, cart: OrderCart, run: RunRecorder) -> None:
    if order.attempts and cart.can_look_up:
        found = cart.find(order)
        if found is not None:
            _created(order, found, cart, run, found_again=True)
            return
    custom_lines = import_settings(order.account_id).unknown_sku_as_custom_line
    order.cart_state = CartState.CREATING
    _start_attempt(order)  # committed before the cart is called: a lost answer leaves it "creating"
    made = cart.create(order, custom_lines)
    _created(order, made, cart, run, found_again=False)


def _created(order: ImportedOrder, made: CartOrder, cart: OrderCart, run: RunRecorder, found_again: bool) -> None:
    order.cart_state = CartState.CREATED
    order.cart_order_id, order.cart_order_number, order.cart_lines = made.id, made.number, made.lines
    order.cart_created_at = utcnow()
    order.next_attempt_at = order.last_problem = None
    where = f"{cart.name} order {made.number}" if made.number else cart.name
    items = sum(int(item.get("quantityOrdered") or 0) for item in order.snapshot.get("orderItems") or [])
    run.count(sent=0 if found_again else 1, accepted=1)
    run.log("info", f"Amazon order {order.amazon_order_id} " + (
        f"was already in {where} (an earlier attempt had created it); not created twice." if found_again else
        f"created in {where} ({items} item(s), {order.marketplace_id})."),
        amazon_order_id=order.amazon_order_id, cart_order_id=made.id, commit=False)
    # Amazon may have moved on while the order travelled to the cart.
    if order.amazon_status == CANCELLED:
        order.cart_state = CartState.CANCELLING
    elif order.amazon_status == SHIPPED and not confirmed_everything(order):
        order.cart_state = CartState.COMPLETING


def _cancel(order: ImportedOrder, cart: OrderCart, run: RunRecorder) -> None:
    if order.cart_created_at is None and order.attempts and cart.can_look_up:
        found = cart.find(order)
        if found is not None:
            order.cart_order_id, order.cart_order_number, order.cart_lines = found.id, found.number, found.lines
            order.cart_created_at = utcnow()
    if order.cart_created_at is None and cart.can_look_up:
        order.cart_state = CartState.NOT_CREATED
        run.log("info", f"Amazon order {order.amazon_order_id} was cancelled and never reached {cart.name}; "
                "nothing to cancel there.", amazon_order_id=order.amazon_order_id, commit=False)
        return
    _start_attempt(order)
    cart.cancel(order)
    _done(order, CartState.CANCELLED, run, f"Amazon cancelled order {order.amazon_order_id}; cancelled it in "
          f"{cart.name}" + (f" (order {order.cart_order_number})." if order.cart_order_number else "."))


def _complete(order: ImportedOrder, cart: OrderCart, run: RunRecorder) -> None:
    _start_attempt(order)
    cart.mark_shipped(order)
    _done(order, CartState.COMPLETED, run, f"Amazon order {order.amazon_order_id} was shipped outside the cart; "
          f"marked as shipped in {cart.name}.")


def _done(order: ImportedOrder, state: str, run: RunRecorder, message: str) -> None:
    order.cart_state = state
    order.next_attempt_at = order.last_problem = None
    run.count(sent=1, accepted=1)
    run.log("info", message, amazon_order_id=order.amazon_order_id, cart_order_id=order.cart_order_id, commit=False)


def _hold(order: ImportedOrder, cart: OrderCart, run: RunRecorder, unknown: UnknownSkus) -> None:
    order.cart_state = CartState.HELD
    order.next_attempt_at = None
    order.last_problem = (f"{cart.name} has no product with SKU {', '.join(unknown.skus)}. Create it (or map the "
                          "SKU), then click Retry; or switch on importing unknown SKUs as custom lines.")
    run.count(failed=1)
    run.log("warning", f"Amazon order {order.amazon_order_id} held: {order.last_problem}",
            amazon_order_id=order.amazon_order_id, sku=unknown.skus[0][:100], commit=False)


def _refused(order: ImportedOrder, cart: OrderCart, run: RunRecorder, refused: CartRejected) -> None:
    if order.cart_state != CartState.CREATING:
        _retry_later(order, run, refused)  # a refused cancellation or completion stays due, with its reason shown
        return
    order.cart_state = CartState.FAILED
    order.next_attempt_at = None
    order.last_problem = f"{refused} Fix the cause in {cart.name}, then click Retry."
    run.count(failed=1)
    run.log("error", f"{cart.name} refused Amazon order {order.amazon_order_id}: {order.last_problem}",
            amazon_order_id=order.amazon_order_id, http_status=refused.http_status, error_code=refused.code,
            commit=False)


def _retry_later(order: ImportedOrder, run: RunRecorder, trouble: CartError) -> None:
    if order.cart_state == CartState.CREATING:
        order.cart_state = CartState.PENDING
    order.attempts = max(order.attempts, 1)
    asked_to_wait = timedelta(seconds=trouble.retry_after or 0)  # a cart's Retry-After beyond what HTTP waited
    order.next_attempt_at = utcnow() + max(retry_delay(order.attempts), asked_to_wait)
    order.last_problem = f"{trouble} Retried automatically."
    run.count(failed=1)
    what = {CartState.CANCELLING: "cancel", CartState.COMPLETING: "mark as shipped"}.get(order.cart_state, "create")
    run.log("warning", f"Could not {what} Amazon order {order.amazon_order_id} in the cart (attempt "
            f"{order.attempts}): {trouble} It is retried automatically at {order.next_attempt_at:%Y-%m-%d %H:%M} UTC.",
            amazon_order_id=order.amazon_order_id, http_status=trouble.http_status, commit=False)


def _postpone_all(shop: Shop, run: RunRecorder, missing: CartNotConfigured) -> None:
    later = utcnow() + NOT_CONFIGURED_DELAY
    due = db.session.scalars(due_orders(shop.id, utcnow())).all()
    for order in due:
        order.next_attempt_at = later
        order.last_problem = f"{missing}"
    run.log("warning", f"{len(due)} Amazon order(s) wait for the cart connection: {missing} They are tried again "
            f"at {later:%Y-%m-%d %H:%M} UTC, or as soon as you save the cart connection and click Retry.",
            commit=False)
    db.session.commit()
