"""Amazon's Feeds API records: feed documents (uploaded inputs and result reports), feeds and their lifecycle
times, the JSON_LISTINGS_FEED submission limit, feed faults, and the processing delay."""
from __future__ import annotations

import itertools
import secrets
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .listing_items import iso

LISTINGS_FEED = "JSON_LISTINGS_FEED"
LISTINGS_FEED_LIMIT = 5  # submissions per window, per seller and region (changelog 2025-05-06)
LISTINGS_FEED_WINDOW_SECONDS = 300.0
RETENTION = timedelta(days=90)
FEED_FAULTS = ("fatal", "stuck")


@dataclass
class FeedDocument:
    document_id: str
    selling_partner_id: str
    content_type: str
    created: datetime
    content: bytes | None = None  # None until uploaded
    gzipped: bool = False  # result documents Amazon compresses; the download URL serves the compressed bytes


@dataclass(frozen=True)
class FeedFault:
    kind: str  # "fatal": the feed ends FATAL; "stuck": it stays IN_PROGRESS and its report never arrives
    apply_messages: bool = False  # for "stuck": apply the messages anyway, as Amazon may have


@dataclass
class Feed:
    feed_id: str
    selling_partner_id: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    options: dict
    created: datetime
    delay: timedelta
    fault: FeedFault | None = None
    status: str = "IN_QUEUE"
    started: datetime | None = None
    ended: datetime | None = None
    result_document_id: str | None = None
    processed: bool = False  # its messages went through (a "stuck" feed may be processed without a report)
    applied_message_ids: list[int] = field(default_factory=list)

    @property
    def starts_at(self) -> datetime:
        return self.created + self.delay / 2

    @property
    def ends_at(self) -> datetime:
        return self.created + self.delay

    def as_json(self) -> dict:
        """The Feeds API's `Feed`."""
        body = {"feedId": self.feed_id, "feedType": self.feed_type, "marketplaceIds": self.marketplace_ids,
                "createdTime": iso(self.created), "processingStatus": self.status}
        if self.started:
            body["processingStartTime"] = iso(self.started)
        if self.ended:
            body["processingEndTime"] = iso(self.ended)
        if self.result_document_id:
            body["resultFeedDocumentId"] = self.result_document_id
        return body


class FeedStore:
    def __init__(self, processing_seconds: float) -> None:
        self.lock = threading.RLock()
        # Held while feeds move on, so whoever asks (worker, request, test) returns after due work is done.
        self.processing_lock = threading.Lock()
        self.wake = threading.Event()
        self.default_processing_seconds = processing_seconds
        self.processing_seconds = processing_seconds
        self.signing_key = secrets.token_bytes(32)
        self.documents: dict[str, FeedDocument] = {}
        self.feeds: dict[str, Feed] = {}
        self.faults: deque[FeedFault] = deque()
        self._submissions: dict[tuple[str, str], deque[float]] = {}
        self._ids = itertools.count(1)

    def reset(self) -> None:
        with self.processing_lock, self.lock:
            self.processing_seconds = self.default_processing_seconds
            self.signing_key = secrets.token_bytes(32)
            self.documents.clear()
            self.feeds.clear()
            self.faults.clear()
            self._submissions.clear()

    def new_document(self, selling_partner_id: str, region: str, content_type: str, now: datetime) -> FeedDocument:
        document = FeedDocument(f"amzn1.tortuga.4.{region.lower()}.{uuid.uuid4()}.T{secrets.token_hex(6).upper()}",
                                selling_partner_id, content_type, now)
        with self.lock:
            self.documents[document.document_id] = document
        return document

    def document(self, selling_partner_id: str, document_id: str) -> FeedDocument | None:
        with self.lock:
            document = self.documents.get(document_id)
        return document if document is not None and document.selling_partner_id == selling_partner_id else None

    def new_feed(self, selling_partner_id: str, feed_type: str, marketplace_ids: list[str], input_document_id: str,
                 options: dict, now: datetime) -> Feed:
        with self.lock:
            feed = Feed(str(50_000_000_000 + next(self._ids)), selling_partner_id, feed_type, marketplace_ids,
                        input_document_id, options, now, timedelta(seconds=self.processing_seconds),
                        fault=self.faults.popleft() if self.faults else None)
            self.feeds[feed.feed_id] = feed
        self.wake.set()
        return feed

    def feed(self, selling_partner_id: str, feed_id: str) -> Feed | None:
        with self.lock:
            feed = self.feeds.get(feed_id)
        return feed if feed is not None and feed.selling_partner_id == selling_partner_id else None

    def feeds_of(self, selling_partner_id: str, now: datetime) -> list[Feed]:
        """The seller's feeds of the last 90 days, newest first."""
        with self.lock:
            return sorted((f for f in self.feeds.values()
                           if f.selling_partner_id == selling_partner_id and f.created >= now - RETENTION),
                          key=lambda f: (f.created, int(f.feed_id)), reverse=True)

    def take_listings_feed_slot(self, selling_partner_id: str, region: str, monotonic: float) -> bool:
        """Count one JSON_LISTINGS_FEED submission; False when 5 were accepted in the last 5 minutes."""
        with self.lock:
            times = self._submissions.setdefault((selling_partner_id, region), deque())
            while times and times[0] <= monotonic - LISTINGS_FEED_WINDOW_SECONDS:
                times.popleft()
            if len(times) >= LISTINGS_FEED_LIMIT:
                return False
            times.append(monotonic)
            return True

    def add_fault(self, kind: str, count: int = 1, apply_messages: bool = False) -> None:
        if kind not in FEED_FAULTS:
            raise ValueError(f"kind must be one of {', '.join(FEED_FAULTS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self.lock:
            self.faults.extend(FeedFault(kind, apply_messages) for _ in range(count))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
