"""Helpers for the stock sync tests: accounts authorized in the simulator, driving the push and feed-check jobs as
the consumer would, and reading what Amazon (the simulator) ended up with."""
from __future__ import annotations

import json
from datetime import timedelta

from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa
from connector.clock import utcnow
from connector.extensions import db
from connector.sandbox.feed_lifecycle import advance
from connector.sandbox.listing_seeds import listing_from_json
from connector.stock.models import ListingState
from connector.stock.push import push
from connector.stock.results import check_feeds
from helpers import HOSTS_DIR

REDIRECT_URI = "http://connector.test/amazon/authorize/callback"
SELLER = "A1DEMOSELLERNA"
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


def connect_account(sandbox, shop, seller: str = SELLER, region: str = "NA", marketplaces=(US,),
                    alias: str = "US main", **fields) -> AmazonAccount:
    grant = lwa.exchange_code(sandbox.state.issue_code(seller, REDIRECT_URI), REDIRECT_URI)
    now = utcnow()
    account = AmazonAccount(shop_id=shop.id, alias=alias, region=region, marketplace_ids=list(marketplaces),
                            selling_partner_id=seller, refresh_token=grant.refresh_token,
                            authorization_method="website", authorized_at=now, expires_at=now + AUTHORIZATION_LIFETIME,
                            token_state=TokenState.VALID, **fields)
    db.session.add(account)
    db.session.commit()
    return account


def seed(sandbox, marketplace: str, *listings: dict, seller: str = SELLER) -> None:
    """Put listings on Amazon's side: {"sku", "quantity", "price", "fulfillment_channel"?}."""
    state = sandbox.state
    state.listings.put_many(seller, marketplace, [listing_from_json(spec, marketplace, state.now())
                                                  for spec in listings])


def on_amazon(sandbox, sku: str, marketplace: str = US, seller: str = SELLER) -> dict | None:
    return sandbox.state.listings.get(seller, marketplace, sku)


def push_and_settle(sandbox, account_id: int, triggered_by: str = "push_now"):
    """Push now, let Amazon process the feeds, and read their results, as the jobs would."""
    outcome = push(account_id, triggered_by)
    advance(sandbox.state)
    check_feeds(account_id, "test", everything=True)
    return outcome


def listing(account_id: int, sku: str, marketplace: str = US) -> ListingState | None:
    db.session.expire_all()
    return db.session.query(ListingState).filter_by(account_id=account_id, marketplace_id=marketplace,
                                                    seller_sku=sku).one_or_none()


def woo_product(**fields) -> dict:
    """The real WooCommerce product payload (tests/data/hosts), with some fields replaced."""
    product = json.loads((HOSTS_DIR / "woocommerce/product.updated.stock-managed.DERIVED.json").read_text())
    product.update(fields)
    return product


def later(seconds: int) -> str:
    return (utcnow() + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


def demo_items(numbers, quantity: int, price: str) -> list[dict]:
    """Generic stock/price items for the simulator's demo SKUs DEMO-SKU-001…"""
    return [{"sku": f"DEMO-SKU-{n:03d}", "quantity": quantity, "price": price} for n in numbers]


def amazon_calls(sandbox, operation: str) -> list:
    return sandbox.state.calls(operation)
