"""When the push sends: quiet, full feeds of settled changes, maximum latency, and the inbox still filling."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from connector.stock.policy import FEED_SIZE, MAX_LATENCY, QUIET, Backlog, Send, decide

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


def backlog(marketplace: str = US, eligible: int = 100, oldest: float = 10, newest: float = 5, settled: int = 0):
    return Backlog(marketplace, eligible, NOW - timedelta(seconds=oldest), NOW - timedelta(seconds=newest), settled)


def test_quiet_backlogs_go_out_by_patch_or_feed():
    assert decide([backlog(eligible=20)], NOW).sends == [Send(US, "patch")]
    assert decide([backlog(eligible=15), backlog(CA, eligible=15)], NOW).sends == [Send(US, "feed"), Send(CA, "feed")]
    assert decide([], NOW).sends == [] and decide([], NOW).wait_until is None


def test_changes_still_arriving_wait_unless_a_full_feed_settled_or_the_oldest_waited_too_long():
    arriving = decide([backlog(newest=0.5)], NOW)
    assert arriving.sends == [] and arriving.wait_until == NOW - timedelta(seconds=0.5) + QUIET
    inbox_filling = decide([backlog(newest=10)], NOW, arriving=True)
    assert inbox_filling.sends == [] and inbox_filling.wait_until == NOW + QUIET
    full = decide([backlog(eligible=FEED_SIZE + 5, newest=0.1, settled=FEED_SIZE)], NOW, arriving=True)
    assert full.sends == [Send(US, "feed", settled_only=True)]
    overdue = decide([backlog(oldest=MAX_LATENCY.total_seconds(), newest=0.1)], NOW, arriving=True)
    assert overdue.sends == [Send(US, "feed")]
    assert decide([backlog(newest=0.1)], NOW, forced=True).sends == [Send(US, "feed")]
