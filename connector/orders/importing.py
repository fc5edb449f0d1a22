"""The order import: search Amazon for orders updated since the cursor, page by page, and store them.

A search window runs from the cursor (less an overlap, for orders Amazon shows late) to the lastUpdatedBefore
Amazon chooses: two minutes before its own now, as its rule requires. Each stored page is committed together with
the next page's token and the cursor, which only moves past orders that are stored. searchOrders allows one call
every three minutes after a burst of 20; when no slot is free soon, the run saves its place and tells the caller
when to come back, instead of holding a worker (the token stays valid for 24 hours).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from ..accounts.models import AmazonAccount
from ..amazon.client import SlotNotFree, SPAPIClient
from ..amazon.errors import AmazonRequestInvalid
from ..clock import utcnow
from ..extensions import db
from ..synclog.runs import RunRecorder
from .amazon_orders import CANCELLED, INCLUDED_DATA, MERCHANT, amazon_time, parse_time
from .models import OrderImportSettings, OrderImportState
from .settings import import_settings, import_state
from .storing import StoreResult, store_orders

PAGE_SIZE = 100
OVERLAP = timedelta(minutes=30)  # Amazon shows some orders minutes after their lastUpdatedTime
SLOT_WAIT_LIMIT = 5.0  # seconds a worker may wait for a searchOrders slot before it saves and comes back later
AMAZON_SETTLE_TIME = timedelta(minutes=2)


@dataclass
class ImportOutcome:
    pages: int = 0
    stored: StoreResult = field(default_factory=StoreResult)
    finished: bool = False
    resume_in: float | None = None  # seconds until a searchOrders slot is free again

    def summary(self) -> str:
        text = (f"{len(self.stored.new)} new order(s), {self.stored.updated} updated, "
                f"{self.pages} page(s) from Amazon")
        if self.finished:
            return text + "; the import is up to date."
        return text + f"; waiting {self.resume_in:.0f} s for Amazon's searchOrders quota, then it continues."


def run_import(account: AmazonAccount, run: RunRecorder, client: SPAPIClient | None = None) -> ImportOutcome:
    """Fetch and store pages until the window is done or no searchOrders slot is free soon enough."""
    settings, state = import_settings(account.id), import_state(account.id)
    client = client or SPAPIClient.for_account(account)
    outcome = ImportOutcome()
    _take_reimport_request(settings, state, run)
    if state.window_after is None:
        _open_window(state, settings)
    restarted = False
    while True:
        db.session.commit()  # never hold a transaction across a call to Amazon
        try:
            response = client.call("searchOrders", params=_search_params(account, settings, state),
                                   max_wait=SLOT_WAIT_LIMIT)
        except SlotNotFree as busy:
            outcome.resume_in = busy.seconds
            state.resume_at = utcnow() + timedelta(seconds=busy.seconds)
            _report_progress(run, state)
            return outcome
        except AmazonRequestInvalid as refused:
            if state.page_token is None or restarted:
                raise
            # Tokens die after 24 hours, or when the search parameters changed: search the window again.
            run.log("info", f"Amazon no longer accepts the saved page of this import ({refused.message}); "
                    "searching again from the last stored order.", amazon_request_id=refused.request_id,
                    commit=False)
            _open_window(state, settings)
            restarted = True
            continue
        body = response.json or {}
        if state.page_token is None:
            state.window_before = _window_end(body, state.window_after)
        orders = body.get("orders") or []
        result = store_orders(account, orders, settings.statuses, partial(run.log, commit=False))
        _advance_cursor(state, orders)
        state.page_token = (body.get("pagination") or {}).get("nextToken")
        state.window_pages += 1
        state.window_orders += len(orders)
        state.resume_at = None
        outcome.pages += 1
        outcome.stored.add(result)
        run.count(seen=len(orders), changed=len(result.new) + result.updated)
        if state.page_token is None:
            _close_window(state)
            outcome.finished = True
        _report_progress(run, state)  # commits the page's orders with the cursor and the next token
        if outcome.finished:
            return outcome


def _take_reimport_request(settings: OrderImportSettings, state: OrderImportState, run: RunRecorder) -> None:
    if settings.reimport_from is None:
        return
    state.cursor = settings.reimport_from
    state.window_after = state.window_before = state.page_token = None
    settings.reimport_from = None
    run.log("info", f"Re-importing orders updated since {state.cursor:%Y-%m-%d %H:%M} UTC.", commit=False)


def _open_window(state: OrderImportState, settings: OrderImportSettings) -> None:
    if state.cursor is None:
        state.cursor = utcnow() - timedelta(days=settings.first_import_days)
        state.window_after = state.cursor
    else:
        state.window_after = state.cursor - OVERLAP
    state.window_before = state.page_token = None
    state.window_started_at = utcnow()
    state.window_pages = state.window_orders = 0


def _search_params(account: AmazonAccount, settings: OrderImportSettings, state: OrderImportState) -> dict:
    # Cancelled orders come along so that a cancellation reaches the cart within one import, not at the re-check.
    statuses = sorted(set(settings.statuses) | {CANCELLED})
    params = {"lastUpdatedAfter": amazon_time(state.window_after), "fulfillmentStatuses": statuses,
              "marketplaceIds": list(account.marketplace_ids), "fulfilledBy": MERCHANT,
              "maxResultsPerPage": PAGE_SIZE, "includedData": list(INCLUDED_DATA)}
    if state.page_token:
        params["paginationToken"] = state.page_token
    return params


def _window_end(body: dict, after: datetime) -> datetime:
    """Where Amazon ended the search; without a lastUpdatedBefore Amazon ends it two minutes before its now."""
    before = parse_time(body.get("lastUpdatedBefore"))
    if before is None:
        before = utcnow() - AMAZON_SETTLE_TIME - timedelta(minutes=1)
    return max(before, after)


def _advance_cursor(state: OrderImportState, orders: list[dict]) -> None:
    """Pages follow the times orders had when the search began; one changed since shows a time past the window's
    end and says nothing about where later pages start, so only times inside the window move the cursor."""
    times = [parse_time(order.get("lastUpdatedTime")) for order in orders]
    inside = [moment for moment in times if moment is not None and moment <= state.window_before]
    if inside:
        state.cursor = max(state.cursor or inside[0], max(inside))


def _close_window(state: OrderImportState) -> None:
    state.cursor = max(state.cursor or state.window_before, state.window_before)
    state.window_after = state.window_before = None
    state.last_success_at = utcnow()


def _report_progress(run: RunRecorder, state: OrderImportState) -> None:
    if state.window_after is None or state.window_before is None:
        run.progress(1 if state.window_after is None else 0, 1)
        return
    total = max(1, int((state.window_before - state.window_after).total_seconds()))
    done = int((min(state.cursor, state.window_before) - state.window_after).total_seconds())
    run.progress(max(0, min(done, total)), total)
