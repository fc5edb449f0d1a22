"""End-to-end benchmark: signed stock and price webhooks for many SKUs into one account, through gunicorn, the
inbox, the job consumers and JSON_LISTINGS_FEEDs, until the simulator (no processing delay) holds every SKU's final
value. Reports the time from the last webhook to that moment, and the Amazon calls made against the minimum.

    .venv/bin/python bench/stock_e2e.py [--skus 100000] [--events-per-sku 3] [--order grouped|random]
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from environment import (  # noqa: E402
    BIN, ROOT, apply, connector_env, exit_on_terminate, flush_redis, free_port, gunicorn, postgres_database, process)
from loadgen import run, standard_webhook  # noqa: E402

SELLER, MARKETPLACE = "A1DEMOSELLERNA", "ATVPDKIKX0DER"
PREFIX = "BENCH-"


def plan(skus: int, per_sku: int, order: str) -> tuple[list[tuple[str, dict]], dict[str, tuple[int, Decimal]]]:
    """Events (type, item) and the final (quantity, price) of every SKU: each SKU gets stock and price updates,
    the last one carrying its final values; updated_at increases per SKU."""
    events, final = [], {}
    base = int(time.time()) - 3600
    for number in range(1, skus + 1):
        sku = f"{PREFIX}{number:06d}"
        quantity, price = 0, Decimal("10.00")
        for step in range(per_sku):
            quantity = random.randrange(1, 500)
            price = Decimal(random.randrange(500, 20000)) / 100
            kind = ("stock.updated", "price.updated", "product.updated")[step % 3] if step < per_sku - 1 \
                else "product.updated"
            item = {"sku": sku, "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + step))}
            if kind != "price.updated":
                item["quantity"] = quantity
            if kind != "stock.updated":
                item["price"] = str(price)
            events.append((kind, item, number))
        final[sku] = (quantity, price)
    if order == "random":
        random.shuffle(events)
    return events, _finals(events, final)


def _finals(events, final):
    """What the cart last said per SKU, field by field, by updated_at (the final values of plan())."""
    quantities, prices = {}, {}
    for kind, item, _ in sorted(events, key=lambda e: e[1]["updated_at"]):
        if "quantity" in item:
            quantities[item["sku"]] = item["quantity"]
        if "price" in item:
            prices[item["sku"]] = Decimal(item["price"])
    return {sku: (quantities.get(sku), prices.get(sku)) for sku in final}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--events-per-sku", type=int, default=3)
    parser.add_argument("--order", choices=("grouped", "random"), default="grouped")
    parser.add_argument("--batch", type=int, default=1,
                        help="events per webhook (generic carts may send a list of items in one product.updated)")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--gthreads", type=int, default=8)
    parser.add_argument("--consumer-threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds to wait for Amazon after the last webhook")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    exit_on_terminate()

    from flask_migrate import upgrade

    with postgres_database(args.postgres) as database_url:
        port, simulator_port = free_port(), free_port()
        simulator_url = f"http://127.0.0.1:{simulator_port}"
        env = connector_env(database_url, args.redis, f"http://127.0.0.1:{port}", simulator_url)
        apply(env)
        flush_redis(args.redis)
        from connector import create_app
        from connector.sandbox.listing_seeds import BulkSeed
        from connector.sandbox.listings import checksum
        from connector.sandbox.server import start_in_thread
        from connector.sandbox.settings import SandboxSettings

        app = create_app()
        sandbox = start_in_thread(SandboxSettings.from_connector_config(app.config), port=simulator_port)
        state = sandbox.state
        state.feeds.processing_seconds = 0
        state.listings.put_many(SELLER, MARKETPLACE, BulkSeed(count=args.skus, prefix=PREFIX, digits=6).listings(
            MARKETPLACE, state.now()))
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            key, secret, account_id = _shop_and_account(state)
        events, final = plan(args.skus, args.events_per_sku, args.order)
        expected = checksum((sku, quantity, price) for sku, (quantity, price) in final.items())
        path = f"/webhooks/generic/{key}"
        if args.batch == 1:
            requests = [standard_webhook(path, secret, kind, item) for kind, item, _ in events]
        else:
            requests = [standard_webhook(path, secret, "product.updated",
                                         [item for _, item, _ in events[n:n + args.batch]])
                        for n in range(0, len(events), args.batch)]
        print(f"{len(events)} events in {len(requests)} signed webhooks for {args.skus} SKUs ({args.order} order); "
              f"gunicorn --workers "
              f"{args.workers} --threads {args.gthreads}; consumer with {args.consumer_threads} threads", flush=True)
        consumer = [str(BIN / "connector"), "worker", "--workers", str(args.consumer_threads)]
        with gunicorn(env, port, args.workers, args.gthreads), process(consumer, env):
            result = run(f"http://127.0.0.1:{port}", requests, args.processes, args.threads)
            last_webhook = result.last_response
            print(f"Sent {result.sent} in {result.finished - result.started:.1f} s ({result.rate:.0f}/s), "
                  f"{result.errors} errors, {result.rate_limited} answered 429 and delivered again", flush=True)
            settled, polls = _wait_for(state, expected, last_webhook + args.timeout, args.skus)
            if settled is None:
                wrong = [(sku, want, state.listings.get(SELLER, MARKETPLACE, sku)) for sku, want in final.items()
                         if (state.listings.get(SELLER, MARKETPLACE, sku) or {}).get("quantity") != want[0]]
                print(f"{len(wrong)} SKUs without their final quantity, for example:", wrong[:3], flush=True)
        calls = Counter(call.operation for call in state.calls())
        throttled = sum(1 for call in state.calls() if call.status == 429)
        with app.app_context():
            processed, deliveries = _deliveries()
            if settled is None:
                _explain(account_id)
        minimum_feeds = math.ceil(args.skus / 25_000)
        figures = {
            "skus": args.skus, "events": len(events), "webhooks": len(requests), "order": args.order,
            "sent_per_second": round(result.rate),
            "webhook_errors": result.errors, "rate_limited": result.rate_limited, "seconds_after_last_webhook": None if settled is None
            else round(settled - last_webhook, 1), "feeds": calls["createFeed"], "minimum_feeds": minimum_feeds,
            "throttled": throttled, "calls": dict(calls), "deliveries": deliveries,
            "processed": processed, "lost": len(requests) - processed,
        }
        print(json.dumps(figures, indent=2), flush=True)
        if args.output:
            args.output.write_text(json.dumps(figures, indent=2))
        sandbox.stop()


def _shop_and_account(state) -> tuple[str, str, int]:
    from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
    from connector.amazon import lwa
    from connector.authorization.operations import callback_url
    from connector.clock import utcnow
    from connector.extensions import db
    from connector.shops.operations import create_shop

    shop = create_shop("Benchmark shop", "generic", ["https://bench.example"])
    grant = lwa.exchange_code(state.issue_code(SELLER, callback_url()), callback_url())
    account = AmazonAccount(shop_id=shop.id, alias="US", region="NA", marketplace_ids=[MARKETPLACE],
                            selling_partner_id=SELLER, refresh_token=grant.refresh_token,
                            authorization_method="website", authorized_at=utcnow(),
                            expires_at=utcnow() + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID)
    db.session.add(account)
    db.session.commit()
    return shop.shop_key, shop.webhook_secret, account.id


def _wait_for(state, expected: str, deadline: float, skus: int) -> tuple[float | None, int]:
    """Poll the simulator until every SKU holds its final value; returns (when, polls)."""
    polls = 0
    last_report = 0.0
    while time.time() < deadline:
        summary = state.listings.summary(SELLER, MARKETPLACE, PREFIX)
        polls += 1
        if summary["checksum"] == expected:
            return time.time(), polls
        if time.time() - last_report > 10:
            applied = len(state.listings.applications(selling_partner_id=SELLER))
            print(f"  waiting: {applied} changes applied on Amazon so far", flush=True)
            last_report = time.time()
        time.sleep(0.2)
    return None, polls


def _explain(account_id: int) -> None:
    """Why Amazon did not get there: the account's listings and submissions, and its last log lines."""
    from sqlalchemy import func, select

    from connector.extensions import db
    from connector.stock.models import ListingState, Submission
    from connector.synclog.models import LogEntry

    print("Listings (pending, hold, in flight):", db.session.execute(
        select(ListingState.pending, ListingState.hold, ListingState.submission_id.is_not(None), func.count())
        .where(ListingState.account_id == account_id).group_by(ListingState.pending, ListingState.hold,
                                                               ListingState.submission_id.is_not(None))).all())
    print("Submissions:", db.session.execute(select(Submission.id, Submission.status, Submission.messages,
                                                    Submission.accepted, Submission.errors)).all())
    for entry in db.session.scalars(select(LogEntry).order_by(LogEntry.id.desc()).limit(15)):
        print("  log:", entry.kind, entry.message[:200])


def _deliveries() -> tuple[int, int]:
    from sqlalchemy import func, select

    from connector.extensions import db
    from connector.webhooks.models import DeliveryStatus, WebhookDelivery

    total = db.session.scalar(select(func.count()).select_from(WebhookDelivery))
    processed = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.status == DeliveryStatus.PROCESSED))
    return processed, total


if __name__ == "__main__":
    main()
