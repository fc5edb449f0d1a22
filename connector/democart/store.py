"""The demo shop's store: what a WooCommerce shop keeps (products, orders), in a JSON file in the instance folder,
so the demo's web processes share it. It stocks the simulator's demo SKUs, which the demo seller's orders use."""
from __future__ import annotations

import fcntl
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from ..extensions import db
from ..sandbox.orders.catalog import DEMO_SKUS, product
from ..shops.models import Shop
from ..synclog.operations import record

API_PATH = "/wp-json/wc/v3"


def store_url(shop: Shop, public_url: str) -> str:
    return f"{public_url.rstrip('/')}/demo-cart/{shop.shop_key}/store"


def connect_demo_store(shop: Shop, public_url: str) -> None:
    """Point a WooCommerce demo shop without a cart connection at its demo store, with fresh REST API keys."""
    if shop.host_kind != "woocommerce" or shop.cart_api_url:
        return
    shop.cart_api_url = store_url(shop, public_url)
    shop.cart_api_key = "ck_demo_" + secrets.token_hex(16)
    shop.cart_api_secret = "cs_demo_" + secrets.token_hex(16)
    db.session.commit()
    record("info", "settings", "The demo shop's cart connection points at its demo store (Demo cart admin → "
           "Orders).", shop_id=shop.id)


def _path(shop_key: str) -> Path:
    return Path(current_app.instance_path) / f"demo-store-{shop_key}.json"


def _initial() -> dict:
    products = {}
    for number, sku in enumerate(DEMO_SKUS, start=101):
        listed = product(sku)
        products[str(number)] = {"id": number, "sku": sku, "name": listed.title, "type": "simple", "parent_id": 0,
                                 "price": str(listed.usd_price), "manage_stock": True, "stock_quantity": 50}
    return {"next_order_id": 1001, "products": products, "orders": {}}


@contextmanager
def open_store(shop_key: str, write: bool = False) -> Iterator[dict]:
    """The store's data under a file lock (shared to read, exclusive to write); written back after a write."""
    path = _path(shop_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
        data = json.loads(path.read_text()) if path.exists() else _initial()
        yield data
        if write:
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(data))
            temporary.replace(path)
