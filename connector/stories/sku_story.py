"""One SKU's story, read from what the areas already keep: the cart's last word (HostItem), per account and
marketplace what Amazon should show and last accepted (ListingState), the mapping, the notices, and in time order
the webhooks that touched it, each submission that carried it with Amazon's answer, and the log entries about it.
Every query is scoped to the shop and uses an index on the SKU (or the listing, product or inventory item)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from ..accounts.models import AmazonAccount
from ..accounts.operations import accounts_of
from ..extensions import db
from ..shops.models import Shop
from ..stock.models import (ALL_MARKETPLACES, HostItem, ListingState, SkuMapping, SkuNotice, Submission,
                            SubmissionItem)
from ..synclog.models import LogEntry
from ..webhooks.models import WebhookDelivery
from .models import SkuTouch, TouchKind
from .sku_events import answer_event, mapping_event, sent_event, touch_event
from .timeline import STORY_LIMIT, Event, in_order, log_event


@dataclass
class Listing:
    """One seller SKU in one marketplace of one account, with the mapping that led there."""

    account: AmazonAccount
    state: ListingState
    mapping: SkuMapping | None

    @property
    def status(self) -> tuple[str, str]:
        """(level, words) a support person reads first."""
        state = self.state
        if state.hold:
            return "error", _("Held after Amazon rejected it (%(code)s): %(message)s", code=state.error_code or "?",
                              message=state.error_message or "")
        if state.submission_id:
            return "info", _("Being sent to Amazon now")
        if state.pending:
            return "warning", _("Waiting for the next push")
        if state.host_sku is None:
            return "warning", _("No cart SKU maps here any more")
        return "info", _("In sync: Amazon shows what the cart says")


@dataclass
class SkuStory:
    sku: str
    accounts: dict[int, AmazonAccount]
    item: HostItem | None = None
    listings: list[Listing] = field(default_factory=list)
    mappings: list[SkuMapping] = field(default_factory=list)
    notices: list[SkuNotice] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    truncated: bool = False

    @property
    def found(self) -> bool:
        return bool(self.item or self.listings or self.mappings or self.notices or self.events)

    @property
    def excluded(self) -> list[SkuMapping]:
        return [mapping for mapping in self.mappings if mapping.excluded]

    @property
    def headline(self) -> tuple[str, str]:
        """(level, sentence): where the SKU stands, before any detail."""
        levels = [listing.status[0] for listing in self.listings]
        total = len(levels)
        if "error" in levels:
            return "error", _("%(held)s of %(total)s Amazon listing(s) held after a rejection: see Amazon's answer "
                              "below.", held=levels.count("error"), total=total)
        if "warning" in levels:
            return "warning", _("%(waiting)s of %(total)s Amazon listing(s) wait for the next push.",
                                waiting=levels.count("warning"), total=total)
        if total:
            return "info", _("In sync: Amazon shows what the cart says in all %(total)s listing(s).", total=total)
        if self.excluded:
            return "info", _("Excluded by the SKU mapping: not sent to Amazon.")
        return "warning", _("No Amazon listing comes from this SKU; see the notices and the log below.")


def sku_story(shop: Shop, sku: str, account_id: int | None = None) -> SkuStory:
    accounts = {account.id: account for account in accounts_of(shop)
                if account_id is None or account.id == account_id}
    story = SkuStory(sku=sku, accounts=accounts)
    story.item = db.session.scalar(select(HostItem).where(HostItem.shop_id == shop.id, HostItem.sku == sku))
    story.mappings = mappings_of(accounts.values(), sku)
    states = _listings(accounts, sku)
    story.listings = [Listing(accounts[state.account_id], state, _mapping_for(story.mappings, state))
                      for state in states]
    story.notices = list(db.session.scalars(select(SkuNotice).where(
        SkuNotice.shop_id == shop.id, SkuNotice.sku == sku,
        SkuNotice.account_id.in_([0, *accounts])).order_by(SkuNotice.created_at)))
    events, story.truncated = _events(shop, sku, story.item, states, story.mappings, accounts, account_id)
    story.events = in_order(events)
    return story


def mappings_of(accounts: Iterable[AmazonAccount], sku: str) -> list[SkuMapping]:
    """Mappings from or to this SKU. The marketplaces are named so both lookups seek in an index (account,
    marketplace, host SKU) and (account, seller SKU) instead of reading every mapping of the account."""
    accounts = list(accounts)
    if not accounts:
        return []
    marketplaces = sorted({m for account in accounts for m in account.marketplace_ids or []} | {ALL_MARKETPLACES})
    ids = [account.id for account in accounts]
    return list(db.session.scalars(select(SkuMapping).where(
        SkuMapping.account_id.in_(ids),
        or_(and_(SkuMapping.marketplace_id.in_(marketplaces), SkuMapping.host_sku == sku),
            SkuMapping.seller_sku == sku)).order_by(SkuMapping.account_id, SkuMapping.marketplace_id)))


def _listings(accounts: dict[int, AmazonAccount], sku: str) -> list[ListingState]:
    if not accounts:
        return []
    marketplaces = sorted({m for account in accounts.values() for m in account.marketplace_ids or []})
    return list(db.session.scalars(select(ListingState).where(
        ListingState.account_id.in_(accounts),
        or_(ListingState.host_sku == sku,
            and_(ListingState.marketplace_id.in_(marketplaces), ListingState.seller_sku == sku)),
    ).order_by(ListingState.account_id, ListingState.marketplace_id)))


def _mapping_for(mappings: list[SkuMapping], state: ListingState) -> SkuMapping | None:
    """The mapping that applies: the marketplace's own before the one for every marketplace."""
    candidates = [m for m in mappings if m.account_id == state.account_id and m.host_sku == state.host_sku]
    return next((m for m in candidates if m.marketplace_id == state.marketplace_id),
                next((m for m in candidates if m.marketplace_id == ALL_MARKETPLACES), None))


def _events(shop: Shop, sku: str, item: HostItem | None, states: list[ListingState], mappings: list[SkuMapping],
            accounts: dict[int, AmazonAccount], account_id: int | None) -> tuple[list[Event], bool]:
    touches = _touches(shop.id, sku, item)
    carried = _carried(states)
    entries = _entries(shop.id, sku, account_id)
    events = [touch_event(touch, delivery) for touch, delivery in touches]
    for item_row, submission in carried:
        events.append(sent_event(item_row, submission, accounts[submission.account_id]))
        answer = answer_event(item_row, submission, accounts[submission.account_id])
        if answer is not None:
            events.append(answer)
    events += [mapping_event(mapping, accounts[mapping.account_id]) for mapping in mappings]
    events += [log_event(entry, "sku") for entry in entries]
    truncated = any(len(rows) >= STORY_LIMIT for rows in (touches, carried, entries))
    return events, truncated


def _touches(shop_id: int, sku: str, item: HostItem | None) -> list[tuple[SkuTouch, WebhookDelivery]]:
    """Deliveries that named the SKU, and those about its product, its variable parent or its inventory item."""
    which = [SkuTouch.sku == sku]
    if item is not None:
        products = [p for p in (item.product_id, item.parent_id) if p]
        if products:
            which.append(and_(SkuTouch.kind == TouchKind.DELETION, SkuTouch.product_id.in_(products)))
        if item.parent_id and item.inherits_parent_stock:
            which.append(and_(SkuTouch.kind == TouchKind.PARENT_STOCK, SkuTouch.product_id == item.parent_id))
        if item.inventory_item_id:
            which.append(and_(SkuTouch.kind == TouchKind.LEVEL, SkuTouch.inventory_item_id == item.inventory_item_id))
    rows = db.session.execute(
        select(SkuTouch, WebhookDelivery).join(WebhookDelivery, WebhookDelivery.id == SkuTouch.webhook_delivery_id)
        .where(SkuTouch.shop_id == shop_id, or_(*which)).order_by(SkuTouch.id.desc()).limit(STORY_LIMIT)).all()
    return [(touch, delivery) for touch, delivery in rows]


def _carried(states: list[ListingState]) -> list[tuple[SubmissionItem, Submission]]:
    if not states:
        return []
    rows = db.session.execute(
        select(SubmissionItem, Submission).join(Submission, Submission.id == SubmissionItem.submission_id)
        .where(SubmissionItem.listing_id.in_([state.id for state in states]))
        .order_by(SubmissionItem.id.desc()).limit(STORY_LIMIT)).all()
    return [(item, submission) for item, submission in rows]


def _entries(shop_id: int, sku: str, account_id: int | None) -> list[LogEntry]:
    query = select(LogEntry).where(LogEntry.shop_id == shop_id, LogEntry.sku == sku[:100])
    if account_id is not None:
        query = query.where(or_(LogEntry.account_id == account_id, LogEntry.account_id.is_(None)))
    return list(db.session.scalars(query.order_by(LogEntry.id.desc()).limit(STORY_LIMIT)))
