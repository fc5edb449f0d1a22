"""Ingestion benchmark: signed webhooks accepted per second by the connector under gunicorn, beside a bare Flask
endpoint on the same server in the same run, then both at a fixed 300 requests per second for latency; at the end
every accepted delivery must be in the inbox.

The closed-loop part alternates a bare round and a connector round, several times: this machine's speed drifts by a
third within a minute (other virtual machines on the host), so each round's ratio compares two endpoints measured
seconds apart, and the figure is the median of those ratios.

    .venv/bin/python bench/ingest.py [--rounds 5] [--requests 10000] [--processes 3] [--threads 8]
                                     [--workers 2 --gthreads 8]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from environment import (  # noqa: E402
    ROOT, apply, connector_env, exit_on_terminate, flush_redis, free_port, gunicorn, postgres_database)
from loadgen import Result, run, standard_webhook  # noqa: E402


def events(path: str, secret: str, count: int) -> list:
    return [standard_webhook(path, secret, "stock.updated",
                             {"sku": f"SKU-{random.randrange(5000):05d}", "quantity": random.randrange(100)})
            for _ in range(count)]


def describe(name: str, result: Result) -> dict:
    row = {"endpoint": name, "requests": result.sent, "ok": result.ok, "errors": result.errors,
           "refused_429_then_delivered_again": result.rate_limited,
           "per_second": round(result.rate, 1), "p50_ms": round(result.percentile(0.5) * 1000, 1),
           "p99_ms": round(result.percentile(0.99) * 1000, 1)}
    print(f"  {name:<28} {row['requests']:>7} requests  {row['per_second']:>8.1f}/s  p50 {row['p50_ms']:>7.1f} ms  "
          f"p99 {row['p99_ms']:>7.1f} ms  errors {row['errors']}  429s {result.rate_limited}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--rounds", type=int, default=5, help="closed-loop rounds, each bare then connector")
    parser.add_argument("--requests", type=int, default=10000, help="per endpoint and round, closed loop")
    parser.add_argument("--processes", type=int, default=3, help="client processes")
    parser.add_argument("--threads", type=int, default=8, help="connections per client process")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--gthreads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--rate-seconds", type=float, default=20.0)
    parser.add_argument("--output", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    exit_on_terminate()

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    with postgres_database(args.postgres) as database_url:
        port = free_port()
        env = connector_env(database_url, args.redis, f"http://127.0.0.1:{port}", "http://127.0.0.1:5050")
        # Every delivery comes from one address for one shop, far more than either default limit allows for long:
        # raised so the rounds measure the endpoint (the limits are still checked on every delivery).
        env.update(CONNECTOR_LIMIT_WEBHOOK_SHOP="100000/1000000", CONNECTOR_LIMIT_WEBHOOK_ADDRESS="100000/1000000")
        apply(env)
        flush_redis(args.redis)
        from connector import create_app
        from connector.extensions import db
        from connector.shops.operations import create_shop
        from connector.webhooks.models import DeliveryStatus, WebhookDelivery

        app = create_app()
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            shop = create_shop("Benchmark shop", "generic", ["https://bench.example"])
            key, secret = shop.shop_key, shop.webhook_secret
        rows = []
        print(f"gunicorn --workers {args.workers} --threads {args.gthreads}; client {args.processes} processes x "
              f"{args.threads} connections", flush=True)
        with gunicorn(env, port, args.workers, args.gthreads):
            base = f"http://127.0.0.1:{port}"
            run(base, events(f"/bare/webhooks/generic/{key}", secret, 500), args.processes, args.threads)  # warm up
            run(base, events(f"/webhooks/generic/{key}", secret, 500), args.processes, args.threads)
            print("Closed loop (as fast as answered):", flush=True)
            ratios = []
            for round_ in range(1, args.rounds + 1):
                bare = describe(f"bare endpoint, round {round_}", run(
                    base, events(f"/bare/webhooks/generic/{key}", secret, args.requests), args.processes,
                    args.threads))
                ours = describe(f"connector, round {round_}", run(
                    base, events(f"/webhooks/generic/{key}", secret, args.requests), args.processes, args.threads))
                rows += [bare, ours]
                ratios.append(ours["per_second"] / bare["per_second"])
                print(f"  round {round_}: connector / bare = {ratios[-1]:.0%}", flush=True)
            count = int(args.rate * args.rate_seconds)
            print(f"Open loop at {args.rate:g} requests per second:", flush=True)
            rows.append(describe(f"bare endpoint at {args.rate:g}/s", run(
                base, events(f"/bare/webhooks/generic/{key}", secret, count), args.processes, args.threads,
                args.rate)))
            rows.append(describe(f"connector at {args.rate:g}/s", run(
                base, events(f"/webhooks/generic/{key}", secret, count), args.processes, args.threads, args.rate)))
        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
                WebhookDelivery.status == DeliveryStatus.RECEIVED))
        accepted = sum(row["ok"] for row in rows if row["endpoint"].startswith("connector")) + 500
        print(f"Deliveries acknowledged by the connector: {accepted}; stored in the inbox: {stored}; "
              f"lost: {accepted - stored}", flush=True)
        best = {name: max(row["per_second"] for row in rows if row["endpoint"].startswith(f"{name}, round"))
                for name in ("bare endpoint", "connector")}
        print(f"Connector throughput / bare endpoint throughput: median of the rounds {statistics.median(ratios):.0%} "
              f"(rounds: {', '.join(f'{ratio:.0%}' for ratio in ratios)}; best round over best round "
              f"{best['connector'] / best['bare endpoint']:.0%})", flush=True)
        if args.output:
            args.output.write_text(json.dumps({"rows": rows, "acknowledged": accepted, "stored": stored,
                                               "ratios": ratios, "ratio": statistics.median(ratios)}, indent=2))


if __name__ == "__main__":
    main()
