"""Three consumers and two web processes on the same accounts: a burst of stock webhooks and orders imported while
"Import now" is pressed again and again. No order twice, no change pushed twice, no two pushes or imports of one
account at once, and Amazon's usage plans held across all processes (checked on the simulator's own call log).
Then a second scheduler started by mistake: each schedule slot still runs once."""
from __future__ import annotations

import json
import math
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta

import redis

from connector.amazon.operations import OPERATIONS
from sender import Sender
from world import US, World, explain, wait_for

SKUS = [f"BURST-{n:03d}" for n in range(300)]
ROUNDS = 3
ORDERS = 30
IMPORT_NOW_PRESSES = 6
TWIN_SKUS = [f"TWIN-{n:02d}" for n in range(20)]
PATCH_WAVE = 20
WAVES = 4


def bucket_low(times: list[float], rate: float, burst: int) -> float:
    """Replay call arrivals through the operation's token bucket (full at the first call): the lowest token count
    reached. Below zero means more calls than Amazon's rate and burst allow."""
    tokens, last, lowest = float(burst), times[0], float(burst)
    for moment in times:
        tokens = min(burst, tokens + (moment - last) * rate) - 1
        last = moment
        lowest = min(lowest, tokens)
    return lowest


def busiest_second(times: list[float]) -> int:
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def quota_figures(world: World) -> dict[str, dict]:
    """Per operation and selling partner, from every call that reached the simulator (throttled ones included)."""
    arrivals: dict[tuple[str, str], list[float]] = defaultdict(list)
    throttled: dict[tuple[str, str], int] = defaultdict(int)
    for call in world.state.calls():
        if call.selling_partner_id and call.operation in OPERATIONS:
            arrivals[(call.operation, call.selling_partner_id)].append(call.monotonic)
            throttled[(call.operation, call.selling_partner_id)] += call.status == 429
    figures = {}
    for (operation, seller), times in arrivals.items():
        plan = OPERATIONS[operation]
        times.sort()
        figures[f"{operation}/{seller}"] = {
            "calls": len(times), "busiest_second": busiest_second(times), "rate": plan.rate, "burst": plan.burst,
            "lowest_tokens": round(bucket_low(times, plan.rate, plan.burst), 2), "throttled": throttled[(operation,
                                                                                                          seller)]}
    return figures


def overlapping_runs(world: World, kind: str) -> list:
    return world.rows(
        "SELECT a.id, b.id FROM sync_runs a JOIN sync_runs b ON a.kind = b.kind AND a.id < b.id "
        "AND coalesce(a.account_id, -a.shop_id) = coalesce(b.account_id, -b.shop_id) "
        "AND a.started_at < coalesce(b.finished_at, now()) AND b.started_at < coalesce(a.finished_at, now()) "
        "WHERE a.kind = :kind", kind=kind)


def repeated_sends(world: World, account_id: int) -> list:
    """SKUs whose same value went to Amazon twice in a row (a change carried twice), leaving out submissions that
    never reached Amazon or were given up and items Amazon never answered for."""
    rows = world.rows(
        "SELECT i.seller_sku, i.quantity FROM stock_submission_items i JOIN stock_submissions s "
        "ON s.id = i.submission_id WHERE s.account_id = :a AND s.status NOT IN ('failed', 'abandoned') "
        "AND i.status <> 'unknown' ORDER BY i.seller_sku, s.id", a=account_id)
    repeated, previous = [], (None, None)
    for sku, quantity in rows:
        if (sku, quantity) == previous:
            repeated.append(sku)
        previous = (sku, quantity)
    return repeated


def test_three_consumers_two_web_processes_on_the_same_accounts(world):
    stock_seller = world.seller()
    stock_shop = world.shop("generic", "Burst stock")
    stock_account = world.account(stock_shop, stock_seller)
    world.seed_listings(stock_seller, SKUS, quantity=0)
    order_seller = world.seller()
    for sku in ("ORD-A", "ORD-B"):
        world.woo.add_product(sku)
    order_ids = world.amazon_orders(order_seller, ["ORD-A", "ORD-B"] * (ORDERS // 2))
    order_shop = world.shop("woocommerce", "Burst orders")
    order_account = world.account(order_shop, order_seller)

    # A second shop on the same selling partner: its pushes and the first shop's run on different consumers at
    # the same time and share the partner's patchListingsItem quota.
    twin_shop = world.shop("generic", "Burst stock twin")
    twin_account = world.account(twin_shop, stock_seller)
    world.seed_listings(stock_seller, TWIN_SKUS, quantity=0)

    from connector.jobs.registry import enqueue

    order_account_id = order_account.id
    presses = threading.Thread(target=lambda: [
        (enqueue("orders.import", order_account_id, "user: reliability test"), time.sleep(0.3))
        for _ in range(IMPORT_NOW_PRESSES)])
    presses.start()
    twin = Sender(f"{world.cluster.url}/webhooks/generic/{twin_shop.shop_key}", twin_shop.webhook_secret)
    sender = Sender(f"{world.cluster.url}/webhooks/generic/{stock_shop.shop_key}", stock_shop.webhook_secret)
    final, deliveries = {}, []
    started = time.monotonic()
    for round_number in range(ROUNDS):
        batch = []
        for number, sku in enumerate(SKUS):
            final[sku] = (number * 7 + round_number * 13) % 500
            updated_at = (datetime(2026, 11, 23, 10) + timedelta(minutes=round_number)).strftime("%Y-%m-%dT%H:%M:%SZ")
            batch.append(sender.event("stock.updated", {"sku": sku, "quantity": final[sku],
                                                        "updated_at": updated_at}))
        sender.deliver_all(batch, per_second=200)
        deliveries += batch
    for wave in range(WAVES):  # handfuls of changes to both shops at once: patchListingsItem, not feeds
        for shop_sender, skus in ((sender, SKUS[:PATCH_WAVE]), (twin, TWIN_SKUS)):
            batch = []
            for sku in skus:
                final[sku] = 600 + wave * 10 + len(batch)
                updated_at = (datetime(2026, 11, 23, 11) + timedelta(minutes=wave)).strftime("%Y-%m-%dT%H:%M:%SZ")
                batch.append(shop_sender.event("stock.updated", {"sku": sku, "quantity": final[sku],
                                                                 "updated_at": updated_at}))
            threading.Thread(target=shop_sender.deliver_all, args=(batch, 100)).start()
            deliveries += batch
        time.sleep(4)
    presses.join()
    wait_for(lambda: all(d.acknowledged_at for d in deliveries), 30, what="every webhook acknowledged")

    def stock_on_amazon() -> bool:
        return all((world.state.listings.get(stock_seller, US, sku) or {}).get("quantity") == quantity
                   for sku, quantity in final.items())

    try:
        wait_for(stock_on_amazon, 150, step=0.5, what="every final quantity on Amazon")
        wait_for(lambda: all(world.woo.amazon_orders(o) for o in order_ids), 60, what="every order in the cart")
    except AssertionError:
        raise AssertionError(explain(world, stock_account.id) + "\n" + explain(world, order_account.id)) from None
    settled_in = time.monotonic() - started
    time.sleep(3)  # anything doubled would arrive now

    assert {o: len(world.woo.amazon_orders(o)) for o in order_ids} == {o: 1 for o in order_ids}
    assert world.scalar("SELECT count(*) FROM imported_orders WHERE account_id = :a", a=order_account.id) == ORDERS
    assert world.undelivered_webhooks(stock_shop.id) == world.undelivered_webhooks(twin_shop.id) == 0
    assert repeated_sends(world, stock_account.id) == repeated_sends(world, twin_account.id) == []
    for kind in ("listings_push", "order_import", "order_create", "webhook_processing"):
        assert overlapping_runs(world, kind) == [], kind
    quotas = quota_figures(world)
    over = {key: figures for key, figures in quotas.items() if figures["lowest_tokens"] < -1}
    assert not over, over  # one token of slack: arrival times carry the network's jitter, not the send times
    crowded = {key: figures for key, figures in quotas.items()
               if figures["busiest_second"] > figures["burst"] + math.ceil(figures["rate"])}
    assert not crowded, crowded
    feeds = world.rows("SELECT submitted_at, processed_at FROM stock_submissions WHERE account_id = :a "
                       "AND kind = 'feed' AND submitted_at IS NOT NULL ORDER BY submitted_at", a=stock_account.id)
    print(json.dumps({"scenario": "concurrency", "webhooks": len(deliveries), "skus": len(SKUS),
                      "orders": ORDERS, "import_now_presses": IMPORT_NOW_PRESSES,
                      "settled_seconds": round(settled_in, 1), "feeds": len(feeds),
                      "import_runs": world.scalar("SELECT count(*) FROM sync_runs WHERE kind = 'order_import' "
                                                  "AND account_id = :a", a=order_account.id),
                      "quotas": quotas}, indent=1))


def dispatch_checks(world: World) -> int:
    """How many times a scheduler's dispatch ran so far, from every consumer's log (any consumer executes it)."""
    return sum(log.read_text(errors="replace").count("Executing connector.jobs.tasks.dispatch_schedules")
               for log in (world.cluster.workdir / "logs").glob("consumer-*.log"))


def test_a_second_scheduler_started_by_mistake_doubles_nothing(world):
    from connector.jobs.schedules import ensure_schedule

    seller = world.seller()
    shop = world.shop("woocommerce", "Two schedulers")
    account = world.account(shop, seller)
    wait_for(lambda: world.scalar("SELECT count(*) FROM sync_runs WHERE kind = 'order_import' AND account_id = :a "
                                  "AND status <> 'running'", a=account.id), 30, what="the first import")
    second = world.cluster.start_consumer(3, scheduler=True)
    # Only this probe is due while we watch: an import of the account every 3 s.
    world.execute("UPDATE schedules SET enabled = false")

    pushes, claims = [], set()
    watching = threading.Event()
    watching.set()

    def count_pushes() -> None:
        """Every message put on the queue, from Redis itself (MONITOR): the dispatches both schedulers made."""
        connection = redis.Redis.from_url(world.cluster.redis_url)
        with connection.monitor() as monitor:
            for command in monitor.listen():
                if not watching.is_set():
                    return
                if command["command"].upper().startswith(("LPUSH", "RPUSH")) and "orders.import" in command["command"]:
                    pushes.append(time.monotonic())

    monitor = threading.Thread(target=count_pushes, daemon=True)
    monitor.start()
    time.sleep(1)  # MONITOR is on before the first slot comes due
    since, checks_before = world.scalar("SELECT now()"), dispatch_checks(world)
    ensure_schedule(f"reliability-probe:{account.id}", "orders.import", [account.id], every_seconds=3)
    began = time.monotonic()
    while time.monotonic() - began < 25:
        last_run = world.scalar("SELECT last_run_at FROM schedules WHERE key = :k", k=f"reliability-probe:{account.id}")
        if last_run is not None:
            claims.add(last_run)
        time.sleep(0.1)
    world.execute("UPDATE schedules SET enabled = false")
    claims.add(world.scalar("SELECT last_run_at FROM schedules WHERE key = :k", k=f"reliability-probe:{account.id}"))
    watching.clear()
    checks = dispatch_checks(world) - checks_before
    time.sleep(3)
    runs = world.scalar("SELECT count(*) FROM sync_runs WHERE kind = 'order_import' AND account_id = :a "
                        "AND started_at >= :since", a=account.id, since=since)
    assert world.cluster.processes[second].poll() is None  # the second scheduler ran all along
    assert len(claims) >= 5
    assert checks > 1.5 * 25 / 2  # both schedulers were dispatching (one alone: a check every 2 s)
    assert len(pushes) == len(claims), (len(pushes), len(claims))  # one message per slot, not two
    assert runs == len(claims), (runs, len(claims))
    print(json.dumps({"scenario": "second scheduler", "slots": len(claims), "queued": len(pushes),
                      "import_runs": runs, "dispatch_checks": checks}))
