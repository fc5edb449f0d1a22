"""The cluster with what the kill and concurrency tests need beside it: the Amazon simulator in this process (so the
test sees its faults, call log, listings and confirmations directly), a fake WooCommerce with orders, and a connector
app on the cluster's database and Redis for setting shops up and reading what happened."""
from __future__ import annotations

import json
import os
import re
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import requests
from sqlalchemy import text

from services import free_port

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "orders"))
sys.path.insert(0, str(TESTS))

from fakeorders import WooCommerceWithOrders  # noqa: E402
from hostwebhooks import hmac_base64  # noqa: E402

US = "ATVPDKIKX0DER"
HOSTS_DIR = TESTS / "data/hosts"
# Short recovery times so a killed job runs again within seconds (production: 120 s lease, 60 s tick).
FAST_RECOVERY = {"CONNECTOR_JOB_LEASE_SECONDS": "10", "CONNECTOR_SCHEDULER_TICK_SECONDS": "2",
                 "CONNECTOR_STOCK_MAX_LATENCY": "5"}

@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)

def wait_for(condition: Callable[[], Any], timeout: float, step: float = 0.25, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")

class World:
    def __init__(self, cluster, instance: Path) -> None:
        from connector import create_app
        from connector.sandbox.server import start_in_thread
        from connector.sandbox.settings import SandboxSettings

        self.cluster = cluster
        with environment(cluster.env()):
            self.app = create_app(instance_path=str(instance))
        settings = SandboxSettings.from_connector_config(self.app.config)
        settings.feed_processing_seconds = 0.5
        self.sandbox = start_in_thread(settings, port=cluster.simulator_port)
        self.state = self.sandbox.state
        self.woo = WooCommerceWithOrders()
        self.context = self.app.app_context()
        self.context.push()

    def close(self) -> None:
        from connector.extensions import db

        db.session.remove()
        db.engine.dispose()
        self.context.pop()
        self.woo.stop()
        self.sandbox.stop()

    # Setting up.
    def seller(self) -> str:
        from connector.sandbox.settings import SellerSpec

        seller_id = f"A{uuid.uuid4().hex[:12].upper()}"
        self.state.add_seller(SellerSpec(seller_id, f"Seller {seller_id}", "NA", [US]))
        return seller_id

    def shop(self, host: str, name: str):
        from connector.extensions import db
        from connector.shops.operations import create_shop

        shop = create_shop(name, host, ["https://reliability.example"])
        if host == "woocommerce":
            shop.cart_api_url = self.woo.url
            shop.cart_api_key, shop.cart_api_secret = self.woo.consumer_key, self.woo.consumer_secret
        db.session.commit()
        return shop

    def account(self, shop, seller: str, **flags):
        from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
        from connector.amazon import lwa
        from connector.authorization.operations import callback_url
        from connector.clock import utcnow
        from connector.extensions import db

        grant = lwa.exchange_code(self.state.issue_code(seller, callback_url()), callback_url())
        now = utcnow()
        account = AmazonAccount(shop_id=shop.id, alias="US", region="NA", marketplace_ids=[US],
                                selling_partner_id=seller, refresh_token=grant.refresh_token,
                                authorization_method="website", authorized_at=now,
                                expires_at=now + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID, **flags)
        db.session.add(account)
        db.session.commit()
        return account

    def seed_listings(self, seller: str, skus: list[str], quantity: int = 0) -> None:
        from connector.sandbox.listing_seeds import listing_from_json

        self.state.listings.put_many(seller, US, [
            listing_from_json({"sku": sku, "quantity": quantity, "price": "10.00"}, US, self.state.now())
            for sku in skus])

    def amazon_orders(self, seller: str, skus: list[str], minutes_ago: float = 10) -> list[str]:
        """Merchant-fulfilled unshipped orders placed a while ago (the import reads up to a few minutes back)."""
        from datetime import timedelta

        from connector.sandbox.orders import ItemSpec

        created = self.state.now() - timedelta(minutes=minutes_ago)
        return [self.state.orders.create(seller, [ItemSpec(sku, 1)], marketplace_id=US, created=created,
                                         last_updated=created, visible_at=created).order_id for sku in skus]

    # Faults.
    def hang(self, operation: str, seconds: float = 30) -> Any:
        """The next `operation` call hangs for `seconds` (then fails with 504); returns the fault to watch."""
        self.state.add_fault(operation, "timeout", 1, seconds)
        return self.state.faults[-1]

    def answer_late(self, operation: str, seconds: float = 30) -> Any:
        """Amazon performs the next `operation` call, then holds its answer for `seconds`; returns the fault."""
        self.state.add_fault(operation, "late", 1, seconds)
        return self.state.faults[-1]

    def amazon_calls(self, operation: str, seller: str) -> list:
        return [call for call in self.state.calls(operation) if call.selling_partner_id == seller]

    def log_messages(self, account_id: int) -> list[str]:
        return [message for message, in self.rows("SELECT message FROM log_entries WHERE account_id = :a ORDER BY id",
                                                  a=account_id)]

    # Sending as the cart does.
    def woocommerce_webhook(self, shop, topic: str, payload: dict) -> str:
        body = json.dumps(payload).encode()
        delivery_id = uuid.uuid4().hex
        resource, _, event = topic.partition(".")
        headers = {"Content-Type": "application/json", "X-WC-Webhook-Source": "https://reliability.example/",
                   "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource, "X-WC-Webhook-Event": event,
                   "X-WC-Webhook-Signature": hmac_base64(shop.webhook_secret.encode(), body),
                   "X-WC-Webhook-ID": "142", "X-WC-Webhook-Delivery-ID": delivery_id}
        for _ in range(50):  # a cart delivers again until it gets a 2xx
            try:
                if requests.post(f"{self.cluster.url}/webhooks/woocommerce/{shop.shop_key}", data=body,
                                 headers=headers, timeout=10).ok:
                    return delivery_id
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the connector never acknowledged {topic}")

    # Reading what happened.
    def lease_holder(self, name: str) -> str | None:
        """The cluster process (consumer-N) holding the lease, from the pid in the holder's identity."""
        from connector.extensions import db

        holder = db.session.execute(text("SELECT holder FROM job_leases WHERE name = :name"), {"name": name}).scalar()
        db.session.rollback()
        match = re.match(r"[^:]+:(\d+):", holder or "")
        return self.cluster.name_of_pid(int(match.group(1))) if match else None

    def scalar(self, sql: str, **params: Any) -> Any:
        from connector.extensions import db

        try:
            return db.session.execute(text(sql), params).scalar()
        finally:
            db.session.rollback()

    def rows(self, sql: str, **params: Any) -> list:
        from connector.extensions import db

        try:
            return db.session.execute(text(sql), params).all()
        finally:
            db.session.rollback()

    def execute(self, sql: str, **params: Any) -> None:
        from connector.extensions import db

        db.session.execute(text(sql), params)
        db.session.commit()

    def undelivered_webhooks(self, shop_id: int) -> int:
        return self.scalar("SELECT count(*) FROM webhook_deliveries WHERE shop_id = :shop "
                           "AND status IN ('received', 'failed')", shop=shop_id)

def kill_holder(world: World, lease: str, timeout: float = 30) -> tuple[str, float]:
    """SIGKILL the consumer holding `lease` and start it again; returns its name and when it was killed."""
    name = wait_for(lambda: world.lease_holder(lease), timeout, what=f"a consumer holding {lease}")
    world.cluster.kill_and_restart_consumer(name)
    return name, time.monotonic()

def new_cluster(services, workdir: Path, **options):
    from cluster import Cluster

    postgres, redis = services
    running = Cluster(postgres_url=postgres.url, redis_url=redis.url, web_port=free_port(),
                      simulator_port=free_port(), workdir=workdir, simulator=False,
                      extra_env={**FAST_RECOVERY, **options.pop("extra_env", {})}, **options)
    running.prepare()
    return running


def explain(world: World, account_id: int) -> str:
    """What the connector's tables say about an account, for a failure message."""
    runs = world.rows("SELECT id, kind, status, triggered_by, summary FROM sync_runs WHERE account_id = :a "
                      "ORDER BY id", a=account_id)
    submissions = world.rows("SELECT id, kind, status, feed_id, next_check_at FROM stock_submissions "
                             "WHERE account_id = :a ORDER BY id", a=account_id)
    listings = world.rows("SELECT pending, hold, submission_id IS NOT NULL, count(*) FROM stock_listings "
                          "WHERE account_id = :a GROUP BY 1, 2, 3", a=account_id)
    log = world.rows("SELECT level, message FROM log_entries WHERE account_id = :a ORDER BY id DESC LIMIT 15",
                     a=account_id)
    return "\n".join(["runs:", *map(str, runs), "submissions:", *map(str, submissions), "listings:",
                      *map(str, listings), "log (newest first):", *map(str, log)])
