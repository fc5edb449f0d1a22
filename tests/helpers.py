"""Helpers the tests share: the shared reference material, shops, launches, CSRF tokens, accounts."""
from __future__ import annotations

import re
from pathlib import Path

# Copies of Amazon's official models (shipped with the simulator) and of real host webhook payloads.
AMAZON_MODELS_DIR = Path(__file__).resolve().parents[1] / "connector/sandbox/amazon_models"
HOSTS_DIR = Path(__file__).resolve().parent / "data/hosts"


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_META.search(html) or CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return next(group for group in match.groups() if group)


def make_shop(name: str = "Shop A", host: str = "woocommerce", origin: str = "https://shop-a.example", **extra):
    from connector.shops.operations import create_shop

    return create_shop(name, host, [origin], **extra)


def launch(client, shop, role: str = "owner"):
    from connector.shops.launch import make_launch_token

    response = client.get(f"/admin/launch?token={make_launch_token(shop, role)}")
    assert response.status_code == 302, response.data
    return client


def add_account(client, alias: str = "EU main", region: str = "EU", marketplaces=("A1PA6795UKMFR9",), **fields):
    page = client.get("/admin/accounts/new")
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), "alias": alias, "region": region,
            "marketplace_ids": list(marketplaces), "sync_stock": "y", "import_orders": "y", **fields}
    response = client.post("/admin/accounts/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
