"""What the order tests share: the simulator as these tests drive it, a connected account of the demo seller
(US, CA, MX), shops whose carts are the fakes of fakeorders.py, and what the tests look at afterwards."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa
from connector.clock import utcnow
from connector.extensions import db
from connector.orders.models import ImportedOrder
from connector.sandbox.orders import ItemSpec
from connector.synclog.models import LogEntry
from fakeorders import ShopifyWithOrders, WooCommerceWithOrders
from helpers import make_shop

SELLER = "A1DEMOSELLERNA"
US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"
CALLBACK = "http://connector.test/amazon/authorize/callback"


class Amazon:
    """The simulated Amazon as these tests drive it: its order book and a clock only the test moves."""

    def __init__(self, state) -> None:
        self.state = state
        self.world = state.orders

    def now(self):
        return self.state.now()

    def advance(self, **delta: float) -> None:
        self.state.advance_clock(timedelta(**delta).total_seconds())

    def settle(self) -> None:
        """searchOrders ends two minutes before Amazon's now: let what just happened fall inside it."""
        self.advance(minutes=3)

    def order(self, *skus: str, quantity: int = 1, **options):
        return self.world.create(SELLER, [ItemSpec(sku, quantity) for sku in skus or ("SKU-A",)], **options)

    def calls(self, operation: str) -> list:
        return self.state.calls(operation)


def connect_account(shop, state, seller: str = SELLER, marketplaces=(US, CA, MX), **flags) -> AmazonAccount:
    """An account the seller has authorized (the consent flow itself is tested elsewhere)."""
    grant = lwa.exchange_code(state.issue_code(seller, CALLBACK), CALLBACK)
    now = utcnow()
    account = AmazonAccount(shop_id=shop.id, alias="US main", region="NA", marketplace_ids=list(marketplaces),
                            selling_partner_id=seller, refresh_token=grant.refresh_token,
                            authorization_method="website", authorized_at=now,
                            expires_at=now + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID, **flags)
    db.session.add(account)
    db.session.commit()
    return account


def woo_shop(woo: WooCommerceWithOrders, **extra):
    shop = make_shop(**extra)
    shop.cart_api_url, shop.cart_api_key, shop.cart_api_secret = woo.url, woo.consumer_key, woo.consumer_secret
    db.session.commit()
    return shop


def shopify_shop(shopify: ShopifyWithOrders):
    shop = make_shop(host="shopify")
    shop.cart_api_url, shop.cart_api_secret = shopify.url, shopify.access_token
    db.session.commit()
    return shop


def imported(account_id: int) -> dict[str, ImportedOrder]:
    db.session.expire_all()
    return {order.amazon_order_id: order for order in db.session.scalars(
        select(ImportedOrder).where(ImportedOrder.account_id == account_id))}


def log_messages(kind: str | None = None) -> list[str]:
    query = select(LogEntry).order_by(LogEntry.id)
    if kind:
        query = query.where(LogEntry.kind == kind)
    return [entry.message for entry in db.session.scalars(query)]
