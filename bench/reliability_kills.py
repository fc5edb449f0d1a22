"""Consumers killed at random under load: the scaled layout (gunicorn with 2 web processes, 3 consumers, the first
the scheduler) on private PostgreSQL and Redis servers, with stock webhooks streaming in, Amazon orders arriving and
"Import now" pressed, the cart completing orders (shipments to confirm), while every few seconds one consumer gets
SIGKILL and is started again. After the load stops: every stock change on Amazon, every order once in the cart,
every shipment confirmed once, every webhook processed, Amazon's usage plans held. Prints the figures as JSON.

    .venv/bin/python bench/reliability_kills.py [--minutes 3] [--kill-every 8]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reliability"))
sys.path.insert(0, str(ROOT / "bench"))

from world import US, World, new_cluster, wait_for  # noqa: E402  (first: it puts tests/ on the path)
from services import PrivatePostgres, PrivateRedis  # noqa: E402
from test_concurrency import quota_figures, repeated_sends  # noqa: E402
from test_consumer_kills import completed  # noqa: E402

SKUS = [f"LOAD-{n:03d}" for n in range(200)]
ORDER_SKUS = ["LOAD-ORD-A", "LOAD-ORD-B"]


class Load:
    def __init__(self, world: World, stock_shop, stock_seller: str, order_shop, order_seller: str, order_account_id):
        from sender import Sender

        self.world = world
        self.stock_seller, self.order_seller = stock_seller, order_seller
        # Plain values: the load threads have no app context to load ORM attributes with.
        self.order_shop = SimpleNamespace(shop_key=order_shop.shop_key, webhook_secret=order_shop.webhook_secret)
        self.order_account_id = order_account_id
        self.sender = Sender(f"{world.cluster.url}/webhooks/generic/{stock_shop.shop_key}", stock_shop.webhook_secret)
        self.final: dict[str, int] = {}
        self.deliveries: list = []
        self.order_ids: list[str] = []
        self.shipped: set[str] = set()
        self.stop = threading.Event()
        self.sequence = 0

    def stock(self) -> None:
        """A steady stream of stock changes (bursts of 1-60 SKUs), each SKU's newest value the one that counts."""
        from datetime import datetime, timedelta

        while not self.stop.is_set():
            batch = []
            for sku in random.sample(SKUS, random.randint(1, 60)):
                self.sequence += 1
                self.final[sku] = random.randrange(0, 500)
                stamp = (datetime(2026, 11, 23) + timedelta(seconds=self.sequence)).strftime("%Y-%m-%dT%H:%M:%SZ")
                batch.append(self.sender.event("stock.updated", {"sku": sku, "quantity": self.final[sku],
                                                                  "updated_at": stamp}))
            self.sender.deliver_all(batch, per_second=100, threads=4)
            self.deliveries += batch
            time.sleep(random.uniform(0.5, 3))

    def orders(self) -> None:
        """Amazon orders arrive; "Import now" is pressed; the shop owner completes what reached the cart."""
        from connector.jobs.registry import enqueue

        while not self.stop.is_set():
            self.order_ids += self.world.amazon_orders(self.order_seller, random.sample(ORDER_SKUS, 1) * 3)
            enqueue("orders.import", self.order_account_id, "user: bench")
            for order_id in self.order_ids:
                if order_id not in self.shipped and self.world.woo.amazon_orders(order_id):
                    self.world.woocommerce_webhook(self.order_shop, "order.updated", completed(self.world, order_id))
                    self.shipped.add(order_id)
            self.stop.wait(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--kill-every", type=float, default=8, help="mean seconds between kills")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/reliability-kills"))
    args = parser.parse_args()
    postgres, redis = PrivatePostgres(), PrivateRedis()
    postgres.start()
    redis.start()
    cluster = new_cluster((postgres, redis), args.workdir / "cluster")
    world = World(cluster, args.workdir / "app")
    try:
        cluster.start()
        print(json.dumps(run(world, args), indent=1), flush=True)
    finally:
        cluster.stop()
        world.close()
        cluster.drop()
        redis.stop()
        postgres.stop()
        postgres.remove()


def run(world: World, args) -> dict:
    stock_seller, order_seller = world.seller(), world.seller()
    stock_shop = world.shop("generic", "Load stock")
    stock_account = world.account(stock_shop, stock_seller)
    world.seed_listings(stock_seller, SKUS)
    for sku in ORDER_SKUS:
        world.woo.add_product(sku)
    order_shop = world.shop("woocommerce", "Load orders")
    order_account = world.account(order_shop, order_seller)
    load = Load(world, stock_shop, stock_seller, order_shop, order_seller, order_account.id)
    threads = [threading.Thread(target=load.stock), threading.Thread(target=load.orders)]
    for thread in threads:
        thread.start()
    kills: list[str] = []
    mid_job = 0
    ends = time.monotonic() + args.minutes * 60
    while time.monotonic() < ends:
        time.sleep(random.expovariate(1 / args.kill_every))
        # Mid-job when possible: a consumer holding a job's lease, else any consumer (between jobs).
        holders = [world.lease_holder(lease) for (lease,) in world.rows("SELECT name FROM job_leases")]
        busy = [name for name in holders if name]
        name = random.choice(busy or world.cluster.consumer_names())
        world.cluster.kill_and_restart_consumer(name)
        kills.append(name)
        mid_job += bool(busy)
    load.stop.set()
    for thread in threads:
        thread.join()
    stopped = time.monotonic()

    def settled() -> bool:
        return (all((world.state.listings.get(stock_seller, US, sku) or {}).get("quantity") == quantity
                    for sku, quantity in load.final.items())
                and all(world.woo.amazon_orders(order_id) for order_id in load.order_ids)
                and all(world.state.orders.confirmations(order_id, accepted=True) for order_id in load.shipped))

    wait_for(settled, 600, step=1, what="the connector to catch up after the load")
    caught_up = time.monotonic() - stopped
    time.sleep(5)
    doubled_orders = [o for o in load.order_ids if len(world.woo.amazon_orders(o)) != 1]
    doubled_confirmations = [o for o in load.shipped if len(world.state.orders.confirmations(o, accepted=True)) != 1]
    quotas = quota_figures(world)
    return {
        "minutes": args.minutes, "kills": len(kills), "kills_mid_job": mid_job, "webhooks": len(load.deliveries),
        "acknowledged": sum(1 for d in load.deliveries if d.acknowledged_at),
        "unprocessed_webhooks": world.undelivered_webhooks(stock_shop.id) + world.undelivered_webhooks(order_shop.id),
        "skus_changed": len(load.final), "orders": len(load.order_ids), "shipments": len(load.shipped),
        "doubled_orders": doubled_orders, "doubled_confirmations": doubled_confirmations,
        "repeated_sends": repeated_sends(world, stock_account.id),
        "caught_up_seconds_after_load": round(caught_up, 1),
        "interrupted_runs": dict(world.rows("SELECT kind, count(*) FROM sync_runs WHERE status = 'interrupted' "
                                       "GROUP BY kind ORDER BY kind")),
        "runs": world.scalar("SELECT count(*) FROM sync_runs"),
        "rerun_seconds_after_last_beat": sorted(round(float(seconds), 1) for (seconds,) in world.rows(
            "SELECT extract(epoch FROM (SELECT min(n.started_at) FROM sync_runs n WHERE n.kind = r.kind "
            "AND n.id > r.id AND coalesce(n.account_id, -n.shop_id) = coalesce(r.account_id, -r.shop_id)) "
            "- r.heartbeat_at) FROM sync_runs r WHERE r.status = 'interrupted'") if seconds is not None),
        "throttled_calls": sum(figures["throttled"] for figures in quotas.values()),
        "quotas": {key: figures for key, figures in quotas.items() if figures["calls"] > 5},
    }


if __name__ == "__main__":
    main()
