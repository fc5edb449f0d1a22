"""The daily re-check: ask Amazon (getOrder) about every imported order that is still open there (unshipped or
partially shipped), so that what the import's status filter cannot see (an order shipped from Seller Central) and
anything a missed import left behind reaches the cart. Orders still unconfirmed five days after their ship-by date
are named in the log: Amazon cancels them at seven.

A re-check of many orders works in time slices and continues where it stopped: each order notes when it was
re-checked."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import or_, select

from ..accounts.models import AmazonAccount
from ..amazon.client import SlotNotFree, SPAPIClient
from ..amazon.errors import AmazonNotFound
from ..clock import utcnow
from ..extensions import db
from ..synclog.runs import RunRecorder
from .amazon_orders import INCLUDED_DATA, OPEN_STATUSES, AmazonOrder
from .models import CartState, ImportedOrder
from .settings import import_state
from .storing import apply_amazon_state

TIME_SLICE = timedelta(seconds=60)
SLOT_WAIT_LIMIT = 5.0
FLAG_AFTER_SHIP_BY = timedelta(days=5)
BATCH_SIZE = 50


@dataclass
class RecheckOutcome:
    checked: int = 0
    changed: int = 0
    cart_work: bool = False
    finished: bool = False
    resume_in: float | None = None


def open_orders(account_id: int):
    return select(ImportedOrder).where(
        ImportedOrder.account_id == account_id, ImportedOrder.amazon_status.in_(OPEN_STATUSES),
        ImportedOrder.cart_state.notin_((CartState.NOT_CREATED, CartState.CANCELLED)))


def flagged_orders(account_id: int, now: datetime | None = None) -> list[ImportedOrder]:
    """Open orders five days past their ship-by date."""
    limit = (now or utcnow()) - FLAG_AFTER_SHIP_BY
    return list(db.session.scalars(open_orders(account_id).where(ImportedOrder.ship_by < limit)
                                   .order_by(ImportedOrder.ship_by)))


def recheck(account: AmazonAccount, run: RunRecorder, client: SPAPIClient | None = None) -> RecheckOutcome:
    state = import_state(account.id)
    if state.recheck_started_at is None or state.recheck_finished_at is not None:
        state.recheck_started_at, state.recheck_finished_at = utcnow(), None
        db.session.commit()
    client = client or SPAPIClient.for_account(account)
    outcome = RecheckOutcome()
    stop_at = utcnow() + TIME_SLICE
    due = open_orders(account.id).where(or_(ImportedOrder.rechecked_at.is_(None),
                                            ImportedOrder.rechecked_at < state.recheck_started_at))
    while utcnow() < stop_at:
        batch = db.session.scalars(due.order_by(ImportedOrder.id).limit(BATCH_SIZE)).all()
        if not batch:
            _finish(account, state, run, outcome)
            return outcome
        for order in batch:
            try:
                _check(order, client, run, outcome)
            except SlotNotFree as busy:
                outcome.resume_in = busy.seconds
                db.session.commit()
                return outcome
        run.progress(outcome.checked)
    return outcome


def _check(order: ImportedOrder, client: SPAPIClient, run: RunRecorder, outcome: RecheckOutcome) -> None:
    try:
        response = client.call("getOrder", {"orderId": order.amazon_order_id}, {"includedData": list(INCLUDED_DATA)},
                               max_wait=SLOT_WAIT_LIMIT)
    except AmazonNotFound as gone:
        run.log("warning", f"Amazon no longer shows order {order.amazon_order_id}; it is left as it is.",
                amazon_order_id=order.amazon_order_id, amazon_request_id=gone.request_id, commit=False)
    else:
        if apply_amazon_state(order, AmazonOrder.from_json(response.json["order"]), partial(run.log, commit=False)):
            outcome.changed += 1
            outcome.cart_work = outcome.cart_work or order.cart_state in CartState.WORK
    order.rechecked_at = utcnow()
    outcome.checked += 1
    run.count(seen=1)
    db.session.commit()  # before the next call to Amazon


def _finish(account: AmazonAccount, state, run: RunRecorder, outcome: RecheckOutcome) -> None:
    now = utcnow()
    state.recheck_finished_at = now
    outcome.finished = True
    for order in flagged_orders(account.id, now):
        days = (now - order.ship_by).days
        run.log("warning", f"Amazon order {order.amazon_order_id} is {days} days past its ship-by date "
                f"({order.ship_by:%Y-%m-%d}) and not confirmed as shipped. Ship it and confirm it soon: Amazon "
                "cancels orders left unconfirmed 7 days after the ship-by date.",
                amazon_order_id=order.amazon_order_id, cart_order_id=order.cart_order_id, commit=False)
    run.progress(outcome.checked)
