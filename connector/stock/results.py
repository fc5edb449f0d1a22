"""Following submitted feeds: poll getFeed (often at first, then less), download and read the processing report
when Amazon is done, record every SKU's outcome. A feed Amazon never finishes is given up after FEED_TIMEOUT and
its SKUs are sent again."""
from __future__ import annotations

from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import func, or_, select, update

from ..accounts.models import AmazonAccount
from ..amazon.client import SPAPIClient
from ..amazon.errors import AmazonError
from ..clock import utcnow
from ..extensions import db
from ..jobs.leases import held
from ..jobs.registry import enqueue
from ..synclog.runs import RunRecorder, describe, error_references, sync_run
from .documents import ReportUnreadable, read_report
from .kicks import request_push
from .hosts.facts import parse_time
from .models import StockSettings, Submission, SubmissionItem, SubmissionStatus
from .outcomes import Rejection, give_up, marketplace_name, settle
from .quota import SHORT_WAIT_SECONDS, report_wait
from .settings import back_off, settings_for, succeeded

CHECK_INTERVALS = (2, 4, 8, 15, 30, 60)  # seconds between getFeed calls, then every minute
FEED_TIMEOUT = timedelta(hours=2)
STALE_CHECK = timedelta(minutes=2)  # a queued check this late was lost with its consumer


def due_feeds(account_id: int, now: datetime, everything: bool = False) -> list[Submission]:
    query = select(Submission).where(Submission.account_id == account_id, Submission.kind == "feed",
                                     Submission.status.in_((SubmissionStatus.IN_QUEUE, SubmissionStatus.IN_PROGRESS)))
    if not everything:
        query = query.where(Submission.next_check_at <= now)
    return list(db.session.scalars(query.order_by(Submission.id)))


def next_check(account_id: int) -> datetime | None:
    return db.session.scalar(select(func.min(Submission.next_check_at)).where(
        Submission.account_id == account_id, Submission.kind == "feed",
        Submission.status.in_((SubmissionStatus.IN_QUEUE, SubmissionStatus.IN_PROGRESS))))


def schedule_check(account_id: int, at: datetime) -> None:
    """Queue a feed-result check for `at` unless one is queued already for that time or earlier, so every
    submitted feed does not start a polling chain of its own."""
    now = utcnow()
    settings_for(account_id)
    table = StockSettings.__table__
    claimed = db.session.execute(update(table).where(
        table.c.account_id == account_id,
        or_(table.c.check_at.is_(None), table.c.check_at > at, table.c.check_at < now - STALE_CHECK),
    ).values(check_at=at)).rowcount
    db.session.commit()
    if claimed:
        enqueue("stock.check_feeds", account_id, "schedule", delay=max((at - now).total_seconds(), 0.0))


def check_due(account_id: int, triggered_by: str = "schedule", everything: bool = False) -> None:
    """The job: check what is due, then queue the next check while feeds are open."""
    table = StockSettings.__table__
    db.session.execute(update(table).where(table.c.account_id == account_id, table.c.check_at <= utcnow())
                       .values(check_at=None))
    db.session.commit()
    check_feeds(account_id, triggered_by, everything)
    upcoming = next_check(account_id)
    if upcoming is not None:
        schedule_check(account_id, upcoming)


def check_feeds(account_id: int, triggered_by: str = "schedule", everything: bool = False) -> int:
    """Check the account's feeds that are due (all open ones with `everything`, the Refresh button); returns how
    many finished."""
    with held(f"stock-feed-check:{account_id}") as lease:
        account = db.session.get(AmazonAccount, account_id)
        if lease is None or account is None:
            return 0
        submissions = due_feeds(account_id, utcnow(), everything)
        if not submissions:
            return 0
        finished = 0
        with sync_run("feed_check", shop_id=account.shop_id, account_id=account_id, task="stock.check_feeds",
                      task_args=[account_id], triggered_by=triggered_by, lease=lease) as run:
            client = SPAPIClient.for_account(account)
            run.progress(0, len(submissions))
            for done, submission in enumerate(submissions, start=1):
                finished += _check(account, client, submission, run)
                run.progress(done)
            run.run.summary = f"Checked {len(submissions)} feeds; {finished} finished."
        if finished:
            request_push([account_id], "feed_result")  # changes that arrived while the feeds were in flight
            db.session.commit()
        return finished


def _check(account: AmazonAccount, client: SPAPIClient, submission: Submission, run: RunRecorder) -> bool:
    """Amazon is called with nothing uncommitted in the session (SQLite has one writer)."""
    try:
        feed = client.call("getFeed", {"feedId": submission.feed_id}).json
    except AmazonError as error:
        if not error.retryable:
            raise
        now = _checked(submission)
        _later(submission, now)
        run.log("warning", f"Could not check feed {submission.feed_id}: {describe(error)} It is checked again "
                           "shortly.", commit=False, feed_id=submission.feed_id, **error_references(error))
        db.session.commit()
        return False
    now = _checked(submission)
    status = feed.get("processingStatus")
    if status in (SubmissionStatus.IN_QUEUE, SubmissionStatus.IN_PROGRESS):
        submission.status = status
        if submission.submitted_at and now - submission.submitted_at > FEED_TIMEOUT:
            db.session.commit()
            _abandon(account, client, submission, run, now)
            return True
        _later(submission, now)
        db.session.commit()
        return False
    if status == SubmissionStatus.DONE:
        wait = report_wait(account)
        if wait > SHORT_WAIT_SECONDS:
            submission.next_check_at = now + timedelta(seconds=wait)  # getFeedDocument's quota
            db.session.commit()
            return False
        db.session.commit()
        return _finish(account, client, submission, feed, run)
    db.session.commit()
    _failed_feed(account, client, submission, feed, run, now)
    return True


def _checked(submission: Submission) -> datetime:
    now = utcnow()
    submission.checks += 1
    submission.checked_at = now
    return now


def _later(submission: Submission, now: datetime) -> None:
    interval = CHECK_INTERVALS[min(submission.checks, len(CHECK_INTERVALS)) - 1]
    submission.next_check_at = now + timedelta(seconds=interval)


def _finish(account: AmazonAccount, client: SPAPIClient, submission: Submission, feed: dict,
            run: RunRecorder) -> bool:
    try:
        report = read_report(*_download(client, feed["resultFeedDocumentId"]))
    except (AmazonError, requests.RequestException, ReportUnreadable, KeyError) as error:
        _later(submission, utcnow())
        run.log("warning", f"Feed {submission.feed_id} is done but its processing report could not be read: "
                           f"{describe(error)} It is tried again shortly.",
                commit=False, feed_id=submission.feed_id, **error_references(error))
        db.session.commit()
        return False
    items = dict(db.session.execute(select(SubmissionItem.message_id, SubmissionItem.listing_id).where(
        SubmissionItem.submission_id == submission.id, SubmissionItem.message_id.in_(report.rejected()))).all())
    skus = dict(db.session.execute(select(SubmissionItem.message_id, SubmissionItem.seller_sku).where(
        SubmissionItem.submission_id == submission.id, SubmissionItem.message_id.in_(report.rejected()))).all())
    rejections = []
    for message_id, issues in report.rejected().items():
        if message_id not in items:
            continue
        error = next(issue for issue in issues if issue.get("severity") == "ERROR")
        rejections.append(Rejection(items[message_id], message_id, skus[message_id], error.get("code"),
                                    error.get("message") or "no message", issues))
    now = utcnow()
    accepted = settle(submission, rejections, now, run, shop_id=account.shop_id,
                      reference=f"feed {submission.feed_id}")
    submission.status = SubmissionStatus.DONE
    submission.result_document_id = feed["resultFeedDocumentId"]
    submission.processed_at = parse_time(feed.get("processingEndTime")) or now
    submission.accepted, submission.errors, submission.warnings = accepted, len(rejections), report.warnings
    submission.next_check_at = None
    succeeded(account.id)
    run.count(seen=submission.messages, accepted=accepted, failed=len(rejections))
    run.log("info" if not rejections else "warning",
            f"Feed {submission.feed_id} for {marketplace_name(submission.marketplace_id)} processed: {accepted} SKUs "
            f"accepted, {len(rejections)} rejected.", commit=False, feed_id=submission.feed_id)
    db.session.commit()
    return True


def _download(client: SPAPIClient, document_id: str) -> tuple[bytes, str | None]:
    document = client.call("getFeedDocument", {"feedDocumentId": document_id}).json
    response = requests.get(document["url"], timeout=float(current_app.config["HTTP_TIMEOUT"]) * 3)
    response.raise_for_status()
    return response.content, document.get("compressionAlgorithm")


def _failed_feed(account: AmazonAccount, client: SPAPIClient, submission: Submission, feed: dict, run: RunRecorder,
                 now: datetime) -> None:
    """FATAL or CANCELLED: nothing in it was applied; its SKUs are pending again (not held: not their fault)."""
    status = feed.get("processingStatus") or "unknown"
    problem = f"Amazon ended the feed with status {status}"
    if feed.get("resultFeedDocumentId"):
        try:
            report = read_report(*_download(client, feed["resultFeedDocumentId"]))
            problem += ": " + "; ".join(issue.get("message", "") for issue in report.general_issues)
        except (AmazonError, requests.RequestException, ReportUnreadable) as error:
            problem += f" (its report could not be read: {describe(error)})"
    pending = give_up(submission)
    submission.status = status if status in (SubmissionStatus.FATAL, SubmissionStatus.CANCELLED) else \
        SubmissionStatus.FAILED
    submission.problem = problem
    submission.processed_at = parse_time(feed.get("processingEndTime")) or now
    submission.next_check_at = None
    retry_at = back_off(account.id, now)
    run.count(failed=submission.messages)
    run.log("error", f"{problem.rstrip('.')}. Feed {submission.feed_id} applied nothing; its {pending} changes stay "
                     f"pending and are sent again after {retry_at:%H:%M} UTC.", commit=False,
            feed_id=submission.feed_id, error_code=status)
    db.session.commit()


def _abandon(account: AmazonAccount, client: SPAPIClient, submission: Submission, run: RunRecorder,
             now: datetime) -> None:
    if submission.status == SubmissionStatus.IN_QUEUE:
        try:
            client.call("cancelFeed", {"feedId": submission.feed_id})
        except AmazonError as error:
            run.log("warning", f"Could not cancel feed {submission.feed_id}: {describe(error)}", commit=False,
                    feed_id=submission.feed_id, **error_references(error))
    pending = give_up(submission)
    submission.status = SubmissionStatus.ABANDONED
    submission.problem = f"Amazon had not finished it after {FEED_TIMEOUT.total_seconds() / 3600:g} hours"
    submission.next_check_at = None
    run.log("warning", f"Amazon has not finished feed {submission.feed_id} after "
                       f"{FEED_TIMEOUT.total_seconds() / 3600:g} hours; its {pending} changes are sent again.",
            commit=False, feed_id=submission.feed_id)
    db.session.commit()
