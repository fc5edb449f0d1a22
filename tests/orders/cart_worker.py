"""A job consumer in a process of its own, for the test that kills one: runs the cart job of one shop against the
test's database. Usage: python cart_worker.py SHOP_ID (configuration in CART_WORKER_* environment variables)."""
from __future__ import annotations

import os
import sys

from connector import create_app
from connector.jobs.registry import enqueue


def main(shop_id: int) -> None:
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": os.environ["CART_WORKER_DATABASE_URL"],
        "ENCRYPTION_KEYS": os.environ["CART_WORKER_ENCRYPTION_KEYS"].split(","),
        "SECRET_KEY": "cart-worker-secret-key-for-the-kill-test",
        "HUEY_IMMEDIATE": True,
    }, instance_path=os.environ["CART_WORKER_INSTANCE"])
    with app.app_context():
        enqueue("orders.cart_sync", shop_id)


if __name__ == "__main__":
    main(int(sys.argv[1]))
