"""Planning calls against Amazon's quotas instead of running into them: how long until a feed can be submitted
(createFeedDocument and createFeed usage plans, and the JSON_LISTINGS_FEED window) or a processing report
downloaded (getFeedDocument refills one token every 45 seconds). The buckets are the ones every process shares."""
from __future__ import annotations

from ..accounts.models import AmazonAccount
from ..amazon.operations import LISTINGS_FEED_SUBMISSIONS, OPERATIONS
from ..amazon.ratelimit import buckets_for_app

# A wait this short is simply waited out inside the job; anything longer reschedules it.
SHORT_WAIT_SECONDS = 2.0


def _seller(account: AmazonAccount) -> str:
    return account.selling_partner_id or f"account-{account.id}"  # the client's bucket key, see SPAPIClient


def _bucket_wait(account: AmazonAccount, operation: str) -> float:
    op = OPERATIONS[operation]
    return buckets_for_app().peek(f"{_seller(account)}:{op.name}", op.rate, op.burst)


def feed_wait(account: AmazonAccount) -> float:
    """Seconds until a JSON_LISTINGS_FEED could be submitted without waiting for any quota."""
    window = LISTINGS_FEED_SUBMISSIONS
    return max(_bucket_wait(account, "createFeedDocument"), _bucket_wait(account, "createFeed"),
               buckets_for_app().peek_window(window.key(_seller(account), account.region), window.limit,
                                             window.window))


def take_feed_submission(account: AmazonAccount) -> float:
    """Count one JSON_LISTINGS_FEED submission in the shared window; returns the seconds to wait before it."""
    window = LISTINGS_FEED_SUBMISSIONS
    return buckets_for_app().acquire_window(window.key(_seller(account), account.region), window.limit, window.window)


def report_wait(account: AmazonAccount) -> float:
    return _bucket_wait(account, "getFeedDocument")
