"""Exactly once under real concurrency: a consumer killed between the cart creating an order and our commit, and
two consumers importing the same account at the same moment."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from connector import clock
from connector.accounts.models import AmazonAccount
from connector.extensions import db
from connector.jobs.recovery import recover_stalled_runs
from connector.orders.models import CartState, OrderImportSettings
from connector.orders.storing import store_orders
from connector.orders.tasks import import_job
from connector.sandbox.orders.render import INCLUDED_DATA, amazon_order
from connector.synclog.models import RunStatus, SyncRun
from orderhelpers import imported, log_messages

WORKER = Path(__file__).with_name("cart_worker.py")


def at_once(app, count: int, work) -> list:
    """Run `work` in `count` threads released together, each with its own app context and session."""
    start = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def consumer() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                results.append(work())
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=consumer) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_a_consumer_killed_after_the_cart_created_the_order_leaves_no_duplicate(app, amazon, woo, woo_account,
                                                                                 tmp_path):
    order = amazon.order("SKU-A")
    amazon.settle()
    woo.misbehave.down = True  # the import stores the order; the cart is not reached yet
    import_job(woo_account.id)
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.PENDING
    pending = imported(woo_account.id)[order.order_id]
    pending.attempts, pending.next_attempt_at = 0, None  # as if freshly imported: no lookup needed first
    db.session.commit()
    woo.misbehave.down = False

    env = {**os.environ, "CART_WORKER_DATABASE_URL": str(db.engine.url.render_as_string(hide_password=False)),
           "CART_WORKER_ENCRYPTION_KEYS": ",".join(app.config["ENCRYPTION_KEYS"]),
           "CART_WORKER_INSTANCE": str(tmp_path / "worker")}
    worker = subprocess.Popen([sys.executable, str(WORKER), str(woo_account.shop_id)], env=env)
    # The cart stores the order, then the consumer dies before it reads the answer and commits.
    woo.after_create = lambda created: os.kill(worker.pid, signal.SIGKILL)
    assert worker.wait(timeout=60) == -signal.SIGKILL
    woo.after_create = None
    assert len(woo.amazon_orders(order.order_id)) == 1
    assert imported(woo_account.id)[order.order_id].cart_state == CartState.CREATING

    clock.advance(timedelta(minutes=3))  # its lease expires and its run stops beating
    assert len(recover_stalled_runs()) == 1  # ... which queues the cart job again

    recovered = imported(woo_account.id)[order.order_id]
    assert recovered.cart_state == CartState.CREATED and len(woo.orders) == 1
    assert recovered.cart_order_id == str(woo.amazon_orders(order.order_id)[0]["id"])
    assert any("already in WooCommerce" in m for m in log_messages())


def test_two_consumers_importing_one_account_at_once_import_each_order_once(app, amazon, woo, woo_account):
    orders = [amazon.order("SKU-A") for _ in range(5)]
    amazon.settle()
    # Amazon answers the first search slowly, so the second consumer comes while the first one works.
    amazon.state.add_fault("searchOrders", "timeout", delay_seconds=1.0)
    account_id = woo_account.id

    at_once(app, 2, lambda: import_job(account_id))

    assert [call.status for call in amazon.calls("searchOrders")] == [504, 200]  # one consumer asked Amazon
    assert set(imported(account_id)) == {order.order_id for order in orders}
    assert len(woo.orders) == 5
    runs = db.session.scalars(db.select(SyncRun).where(SyncRun.kind == "order_import")).all()
    assert [run.status for run in runs] == [RunStatus.SUCCEEDED]


def test_the_unique_key_keeps_one_row_even_without_the_lease(app, amazon, woo_account):
    """Should a lease ever be lost, two importers storing the same page still make one row per order."""
    order = amazon.order("SKU-A")
    page = [amazon_order(amazon.world.order(order.order_id), INCLUDED_DATA)]
    account_id = woo_account.id
    db.session.add(OrderImportSettings(account_id=account_id))
    db.session.commit()

    def importer() -> int:
        result = store_orders(db.session.get(AmazonAccount, account_id), page, ["UNSHIPPED"], lambda *a, **k: None)
        db.session.commit()
        return len(result.new)

    assert sorted(at_once(app, 3, importer)) == [0, 0, 1]
    assert list(imported(account_id)) == [order.order_id]
