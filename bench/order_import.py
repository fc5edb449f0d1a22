"""Order import benchmark: 10,000 Amazon orders placed over 7 days in 3 marketplaces, imported from the simulator
running at 1000x clock speed by the connector's own jobs on a real Huey consumer (two worker threads), into a
generic cart that records what it receives. In the same run, a naive peer pages through the same orders of another
seller as fast as answers come back, retrying whenever Amazon answers 429.

    .venv/bin/python bench/order_import.py [--orders 10000] [--days 7] [--speed 1000] [--database-url URL]

Prints the figures docs/performance.md quotes ("Order import").
"""
from __future__ import annotations

import argparse
import math
import tempfile
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from connector import create_app
from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa
from connector.amazon.operations import OPERATIONS
from connector.clock import utcnow
from connector.config import amazon_endpoints
from connector.extensions import db
from connector.jobs import huey
from connector.jobs.registry import enqueue
from connector.orders.models import CartState, ImportedOrder, OrderImportState
from connector.sandbox.server import start_in_thread
from connector.sandbox.settings import SandboxSettings, SellerSpec
from connector.shops.operations import create_shop

from naive_peer import NaivePeer
from receiver import EventReceiver

SELLER, PEER = "A1DEMOSELLERNA", "A5NAIVEPEERNA"
MARKETPLACES = ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]
SEARCH = OPERATIONS["searchOrders"]


def start_simulator(speed: float):
    settings = SandboxSettings.for_tests()
    settings.clock_speed, settings.demo_orders = speed, False
    settings.sellers.append(SellerSpec(PEER, "Naive peer", "NA", MARKETPLACES))
    return start_in_thread(settings)


def connector_app(sim, speed: float, workdir: Path, database_url: str | None):
    return create_app({
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{workdir / 'connector.db'}",
        "HUEY_SQLITE_PATH": str(workdir / "jobs.db"), "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "ENCRYPTION_KEYS": [Fernet.generate_key().decode()], "PUBLIC_URL": "http://connector.test",
        "SIMULATOR_URL": sim.url, "AMAZON_ENDPOINTS": amazon_endpoints("simulator", sim.url),
        "SIMULATOR_CLOCK_SPEED": speed, **sim.connector_overrides(),
    }, instance_path=str(workdir / "instance"))


def connected_account(sim, receiver_url: str) -> AmazonAccount:
    shop = create_shop("Bench shop", "generic", ["https://bench.example"], notification_url=receiver_url)
    callback = "http://connector.test/amazon/authorize/callback"
    grant = lwa.exchange_code(sim.state.issue_code(SELLER, callback), callback)
    account = AmazonAccount(shop_id=shop.id, alias="Bench", region="NA", marketplace_ids=MARKETPLACES,
                            selling_partner_id=SELLER, refresh_token=grant.refresh_token,
                            authorization_method="website", authorized_at=utcnow(),
                            expires_at=utcnow() + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID)
    db.session.add(account)
    db.session.commit()
    return account


def wait_for(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def quota_share(calls: list) -> float:
    """Calls Amazon counted against the quota over what the bucket allowed from the first call to the last."""
    counted = [call for call in calls if call.status not in (403, 429)]
    if not counted:
        return 0.0
    elapsed = counted[-1].monotonic - counted[0].monotonic
    return len(counted) / (SEARCH.burst + SEARCH.rate * elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--speed", type=float, default=1000)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="order-bench-"))
    sim = start_simulator(args.speed)
    for seller in (SELLER, PEER):
        sim.state.orders.generate(seller, args.orders, args.days, seed=2026)
    receiver = EventReceiver()
    app = connector_app(sim, args.speed, workdir, args.database_url)
    with app.app_context():
        db.create_all()
        account = connected_account(sim, receiver.url)
        consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=False, max_delay=0.5)
        consumer.start()
        peer = NaivePeer(sim, PEER, MARKETPLACES, args.days)
        peer_thread = threading.Thread(target=peer.run, name="naive-peer")
        started, sim_started = time.monotonic(), sim.state.now()
        peer_thread.start()
        enqueue("orders.import", account.id, "benchmark")
        wait_for(lambda: _state(account.id).last_success_at is not None, timeout=600)
        imported_in = time.monotonic() - started
        sim_elapsed = (sim.state.now() - sim_started).total_seconds()
        rows = db.session.scalar(select(func.count()).select_from(ImportedOrder))
        wait_for(lambda: receiver.orders_created() >= rows, timeout=600, step=0.5)
        in_cart_in = time.monotonic() - started
        peer_thread.join(timeout=600)
        consumer.stop(graceful=True)
        report(sim, account.id, rows, imported_in, sim_elapsed, in_cart_in, receiver, peer, args)


def _state(account_id: int) -> OrderImportState:
    db.session.expire_all()
    return db.session.get(OrderImportState, account_id) or OrderImportState()


def _renewals(sim) -> int:
    """Token requests (only the connector makes them) after the authorization and the first access token: each
    renewal followed an access token the simulator called expired."""
    return max(0, len(sim.state.calls("token")) - 2)


def report(sim, account_id: int, rows: int, imported_in: float, sim_elapsed: float, in_cart_in: float,
           receiver: EventReceiver, peer: NaivePeer, args) -> None:
    state = _state(account_id)
    ours = sim.state.calls("searchOrders")
    connector_calls = [call for call in ours if call.selling_partner_id == SELLER]
    peer_calls = [call for call in ours if call.selling_partner_id == PEER]
    duplicates_table = rows - db.session.scalar(select(func.count(func.distinct(ImportedOrder.amazon_order_id))))
    created = db.session.scalar(select(func.count()).select_from(ImportedOrder).where(
        ImportedOrder.cart_state == CartState.CREATED))
    lines = [
        f"Orders generated per seller: {args.orders} over {args.days:g} days in {len(MARKETPLACES)} marketplaces; "
        f"simulator clock speed {args.speed:g}x.",
        "",
        "| | Connector | Naive loop |",
        "|---|---|---|",
        f"| Orders in the search's result set | {state.window_orders} | {peer.orders_seen} |",
        f"| Orders imported (merchant-fulfilled, unshipped or partially shipped) | {rows} | - |",
        f"| searchOrders calls made | {len(connector_calls)} | {len(peer_calls)} |",
        f"| Minimum possible (result set / 100 per page) | {math.ceil(state.window_orders / 100)} | "
        f"{math.ceil(peer.orders_seen / 100)} |",
        f"| Throttled responses (429) | {sum(c.status == 429 for c in connector_calls)} | "
        f"{sum(c.status == 429 for c in peer_calls)} |",
        f"| Access tokens renewed (they live 1 simulated hour: 3.6 s at 1000x) | {_renewals(sim)} | "
        f"{peer.renewals} |",
        f"| Share of the searchOrders quota used | {quota_share(connector_calls):.1%} | "
        f"{quota_share(peer_calls):.1%} |",
        f"| Wall time to import all pages | {imported_in:.1f} s ({sim_elapsed / 3600:.2f} simulated h) | "
        f"{peer.seconds:.1f} s |",
        f"| Duplicate orders in the connector's table | {duplicates_table} | - |",
        f"| Orders created in the cart / duplicate orders in the cart | {created} in {in_cart_in:.1f} s / "
        f"{receiver.duplicate_orders()} | - |",
        f"| Deliveries the cart saw twice (same webhook-id, dropped) | {receiver.repeated_deliveries} | - |",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
