"""The push job: one per account at a time. It decides whether to send now (policy.py), plans feeds against
Amazon's quotas (quota.py) and reschedules itself for later instead of holding a worker while it waits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, false, func, select, update

from ..accounts.models import AmazonAccount
from ..accounts.status import account_status
from ..amazon import token_cache
from ..clock import utcnow
from ..extensions import db
from ..i18n.labels import N_, phrase
from ..jobs.leases import acquire
from ..jobs.registry import enqueue
from ..shops.formatting import shop_time
from ..synclog.runs import RunRecorder, sync_run
from ..webhooks.models import DeliveryStatus, WebhookDelivery
from .backlog import backlogs, sendable
from .kicks import request_push
from .models import ListingState, PushKick, StockSettings, SubmissionStatus
from .orphans import release_orphaned
from .policy import FEED_SIZE, QUIET, Decision, Send, decide
from .quota import SHORT_WAIT_SECONDS, feed_wait
from .results import schedule_check
from .resync import rederive
from .settings import back_off, settings_for, succeeded
from .sql import insert
from .submit import FIRST_CHECK, submit_feed, submit_patches

FORCED = ("push_now", "full_resync")  # a person asked: no waiting for quiet, and auto-submit does not matter
BUSY_RETRY = timedelta(seconds=2)


@dataclass
class PushOutcome:
    sent: int = 0
    wait_until: datetime | None = None
    reason: str | None = None


def push(account_id: int, triggered_by: str = "webhook") -> PushOutcome:
    db.session.execute(delete(PushKick).where(PushKick.account_id == account_id))
    db.session.commit()
    account = db.session.get(AmazonAccount, account_id)
    if account is None:
        return PushOutcome()
    lost_feed_recheck = release_orphaned(account)
    settings = settings_for(account_id)
    if settings.derived_marketplaces != list(account.marketplace_ids or []):
        db.session.commit()
        rederive(account_id, "marketplaces")  # a new account, or its marketplaces changed
        settings = settings_for(account_id)
    now = utcnow()
    forced = triggered_by in FORCED
    blocked = why_paused(account, settings, forced, now)
    if blocked:
        settings.next_push_at, settings.waiting_for = None, blocked
        db.session.commit()
        return PushOutcome(reason=blocked)
    if lost_feed_recheck is not None:
        # Changes sent now could be overtaken by that feed; see orphans.py.
        return _reschedule(settings, lost_feed_recheck, "a feed whose answer was lost may still be in Amazon's queue",
                           triggered_by)
    decision = decide(backlogs(account, now), now, forced, arriving=_webhooks_waiting(account.shop_id),
                      max_latency=timedelta(seconds=current_app.config["STOCK_MAX_LATENCY"]))
    if not decision.sends:
        if decision.wait_until is None:
            settings.next_push_at = settings.waiting_for = None
            db.session.commit()
            return PushOutcome()
        return _reschedule(settings, decision.wait_until, decision.reason, triggered_by)
    lease = acquire(f"stock-push:{account_id}")
    if lease is None:
        return _reschedule(settings, now + BUSY_RETRY, "another push of this account is running", triggered_by)
    outcome = None  # stays None when the run ends as skipped (the account was paused mid-run)
    try:
        settings.next_push_at = settings.waiting_for = None
        with sync_run("listings_push", shop_id=account.shop_id, account_id=account_id, task="stock.push",
                      task_args=[account_id, triggered_by], triggered_by=triggered_by, lease=lease) as run:
            token_cache.ensure_usable(account)
            outcome = _send(account, decision, run, triggered_by)
            run.run.summary = _summary(outcome)
    finally:
        lease.release()
    if outcome is None:
        return PushOutcome(reason="the account was paused during the push")
    if outcome.wait_until is not None:
        return _reschedule(settings_for(account_id), outcome.wait_until, outcome.reason, triggered_by)
    if db.session.scalar(select(exists().where(sendable(account)))):
        request_push([account_id], triggered_by)
        db.session.commit()
    return outcome


def _webhooks_waiting(shop_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        WebhookDelivery.shop_id == shop_id, WebhookDelivery.status == DeliveryStatus.RECEIVED))))


def why_paused(account: AmazonAccount, settings: StockSettings, forced: bool, now: datetime,
               translate: bool = False) -> str | None:
    """Why pushing waits (changes keep being collected meanwhile); None when it may go ahead. English for the log;
    translate=True for the admin's page."""
    if not (account.sync_stock or account.sync_prices):
        return phrase(N_("stock and price sync are switched off in the account's settings"), translate)
    status = account_status(account, now)
    if not status.can_sync:
        return phrase(N_("the account cannot sync (%(status)s)"), translate,
                      status=status.words if translate else status.english)
    if not forced and not settings.auto_submit:
        return phrase(N_("auto-submit is off: press Push now to send the pending changes"), translate)
    if not forced and settings.retry_at is not None and settings.retry_at > now:
        until = shop_time(settings.retry_at, with_seconds=True) if translate else f"{settings.retry_at:%H:%M:%S} UTC"
        return phrase(N_("waiting after failed submissions until %(time)s"), translate, time=until)
    return None


def _send(account: AmazonAccount, decision: Decision, run: RunRecorder, triggered_by: str) -> PushOutcome:
    total = db.session.scalar(select(func.count()).where(
        sendable(account), ListingState.marketplace_id.in_([s.marketplace_id for s in decision.sends])))
    run.progress(0, total)
    outcome = PushOutcome()
    for send in decision.sends:
        if send.mode == "patch":
            accepted, unanswered = submit_patches(account, send.marketplace_id, run, triggered_by)
            outcome.sent += accepted
            run.progress(outcome.sent)
            if unanswered:
                # Amazon is failing: wait longer each time instead of patching again as soon as this push ends.
                outcome.wait_until = back_off(account.id, utcnow())
                outcome.reason = "Amazon did not answer for some SKUs; trying again"
                db.session.commit()
                break
            if accepted:
                succeeded(account.id)
            continue
        waiting = _send_feeds(account, send, run, triggered_by, outcome)
        if waiting is not None:
            outcome.wait_until, outcome.reason = waiting
            break
    return outcome


def _send_feeds(account: AmazonAccount, send: Send, run: RunRecorder, triggered_by: str,
                outcome: PushOutcome) -> tuple[datetime, str] | None:
    """Full feeds until the marketplace has nothing left to send; (when, why) if a quota or a failure stops it."""
    settled_before = utcnow() - QUIET if send.settled_only else None
    while True:
        wait = feed_wait(account)
        if wait > SHORT_WAIT_SECONDS:
            return utcnow() + timedelta(seconds=wait), "Amazon's feed quota (at most 5 listings feeds per 5 minutes)"
        submission = submit_feed(account, send.marketplace_id, run, triggered_by, settled_before)
        if submission is None:
            return None
        if submission.status in (SubmissionStatus.FAILED, SubmissionStatus.PREPARING):  # PREPARING: no answer
            retry_at = back_off(account.id, utcnow())
            db.session.commit()
            return retry_at, "a feed could not be submitted; trying again"
        schedule_check(account.id, utcnow() + FIRST_CHECK)
        outcome.sent += submission.messages
        run.progress(outcome.sent)
        if submission.messages < FEED_SIZE or send.settled_only:
            return None  # a stream still arriving gets only full feeds; the next push looks again


def _reschedule(settings: StockSettings, when: datetime, reason: str | None, triggered_by: str) -> PushOutcome:
    """Look again at `when`; the kick marker stays set meanwhile so new changes do not queue more jobs."""
    settings.next_push_at, settings.waiting_for = when, reason
    db.session.execute(insert(PushKick).values(account_id=settings.account_id, queued_at=utcnow())
                       .on_conflict_do_nothing())  # a webhook may set it at the same moment
    db.session.commit()
    enqueue("stock.push", settings.account_id, triggered_by, delay=max((when - utcnow()).total_seconds(), 0.0))
    return PushOutcome(wait_until=when, reason=reason)


def _summary(outcome: PushOutcome) -> str:
    text = f"Sent {outcome.sent} changes to Amazon."
    if outcome.wait_until is not None:
        text += f" The rest waits for {outcome.reason} until {outcome.wait_until:%H:%M:%S} UTC."
    return text


def full_resync(account_id: int, triggered_by: str = "full_resync") -> None:
    """Send every mapped SKU again, whatever Amazon last accepted (held rejections included)."""
    if not rederive(account_id, triggered_by):
        return
    table = ListingState.__table__
    quantity_pending = and_(table.c.desired_quantity.is_not(None), table.c.fba.is_(false()),
                            table.c.amazon_fba.is_(false()))
    price_pending = table.c.desired_price.is_not(None)
    db.session.execute(update(table).where(table.c.account_id == account_id, table.c.host_sku.is_not(None)).values(
        quantity_pending=quantity_pending, price_pending=price_pending,
        pending=quantity_pending | price_pending, hold=None))
    db.session.commit()
    push(account_id, triggered_by)
