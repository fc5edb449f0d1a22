"""Webhook floods against the scaled layout (bench/cluster.py: gunicorn with 2 web processes, 3 job consumers, the
simulator, on the local PostgreSQL and Redis): a burst for one shop while the other shops keep sending, then a steady
rate across all shops. Every delivery must be answered within the host platforms' 5-second timeout, every acknowledged
one must be in the inbox exactly once and processed by the consumers, and the other shops' latency must hold.

    .venv/bin/python bench/floods.py [--shops 100] [--burst 10000] [--rate 300] [--seconds 600] [--output F.json]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster import Cluster  # noqa: E402
from environment import apply, exit_on_terminate, free_port  # noqa: E402
from loadgen import Result, run, standard_webhook  # noqa: E402

HOST_TIMEOUT_SECONDS = 5.0
BACKGROUND_RATE = 20.0  # requests per second from the other shops during the burst


def stock_events(shops: list[tuple[str, str]], count: int) -> list:
    """`count` stock updates spread at random over `shops` (key, webhook secret)."""
    events = []
    for _ in range(count):
        key, secret = random.choice(shops)
        events.append(standard_webhook(f"/webhooks/generic/{key}", secret, "stock.updated",
                                       {"sku": f"SKU-{random.randrange(2000):05d}", "quantity": random.randrange(100)}))
    return events


def describe(name: str, result: Result) -> dict:
    late = sum(latency > HOST_TIMEOUT_SECONDS for latency in result.latencies or [])
    row = {"phase": name, "requests": result.sent, "acknowledged": result.ok, "errors": result.errors,
           "per_second": round(result.rate, 1), "p50_ms": round(result.percentile(0.5) * 1000, 1),
           "p99_ms": round(result.percentile(0.99) * 1000, 1), "max_ms": round(result.percentile(1.0) * 1000, 1),
           "over_5_s": late}
    print(f"  {name:<34} {row['requests']:>7} sent {row['acknowledged']:>7} acknowledged  {row['per_second']:>7.1f}/s"
          f"  p50 {row['p50_ms']:>7.1f} ms  p99 {row['p99_ms']:>7.1f} ms  max {row['max_ms']:>8.1f} ms"
          f"  over 5 s {late}  errors {row['errors']}", flush=True)
    return row


def burst_with_background(base: str, loud: tuple[str, str], quiet: list[tuple[str, str]], burst: int,
                          processes: int, threads: int) -> tuple[Result, Result]:
    background_seconds = max(20.0, burst / 400)
    outcome: dict[str, Result] = {}
    others = threading.Thread(target=lambda: outcome.update(background=run(
        base, stock_events(quiet, int(BACKGROUND_RATE * background_seconds)), 1, 4, BACKGROUND_RATE)))
    others.start()
    time.sleep(2)
    outcome["burst"] = run(base, stock_events([loud], burst), processes, threads)
    others.join()
    return outcome["burst"], outcome["background"]


def wait_until_processed(engine, timeout: float) -> tuple[float | None, dict[str, int]]:
    from sqlalchemy import text

    began = time.monotonic()
    while True:
        with engine.connect() as connection:
            counts = dict(connection.execute(text(
                "SELECT status, count(*) FROM webhook_deliveries GROUP BY status")).all())
        if not counts.get("received") and not counts.get("failed"):
            return time.monotonic() - began, counts
        if time.monotonic() - began > timeout:
            return None, counts
        time.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--shops", type=int, default=100)
    parser.add_argument("--burst", type=int, default=10000, help="webhooks sent as fast as answered to one shop")
    parser.add_argument("--rate", type=float, default=300.0, help="steady requests per second across all shops")
    parser.add_argument("--seconds", type=float, default=600.0, help="how long the steady rate lasts")
    parser.add_argument("--processes", type=int, default=3, help="client processes for the burst")
    parser.add_argument("--threads", type=int, default=8, help="connections per client process")
    parser.add_argument("--consumers-during", type=int, default=3,
                        help="job consumers running during the floods (the other of the 3 start after them): 0 "
                             "measures the web tier alone, as when the consumers run on other machines")
    parser.add_argument("--output", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    exit_on_terminate()

    from sqlalchemy import create_engine, text

    cluster = Cluster(postgres_url=args.postgres, redis_url=args.redis, web_port=free_port(),
                      simulator_port=free_port(), workdir=Path(tempfile.mkdtemp(prefix="connector-floods-")),
                      consumers=args.consumers_during)
    cluster.prepare()
    try:
        apply(cluster.env())
        from connector import create_app
        from connector.shops.operations import create_shop

        app = create_app()
        with app.app_context():
            shops = [(shop.shop_key, shop.webhook_secret) for shop in (
                create_shop(f"Flood shop {n}", "generic", ["https://floods.example"]) for n in range(args.shops))]
        cluster.start()
        base, rows = cluster.url, []
        print(f"Scaled layout: {cluster.web_processes} web processes, {cluster.consumers} job consumers during the "
              f"floods (3 after them); "
              f"{args.shops} shops", flush=True)
        rows.append(describe("other shops, no burst", run(base, stock_events(shops[1:], int(BACKGROUND_RATE * 10)),
                                                          1, 4, BACKGROUND_RATE)))
        burst, background = burst_with_background(base, shops[0], shops[1:], args.burst, args.processes, args.threads)
        rows.append(describe(f"burst: {args.burst} to one shop", burst))
        rows.append(describe("other shops during the burst", background))
        rows.append(describe(f"steady {args.rate:g}/s across {args.shops} shops for {args.seconds:g} s", run(
            base, stock_events(shops, int(args.rate * args.seconds)), args.processes, args.threads, args.rate)))
        for number in range(cluster.consumers, 3):
            cluster.start_consumer(number)
        engine = create_engine(cluster.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        drained, statuses = wait_until_processed(engine, timeout=1800)
        with engine.connect() as connection:
            stored, distinct = connection.execute(text(
                "SELECT count(*), count(DISTINCT delivery_id) FROM webhook_deliveries WHERE status <> 'rejected'")
            ).one()
        engine.dispose()
        acknowledged = sum(row["acknowledged"] for row in rows)
        print(f"Acknowledged {acknowledged}; in the inbox {stored} ({distinct} distinct); lost "
              f"{acknowledged - distinct}; by status {statuses}; inbox drained "
              f"{'in %.0f s after the last webhook' % drained if drained is not None else 'NOT within 30 min'}",
              flush=True)
        if args.output:
            args.output.write_text(json.dumps({
                "rows": rows, "acknowledged": acknowledged, "stored": stored, "distinct": distinct,
                "statuses": statuses, "drain_seconds": drained}, indent=2))
    finally:
        cluster.stop()
        cluster.drop()


if __name__ == "__main__":
    main()
