"""The order area's jobs: import, cart creation, daily re-check, shipment confirmation, and the minute sweep that
keeps schedules in line with the accounts and queues whatever work is due (retries, lost messages)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from huey import crontab

from ..accounts.models import AmazonAccount
from ..amazon import token_cache
from ..extensions import db
from ..jobs import huey, with_app_context
from ..jobs.leases import held
from ..jobs.registry import enqueue, job
from ..shops.models import Shop
from ..clock import utcnow
from ..synclog.runs import RunRecorder, sync_run
from . import webhook_handlers  # noqa: F401 - registers the shipment webhook handlers
from .cart_sync import due_orders, shops_with_cart_work, sync_cart
from .confirmation import accounts_with_due_shipments, confirm_shipments, due_shipments
from .importing import run_import
from .recheck import recheck
from .schedules import reconcile_schedules


@contextmanager
def _alone(lease_name: str, kind: str, task: str, task_args: list, *, shop_id: int, account_id: int | None = None,
           triggered_by: str = "schedule") -> Iterator[RunRecorder | None]:
    """The job's lease and its recorded run; None when another consumer holds the lease (it does the work)."""
    with held(lease_name) as lease:
        if lease is None:
            yield None
            return
        with sync_run(kind, shop_id=shop_id, account_id=account_id, task=task, task_args=task_args,
                      triggered_by=triggered_by, lease=lease) as run:
            yield run


@job("orders.import")
def import_job(account_id: int, triggered_by: str = "schedule") -> None:
    account = db.session.get(AmazonAccount, account_id)
    if account is None or not account.import_orders:
        return
    outcome = None
    with _alone(f"order-import:{account_id}", "order_import", "orders.import", [account_id],
                shop_id=account.shop_id, account_id=account_id, triggered_by=triggered_by) as run:
        if run is None:
            return
        token_cache.ensure_usable(account)
        outcome = run_import(account, run)
        run.run.summary = outcome.summary()
        if outcome.finished and (outcome.stored.new or outcome.stored.updated):
            run.log("info", f"Order import for {account.alias}: {outcome.summary()}")
    if outcome is None:
        return
    if outcome.stored.cart_work:
        enqueue("orders.cart_sync", account.shop_id)
    if outcome.resume_in is not None:
        enqueue("orders.import", account_id, triggered_by, delay=outcome.resume_in)


@job("orders.cart_sync")
def cart_sync_job(shop_id: int) -> None:
    shop = db.session.get(Shop, shop_id)
    if shop is None or db.session.scalar(due_orders(shop_id, utcnow()).limit(1)) is None:
        return
    outcome = None
    with _alone(f"cart-orders:{shop_id}", "order_create", "orders.cart_sync", [shop_id], shop_id=shop_id) as run:
        if run is None:
            return
        outcome = sync_cart(shop, run)
        run.run.summary = (f"{outcome.done} order action(s) done in the cart, {outcome.waiting} waiting"
                           + ("; the cart could not be reached, the other orders wait for the next try."
                              if outcome.cart_down else "."))
    if outcome is not None and outcome.more:
        enqueue("orders.cart_sync", shop_id)


@job("orders.recheck")
def recheck_job(account_id: int) -> None:
    account = db.session.get(AmazonAccount, account_id)
    if account is None or not account.import_orders:
        return
    outcome = None
    with _alone(f"order-recheck:{account_id}", "order_recheck", "orders.recheck", [account_id],
                shop_id=account.shop_id, account_id=account_id) as run:
        if run is None:
            return
        token_cache.ensure_usable(account)
        outcome = recheck(account, run)
        run.run.summary = (f"Re-checked {outcome.checked} open order(s) with Amazon, {outcome.changed} changed"
                           + ("." if outcome.finished else "; continues."))
        if outcome.finished:
            run.log("info", f"Daily re-check of {account.alias}: {run.run.summary}")
    if outcome is None:
        return
    if outcome.cart_work:
        enqueue("orders.cart_sync", account.shop_id)
    if not outcome.finished:
        enqueue("orders.recheck", account_id, delay=outcome.resume_in)


@job("orders.confirm_shipments")
def confirm_job(account_id: int) -> None:
    account = db.session.get(AmazonAccount, account_id)
    if account is None or db.session.scalar(due_shipments(account_id, utcnow()).limit(1)) is None:
        return
    outcome = None
    with _alone(f"shipment-confirmation:{account_id}", "shipment_confirmation", "orders.confirm_shipments",
                [account_id], shop_id=account.shop_id, account_id=account_id) as run:
        if run is None:
            return
        token_cache.ensure_usable(account)
        outcome = confirm_shipments(account, run)
        run.run.summary = (f"{outcome.confirmed} shipment(s) confirmed, {outcome.refused} refused by Amazon, "
                           f"{outcome.retrying} to retry.")
    if outcome is not None and outcome.resume_in is not None:
        enqueue("orders.confirm_shipments", account_id, delay=outcome.resume_in)


def sweep() -> None:
    """Schedules in line with the accounts; queue cart work and confirmations that are due."""
    reconcile_schedules()
    for shop_id in shops_with_cart_work():
        enqueue("orders.cart_sync", shop_id)
    for account_id in accounts_with_due_shipments():
        enqueue("orders.confirm_shipments", account_id)


@huey.periodic_task(crontab(minute="*"))
@with_app_context
def orders_sweep() -> None:
    sweep()
