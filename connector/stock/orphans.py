"""Submissions left PREPARING by a push whose job consumer died between reserving the changes and hearing from
Amazon (recovery marked its run interrupted), or whose createFeed got no answer. Nothing is known of them, so their
changes go out again; at worst Amazon gets the same values twice.

A feed is the exception while Amazon may still hold it: createFeed may have reached Amazon and only its answer was
lost. That feed, still in Amazon's queue, could be processed after the changes sent again and put the older values
back, so they wait until Amazon has no listings feed we do not know of in its queue (at most FEED_TIMEOUT)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..accounts.models import AmazonAccount
from ..amazon.client import SlotNotFree, SPAPIClient
from ..amazon.errors import AmazonError
from ..clock import utcnow
from ..extensions import db
from ..synclog.models import RunStatus, SyncRun
from ..synclog.operations import record
from .documents import FEED_TYPE
from .models import Submission, SubmissionStatus
from .outcomes import give_up, marketplace_name
from .results import FEED_TIMEOUT

RECHECK = timedelta(seconds=30)
CLOCK_MARGIN = timedelta(minutes=5)  # our clock and Amazon's may differ
SLOT_WAIT_LIMIT = 5.0
WAITING = "Its push stopped after sending the feed and before Amazon's answer; Amazon may still process that feed."


def release_orphaned(account: AmazonAccount) -> datetime | None:
    """Send the changes of dead or unanswered pushes again; when a feed whose answer was lost may still be in
    Amazon's queue, its changes stay reserved and the answer is when to look again."""
    orphans = db.session.execute(select(Submission, SyncRun.status).join(SyncRun, SyncRun.id == Submission.run_id)
                                 .where(Submission.account_id == account.id,
                                        Submission.status == SubmissionStatus.PREPARING,
                                        SyncRun.status != RunStatus.RUNNING)).all()
    look_again = None
    for submission, run_status in orphans:
        killed = run_status == RunStatus.INTERRUPTED
        what = f"A push of {submission.messages} changes for {marketplace_name(submission.marketplace_id)}"
        if _amazon_may_still_process(account, submission):
            look_again = utcnow() + RECHECK
            if submission.problem is None:  # said once, not at every look (an unanswered push said it already)
                submission.problem = WAITING
                record("warning", "listings_push", f"{what} stopped after sending its feed and before Amazon "
                       "answered (its job consumer stopped). Amazon may still process that feed, so the changes "
                       "are sent again once it has finished.",
                       shop_id=account.shop_id, account_id=account.id, run_id=submission.run_id, commit=False)
            continue
        give_up(submission)
        submission.status = SubmissionStatus.ABANDONED
        if killed:
            submission.problem = "Its push stopped before Amazon answered (the job consumer stopped)."
        record("warning", "listings_push", f"{what} stopped before Amazon answered (its job consumer stopped); the "
               "changes are sent again." if killed else f"{what} got no answer from Amazon, and Amazon has no feed "
               "of ours left in its queue; the changes are sent again.",
               shop_id=account.shop_id, account_id=account.id, run_id=submission.run_id, commit=False)
    db.session.commit()
    return look_again


def _amazon_may_still_process(account: AmazonAccount, submission: Submission) -> bool:
    if submission.kind != "feed" or submission.feed_document_id is None:
        return False  # createFeed was never sent
    if utcnow() - submission.created_at > FEED_TIMEOUT:
        return False  # as long as we wait for a feed Amazon never finishes
    try:
        response = SPAPIClient.for_account(account).call("getFeeds", params={
            "feedTypes": [FEED_TYPE], "marketplaceIds": [submission.marketplace_id],
            "processingStatuses": ["IN_QUEUE", "IN_PROGRESS"], "pageSize": 100,
            "createdSince": (submission.created_at - CLOCK_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")},
            max_wait=SLOT_WAIT_LIMIT)
    except (AmazonError, SlotNotFree):
        return True  # cannot tell now; look again
    queued = {str(feed["feedId"]) for feed in (response.json or {}).get("feeds") or []}
    if not queued:
        return False
    known = set(db.session.scalars(select(Submission.feed_id).where(Submission.feed_id.in_(queued))))
    return bool(queued - known)
