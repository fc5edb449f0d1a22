"""Moving feeds along IN_QUEUE -> IN_PROGRESS -> DONE or FATAL on the simulator's clock: a worker thread does it
whether or not anybody polls, and every Feeds call and /_sim read catches up first, so moving the clock is enough."""
from __future__ import annotations

import gzip
import json
import logging
import threading

from .feed_processing import process_listings_feed
from .feeds import LISTINGS_FEED, Feed
from .state import SandboxState

log = logging.getLogger(__name__)
WORKER_POLL_SECONDS = 0.2
GZIP_REPORTS_FROM_BYTES = 64 * 1024  # larger processing reports are stored GZIP-compressed, as Amazon does
# Listings feed types Amazon removed on 2025-07-31; submitting one ends FATAL (reference section 3.2).
REMOVED_FEED_TYPES = frozenset({
    "POST_PRODUCT_DATA", "POST_INVENTORY_AVAILABILITY_DATA", "POST_PRODUCT_OVERRIDES_DATA",
    "POST_PRODUCT_PRICING_DATA", "POST_PRODUCT_IMAGE_DATA", "POST_PRODUCT_RELATIONSHIP_DATA",
    "POST_FLAT_FILE_INVLOADER_DATA", "POST_FLAT_FILE_LISTINGS_DATA", "POST_FLAT_FILE_BOOKLOADER_DATA",
    "POST_FLAT_FILE_CONVERGENCE_LISTINGS_DATA", "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
    "POST_UIEE_BOOKLOADER_DATA", "POST_STD_ACES_DATA",
})


def advance(world: SandboxState) -> None:
    """Do everything that is due by now; returns once it is done (waiting for the worker if it is busy)."""
    feeds = world.feeds
    with feeds.processing_lock:
        now = world.now()
        with feeds.lock:
            pending = sorted((f for f in feeds.feeds.values() if f.status in ("IN_QUEUE", "IN_PROGRESS")),
                             key=lambda f: int(f.feed_id))
        for feed in pending:
            with feeds.lock:  # cancelFeed changes IN_QUEUE feeds under this lock too
                if feed.status == "IN_QUEUE" and now >= feed.starts_at:
                    feed.status, feed.started = "IN_PROGRESS", feed.starts_at
                due = feed.status == "IN_PROGRESS" and now >= feed.ends_at
            if due:
                _finish(world, feed)


def _finish(world: SandboxState, feed: Feed) -> None:
    fault = feed.fault
    if fault is not None and fault.kind == "stuck":
        if fault.apply_messages and not feed.processed:
            _process(world, feed)
        return
    if fault is not None and fault.kind == "fatal":
        status, report = "FATAL", _report(feed, "INTERNAL_FAILURE", "An internal error occurred while processing "
                                                                    "the feed. Submit the feed again.")
    elif feed.feed_type == LISTINGS_FEED:
        status, report = _process(world, feed)
    elif feed.feed_type in REMOVED_FEED_TYPES:
        status, report = "FATAL", None
    else:
        status, report = "FATAL", _report(feed, "UNSUPPORTED_FEED_TYPE",
                                          f"The simulator does not process feed type {feed.feed_type}.")
    with world.feeds.lock:
        feed.status, feed.ended = status, feed.ends_at
        if report is not None:
            feed.result_document_id = _store_report(world, feed, report)


def _process(world: SandboxState, feed: Feed) -> tuple[str, dict]:
    document = world.feeds.documents[feed.input_document_id]
    outcome = process_listings_feed(world.listings, feed.selling_partner_id, feed.feed_id, feed.marketplace_ids,
                                    document.content or b"", world.now())
    with world.feeds.lock:
        feed.processed, feed.applied_message_ids = True, outcome.applied_message_ids
    return outcome.status, outcome.report


def _report(feed: Feed, code: str, message: str) -> dict:
    return {"header": {"sellerId": feed.selling_partner_id, "version": "2.0", "feedId": feed.feed_id},
            "issues": [{"code": code, "severity": "ERROR", "message": message}],
            "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                        "messagesInvalid": 0}}


def _store_report(world: SandboxState, feed: Feed, report: dict) -> str:
    spec = world.settings.seller(feed.selling_partner_id)
    document = world.feeds.new_document(feed.selling_partner_id, spec.region if spec else "na",
                                        "application/json; charset=UTF-8", world.now())
    content = json.dumps(report, ensure_ascii=False).encode("utf-8")
    if len(content) >= GZIP_REPORTS_FROM_BYTES:
        content, document.gzipped = gzip.compress(content, compresslevel=5), True
    document.content = content
    return document.document_id


def start_worker(world: SandboxState) -> threading.Thread:
    def run() -> None:
        while True:
            world.feeds.wake.wait(WORKER_POLL_SECONDS)
            world.feeds.wake.clear()
            try:
                advance(world)
            except Exception:  # the worker must outlive one bad feed; the traceback shows what went wrong
                log.exception("feed processing failed")

    thread = threading.Thread(target=run, name="amazon-simulator-feeds", daemon=True)
    thread.start()
    return thread
