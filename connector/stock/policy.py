"""When and how pending changes go to Amazon. Feeds are scarce (createFeed refills one token every two minutes;
five JSON_LISTINGS_FEEDs per five minutes), so a burst of changes is coalesced: a push waits until changes stop
arriving for a moment (QUIET_SECONDS), or until the oldest waited MAX_LATENCY; a full feed of changes that settled
goes out at once. A handful of changes goes through patchListingsItem (five per second) instead of a feed.

MAX_LATENCY matches createFeed's refill (one token per 120 seconds): during a continuous stream of changes, feeds
go out about as often as Amazon can take them for a long time, and the burst capacity stays for the stream's end.
While the cart's webhooks still wait in the inbox, changes are still arriving: that is never "quiet"."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .kicks import QUIET_SECONDS

QUIET = timedelta(seconds=QUIET_SECONDS)
MAX_LATENCY = timedelta(seconds=120)  # CONNECTOR_STOCK_MAX_LATENCY changes it
FEED_SIZE = 25_000  # messages per JSON_LISTINGS_FEED
PATCH_LIMIT = 20  # at most this many changes go through patchListingsItem (about four seconds of its quota)


@dataclass(frozen=True)
class Backlog:
    """The changes of one marketplace that may be sent now (not in flight, not held)."""

    marketplace_id: str
    eligible: int
    oldest: datetime
    newest: datetime
    settled: int = 0  # changed at least QUIET ago; counted only when eligible reaches FEED_SIZE


@dataclass(frozen=True)
class Send:
    marketplace_id: str
    mode: str  # "feed" or "patch"
    settled_only: bool = False


@dataclass
class Decision:
    sends: list[Send] = field(default_factory=list)
    wait_until: datetime | None = None
    reason: str | None = None


def decide(backlogs: list[Backlog], now: datetime, forced: bool = False, arriving: bool = False,
           max_latency: timedelta = MAX_LATENCY) -> Decision:
    """What to send now, or when to look again. `forced` (Push now, Full resync) skips the waiting; `arriving`
    says the shop's inbox still holds unprocessed webhooks."""
    backlogs = [b for b in backlogs if b.eligible]
    if not backlogs:
        return Decision()
    oldest = min(b.oldest for b in backlogs)
    newest = now if arriving else max(b.newest for b in backlogs)
    if forced or newest <= now - QUIET or oldest <= now - max_latency:
        mode = "patch" if sum(b.eligible for b in backlogs) <= PATCH_LIMIT else "feed"
        return Decision(sends=[Send(b.marketplace_id, mode) for b in backlogs])
    full = [Send(b.marketplace_id, "feed", settled_only=True) for b in backlogs if b.settled >= FEED_SIZE]
    if full:
        return Decision(sends=full)
    wait_until = min(newest + QUIET, oldest + max_latency)
    if any(b.eligible >= FEED_SIZE for b in backlogs):
        wait_until = min(wait_until, now + QUIET)  # a full feed may have settled by then
    return Decision(wait_until=wait_until, reason="more changes are arriving")
