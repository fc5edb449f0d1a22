"""The "Find a SKU or order" box: an exact Amazon order ID, cart order ID or number, or SKU of this shop leads
straight to its story; anything else gets suggestions that start with what was typed."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import and_, select

from ..accounts.operations import accounts_of
from ..extensions import db
from ..orders.models import ImportedOrder
from ..shops.models import Shop
from ..stock.models import HostItem, ListingState, Submission
from ..synclog.models import LogEntry
from .order_story import order_by_cart_id
from .sku_story import mappings_of

SUGGESTIONS = 10
PATH_UNSAFE = ("//", "\\")


def path_safe(value: str) -> bool:
    """Whether the value survives as the path part of a URL. SKUs and cart order IDs may hold slashes; a leading or
    trailing slash, "//", "." or ".." segments are rewritten by browsers and proxies, so those go in the query."""
    return bool(value) and not any(segment in ("", ".", "..") for segment in value.split("/")) \
        and not any(unsafe in value for unsafe in PATH_UNSAFE)


def sku_url(sku: str, **args: object) -> str:
    if path_safe(sku):
        return url_for("stories.sku", sku=sku, **args)
    return url_for("stories.sku_by_query", sku=sku, **args)


def cart_order_url(cart_order_id: str) -> str:
    if path_safe(cart_order_id):
        return url_for("stories.cart_order", cart_order_id=cart_order_id)
    return url_for("stories.cart_order_by_query", id=cart_order_id)


def submission_for_feed(shop: Shop, feed_id: str) -> Submission | None:
    """The submission of one of the shop's accounts that Amazon knows by this feed ID."""
    account_ids = [account.id for account in accounts_of(shop)]
    if not account_ids:
        return None
    return db.session.scalar(select(Submission).where(
        Submission.feed_id == feed_id, Submission.account_id.in_(account_ids)).limit(1))


@dataclass
class Found:
    target: str | None = None
    skus: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)


def find(shop: Shop, text: str) -> Found:
    text = text.strip()
    if not text:
        return Found()
    order = db.session.scalar(select(ImportedOrder.amazon_order_id).where(
        ImportedOrder.shop_id == shop.id, ImportedOrder.amazon_order_id == text).limit(1))
    if order is None:
        by_cart = order_by_cart_id(shop, text)
        order = by_cart.amazon_order_id if by_cart else None
    if order is not None:
        return Found(target=url_for("stories.order", amazon_order_id=order))
    if known_sku(shop, text):
        return Found(target=sku_url(text))
    return Found(skus=_sku_suggestions(shop, text), orders=_order_suggestions(shop, text))


def known_sku(shop: Shop, sku: str) -> bool:
    if db.session.scalar(select(HostItem.id).where(HostItem.shop_id == shop.id, HostItem.sku == sku)) is not None:
        return True
    account_ids = [account.id for account in accounts_of(shop)]
    if account_ids and (db.session.scalar(select(ListingState.id).where(
            ListingState.account_id.in_(account_ids), ListingState.host_sku == sku).limit(1)) is not None
            or any(mappings_of(accounts_of(shop), sku))):
        return True
    return db.session.scalar(select(LogEntry.id).where(LogEntry.shop_id == shop.id, LogEntry.sku == sku[:100])
                             .limit(1)) is not None


def _starting_with(column, text: str):
    """The index seeks to the prefix (>=, which every collation's b-tree answers; LIKE alone may not use it) and
    reads on in order, keeping what starts with it, until the suggestions are complete."""
    return and_(column >= text, column.startswith(text, autoescape=True))


def _sku_suggestions(shop: Shop, text: str) -> list[str]:
    return list(db.session.scalars(select(HostItem.sku).where(
        HostItem.shop_id == shop.id, _starting_with(HostItem.sku, text)).order_by(HostItem.sku).limit(SUGGESTIONS)))


def _order_suggestions(shop: Shop, text: str) -> list[str]:
    return list(db.session.scalars(select(ImportedOrder.amazon_order_id).where(
        ImportedOrder.shop_id == shop.id, _starting_with(ImportedOrder.amazon_order_id, text))
        .order_by(ImportedOrder.amazon_order_id).limit(SUGGESTIONS)))
