"""Sending reserved changes to Amazon: a JSON_LISTINGS_FEED (createFeedDocument, upload, createFeed; the result
comes later, see results.py), or patchListingsItem calls whose answers come at once."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import bindparam, update

from ..accounts.models import AmazonAccount
from ..amazon.client import SPAPIClient
from ..amazon.errors import AccountPaused, AmazonConnectionError, AmazonError
from ..clock import utcnow
from ..extensions import db
from ..synclog.runs import RunRecorder, describe, error_references
from .backlog import Reserved, reserve
from .documents import CONTENT_TYPE, FEED_TYPE, ISSUE_LOCALE, feed_document, patch_body
from .models import ItemStatus, ListingState, Submission, SubmissionItem, SubmissionStatus
from .outcomes import Rejection, give_up, marketplace_name, settle
from .policy import FEED_SIZE, PATCH_LIMIT
from .quota import take_feed_submission
from .sql import chunks

FIRST_CHECK = timedelta(seconds=1)


class UploadFailed(Exception):
    """The feed document did not reach Amazon's storage."""


def submit_feed(account: AmazonAccount, marketplace_id: str, run: RunRecorder, triggered_by: str,
                settled_before: datetime | None = None) -> Submission | None:
    """Reserve up to 25,000 changes and submit them as one feed; None when there was nothing to send. A submission
    that failed comes back with status FAILED (its changes are pending again); one whose createFeed got no answer
    stays PREPARING (see orphans.py)."""
    submission, items = _prepare(account, marketplace_id, "feed", run, triggered_by, FEED_SIZE, settled_before)
    if submission is None:
        return None
    document = feed_document(account.selling_partner_id, marketplace_id, items)
    client = SPAPIClient.for_account(account)
    feed_sent = False
    try:
        created = client.call("createFeedDocument", json={"contentType": CONTENT_TYPE})
        document_id = created.json["feedDocumentId"]
        submission.feed_document_id = document_id  # from now on Amazon may get the feed without our hearing of it
        db.session.commit()
        _upload(created.json["url"], document)
        wait = take_feed_submission(account)
        if wait > 0:
            time.sleep(wait)
        feed_sent = True
        feed = client.call("createFeed", json={"feedType": FEED_TYPE, "marketplaceIds": [marketplace_id],
                                               "inputFeedDocumentId": document_id})
    except (AmazonError, UploadFailed) as error:
        if feed_sent and isinstance(error, AmazonConnectionError):
            _unanswered(submission, error, run)
            return submission
        _failed(submission, error, run)
        if isinstance(error, AccountPaused):
            raise
        return submission
    now = utcnow()
    submission.feed_id = str(feed.json["feedId"])
    submission.status = SubmissionStatus.IN_QUEUE
    submission.submitted_at = now
    submission.next_check_at = now + FIRST_CHECK
    submission.amazon_request_id = feed.request_id
    run.count(sent=len(items))
    run.log("info", f"Feed {submission.feed_id} submitted with {len(items)} SKUs for "
                    f"{marketplace_name(marketplace_id)}; Amazon's result is checked shortly.",
            commit=False, feed_id=submission.feed_id, amazon_request_id=feed.request_id)
    db.session.commit()
    return submission


def submit_patches(account: AmazonAccount, marketplace_id: str, run: RunRecorder,
                   triggered_by: str) -> tuple[int, int]:
    """Send a handful of changes with patchListingsItem; returns how many Amazon accepted and how many got no answer
    (still pending: Amazon was down or throttling past the client's retries)."""
    submission, items = _prepare(account, marketplace_id, "patch", run, triggered_by, PATCH_LIMIT, None)
    if submission is None:
        return 0, 0
    client = SPAPIClient.for_account(account)
    rejections, unknown, answers, warnings = [], [], [], []
    for number, item in enumerate(items, start=1):
        try:
            response = client.call("patchListingsItem",
                                   {"sellerId": account.selling_partner_id, "sku": item.seller_sku},
                                   {"marketplaceIds": [marketplace_id], "issueLocale": ISSUE_LOCALE},
                                   json=patch_body(item, marketplace_id))
        except AccountPaused as paused:
            _failed(submission, paused, run)
            raise
        except AmazonError as error:
            if error.retryable:
                unknown.append(item.listing_id)
                warnings.append((item.seller_sku, error))
            else:
                rejections.append(Rejection(item.listing_id, number, item.seller_sku, error.code, error.message, []))
            continue
        body = response.json or {}
        issues = body.get("issues") or []
        answers.append({"b_message": number, "b_reference": str(body.get("submissionId") or "")[:80] or None,
                        "b_issues": issues or None})
        if body.get("status") != "ACCEPTED":
            error = next((i for i in issues if i.get("severity") == "ERROR"), issues[0] if issues else {})
            rejections.append(Rejection(item.listing_id, number, item.seller_sku, error.get("code"),
                                        error.get("message") or f"Amazon answered {body.get('status')}", issues))
    for sku, error in warnings:  # logged now: the session stays clean while Amazon is called
        run.log("warning", f"SKU {sku}: {describe(error)} It stays pending and is sent again.",
                commit=False, sku=sku[:100], **error_references(error))
    _record_answers(submission, answers)
    _release_unknown(submission, unknown)
    now = utcnow()
    accepted = settle(submission, rejections, now, run, shop_id=account.shop_id,
                      reference=f"a listings update of {len(items)} SKUs")
    submission.status = SubmissionStatus.DONE
    submission.submitted_at = submission.processed_at = submission.checked_at = now
    submission.accepted, submission.errors = accepted, len(rejections)
    run.count(sent=len(items), accepted=accepted, failed=len(rejections))
    db.session.commit()
    return accepted, len(unknown)


def _prepare(account: AmazonAccount, marketplace_id: str, kind: str, run: RunRecorder, triggered_by: str,
             limit: int, settled_before: datetime | None) -> tuple[Submission | None, list[Reserved]]:
    submission = Submission(account_id=account.id, marketplace_id=marketplace_id, kind=kind,
                            triggered_by=triggered_by, status=SubmissionStatus.PREPARING, run_id=run.run.id,
                            created_at=utcnow())
    db.session.add(submission)
    db.session.flush()
    items = reserve(account, marketplace_id, submission.id, limit, settled_before)
    if not items:
        db.session.delete(submission)
        db.session.commit()
        return None, []
    submission.messages = len(items)
    for batch in chunks(enumerate(items, start=1), 5000):
        db.session.execute(SubmissionItem.__table__.insert(), [
            {"submission_id": submission.id, "listing_id": item.listing_id, "message_id": number,
             "seller_sku": item.seller_sku, "quantity": item.quantity, "price": item.price,
             "currency": item.currency, "status": ItemStatus.SENT} for number, item in batch])
    db.session.commit()
    return submission, items


def _upload(url: str, document: bytes) -> None:
    try:
        response = requests.put(url, data=document, headers={"Content-Type": CONTENT_TYPE},
                                timeout=float(current_app.config["HTTP_TIMEOUT"]) * 3)
    except requests.RequestException as error:
        raise UploadFailed(f"The feed document could not be uploaded to Amazon ({type(error).__name__}).") from error
    if not response.ok:
        raise UploadFailed(f"Amazon's storage refused the feed document (HTTP {response.status_code}).")


def _failed(submission: Submission, error: Exception, run: RunRecorder) -> None:
    pending = give_up(submission)
    submission.status = SubmissionStatus.FAILED
    submission.problem = describe(error)
    what = "feed" if submission.kind == "feed" else "listings update"
    run.count(failed=submission.messages)
    run.log("error", f"The {what} for {marketplace_name(submission.marketplace_id)} could not be submitted: "
                     f"{describe(error)} Its {pending} changes stay pending and go out with the next push.",
            commit=False, **error_references(error))
    db.session.commit()


def _unanswered(submission: Submission, error: AmazonError, run: RunRecorder) -> None:
    """Amazon may have created the feed: its changes stay reserved, and the next push sends them again once Amazon
    has no feed we do not know of in its queue (orphans.py), so that feed cannot overtake them."""
    submission.problem = describe(error)
    run.log("warning", f"Amazon did not answer the feed submission for {marketplace_name(submission.marketplace_id)}: "
                       f"{describe(error)} It may have taken the feed anyway, so its {submission.messages} changes "
                       "are sent again once Amazon has finished the feeds in its queue.",
            commit=False, **error_references(error))
    db.session.commit()


def _record_answers(submission: Submission, answers: list[dict]) -> None:
    if answers:
        items = SubmissionItem.__table__
        db.session.execute(
            update(items).where(items.c.submission_id == submission.id, items.c.message_id == bindparam("b_message"))
            .values(amazon_reference=bindparam("b_reference"), issues=bindparam("b_issues")), answers)


def _release_unknown(submission: Submission, listing_ids: list[int]) -> None:
    if listing_ids:
        items, table = SubmissionItem.__table__, ListingState.__table__
        db.session.execute(update(items).where(items.c.submission_id == submission.id,
                                               items.c.listing_id.in_(listing_ids))
                           .values(status=ItemStatus.UNKNOWN))
        db.session.execute(update(table).where(table.c.id.in_(listing_ids))
                           .values(submission_id=None, sent_quantity=None, sent_price=None, sent_currency=None))
