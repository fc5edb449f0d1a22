"""A job consumer killed with SIGKILL in the middle of each kind of work that talks to Amazon or the cart: the call
hangs (a simulator fault, or a cart that stores the order and then takes its time to answer), the consumer holding
the job's lease is killed and started again, and the heartbeat check reruns the job. Afterwards every stock change
is on Amazon, no order is in the cart twice, no shipment confirmed twice, and every acknowledged webhook is processed.

The cluster runs with a 10 s lease and a 2 s scheduler tick (world.FAST_RECOVERY) so each recovery takes seconds."""
from __future__ import annotations

import json
import time

import pytest

from world import World, explain, kill_holder, new_cluster, wait_for
from sender import Sender

RECOVERY_TIMEOUT = 60
SKUS = [f"KILL-{n:02d}" for n in range(40)]  # more than PATCH_LIMIT: one feed


@pytest.fixture(scope="module")
def world(services, tmp_path_factory):
    cluster = new_cluster(services, tmp_path_factory.mktemp("kills") / "cluster")
    running = World(cluster, tmp_path_factory.mktemp("kills-app"))
    cluster.start()
    yield running
    cluster.stop()
    running.close()
    cluster.drop()


def interrupted_runs(world: World, kind: str, account_id: int) -> int:
    return world.scalar("SELECT count(*) FROM sync_runs WHERE kind = :kind AND account_id = :account "
                        "AND status = 'interrupted'", kind=kind, account=account_id)


def test_killed_during_a_feed_submission_every_stock_change_reaches_amazon(world):
    seller = world.seller()
    shop = world.shop("generic", "Feed kill")
    account = world.account(shop, seller)
    world.seed_listings(seller, SKUS, quantity=0)
    fault = world.hang("createFeed")
    sender = Sender(f"{world.cluster.url}/webhooks/generic/{shop.shop_key}", shop.webhook_secret)
    final = {sku: 5 + number for number, sku in enumerate(SKUS)}
    deliveries = [sender.event("stock.updated", {"sku": sku, "quantity": quantity}) for sku, quantity in final.items()]
    sender.deliver_all(deliveries, per_second=50)
    assert all(d.acknowledged_at for d in deliveries)

    wait_for(lambda: fault.remaining == 0, 60, what="createFeed to hang")
    killed, killed_at = kill_holder(world, f"stock-push:{account.id}")
    # A second round of changes while the push is dead: they must reach Amazon too.
    final.update({sku: 100 + number for number, sku in enumerate(SKUS[:5])})
    more = [sender.event("stock.updated", {"sku": sku, "quantity": final[sku]}) for sku in SKUS[:5]]
    sender.deliver_all(more, per_second=50)

    def on_amazon() -> bool:
        return all((world.state.listings.get(seller, "ATVPDKIKX0DER", sku) or {}).get("quantity") == quantity
                   for sku, quantity in final.items())

    try:
        wait_for(on_amazon, RECOVERY_TIMEOUT, what="every final quantity on Amazon")
    except AssertionError:
        raise AssertionError(explain(world, account.id)) from None
    recovered_in = time.monotonic() - killed_at
    assert interrupted_runs(world, "listings_push", account.id) == 1
    assert world.undelivered_webhooks(shop.id) == 0
    print(json.dumps({"scenario": "feed submission", "killed": killed, "recovered_seconds": round(recovered_in, 1),
                      "feeds": len(world.state.calls("createFeed"))}))
