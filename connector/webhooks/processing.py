"""Processing the inbox: one drain at a time per shop, in batches, each delivery in a savepoint of its own.

A delivery that fails is retried with backoff and stays visible until it succeeds or a person discards it; nothing
verified is ever dropped. Handlers are idempotent, so a drain that dies half-way is simply run again.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select

from ..clock import utcnow
from ..extensions import db
from ..jobs.leases import acquire
from ..shops.models import Shop
from ..synclog.operations import record
from ..synclog.runs import RunRecorder, describe, sync_run
from .handlers import DeliveryInvalid, WebhookEvent, handler_for, takes_batches
from .models import DeliveryStatus, InboxKick, WebhookDelivery

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
DRAIN_TIME_SLICE = timedelta(seconds=30)  # then the job yields its worker to other shops and queues itself again
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=5), timedelta(minutes=15),
                timedelta(minutes=30), timedelta(hours=1))


@dataclass(frozen=True)
class DrainOutcome:
    busy: bool = False  # another consumer is draining this shop
    processed: int = 0
    failed: int = 0
    more: bool = False  # stopped at the time slice with deliveries left


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _due(shop_id: int, now: datetime):
    return select(WebhookDelivery).where(
        WebhookDelivery.shop_id == shop_id,
        or_(WebhookDelivery.status == DeliveryStatus.RECEIVED,
            and_(WebhookDelivery.status == DeliveryStatus.FAILED, WebhookDelivery.next_attempt_at <= now)),
    ).order_by(WebhookDelivery.id)


def drain(shop_id: int, triggered_by: str = "webhook") -> DrainOutcome:
    """Process every due delivery of the shop. Clears the shop's kick marker first, so a delivery stored after
    this point queues a new drain instead of waiting for one that already looked."""
    db.session.execute(delete(InboxKick).where(InboxKick.shop_id == shop_id))
    db.session.commit()
    if db.session.scalar(_due(shop_id, utcnow()).limit(1)) is None:
        return DrainOutcome()
    lease = acquire(f"inbox:{shop_id}")
    if lease is None:
        return DrainOutcome(busy=True)
    try:
        shop = db.session.get(Shop, shop_id)
        if shop is None:
            return DrainOutcome()
        with sync_run("webhook_processing", shop_id=shop_id, task="webhooks.drain", task_args=[shop_id],
                      triggered_by=triggered_by, lease=lease) as run:
            outcome = _drain_batches(shop, run)
            run.run.summary = (f"Processed {outcome.processed} webhook deliveries"
                               + (f", {outcome.failed} failed" if outcome.failed else "") + ".")
        return outcome
    finally:
        lease.release()


def _drain_batches(shop: Shop, run: RunRecorder) -> DrainOutcome:
    stop_at = utcnow() + DRAIN_TIME_SLICE
    processed = failed = 0
    while True:
        batch = db.session.scalars(_due(shop.id, utcnow()).limit(BATCH_SIZE)).all()
        if not batch:
            return DrainOutcome(processed=processed, failed=failed)
        for group in _groups(batch):
            if len(group) > 1 and _process_together(shop, group, run):
                processed += len(group)
                continue
            for delivery in group:
                if _process(shop, delivery, run):
                    processed += 1
                else:
                    failed += 1
        run.count(seen=len(batch))
        run.progress(processed + failed)
        if utcnow() >= stop_at:
            more = db.session.scalar(_due(shop.id, utcnow()).limit(1)) is not None
            return DrainOutcome(processed=processed, failed=failed, more=more)


def _groups(deliveries: list[WebhookDelivery]) -> list[list[WebhookDelivery]]:
    """Consecutive deliveries that one batch handler takes together; every other delivery alone."""
    groups: list[list[WebhookDelivery]] = []
    previous = None
    for delivery in deliveries:
        handler = handler_for(delivery.host_kind, delivery.topic)
        if groups and takes_batches(handler) and handler is previous:
            groups[-1].append(delivery)
        else:
            groups.append([delivery])
        previous = handler
    return groups


def _event(shop: Shop, delivery: WebhookDelivery, run: RunRecorder) -> WebhookEvent:
    return WebhookEvent(shop=shop, delivery=delivery, payload=json.loads(delivery.body or b"null"), run=run)


def _process_together(shop: Shop, group: list[WebhookDelivery], run: RunRecorder) -> bool:
    """Give a batch handler the whole group in one savepoint; False (nothing kept) if it raised."""
    handler = handler_for(group[0].host_kind, group[0].topic)
    try:
        events = [_event(shop, delivery, run) for delivery in group]
        with db.session.begin_nested():
            handler(events)
    except Exception:  # noqa: BLE001 - retried one delivery at a time, which finds and keeps the culprit
        logger.info("A batch of %d webhook deliveries failed; processing them one by one", len(group),
                    exc_info=True)
        return False
    now = utcnow()
    for delivery in group:
        delivery.attempts += 1
        _succeeded(delivery, now)
    return True


def _process(shop: Shop, delivery: WebhookDelivery, run: RunRecorder) -> bool:
    """Run the delivery's handler in a savepoint; True if it was processed (or turned out to need nothing)."""
    now = utcnow()
    delivery.attempts += 1
    handler = handler_for(delivery.host_kind, delivery.topic)
    try:
        if handler is None:
            raise DeliveryInvalid(f"no handler for topic {delivery.topic!r} any more")
        event = _event(shop, delivery, run)
        with db.session.begin_nested():
            handler([event] if takes_batches(handler) else event)
    except DeliveryInvalid as invalid:
        _failed(delivery, run, str(invalid), retry_at=None)
        return False
    except Exception as error:  # noqa: BLE001 - any failure is kept, retried and shown; the drain goes on
        logger.warning("Webhook delivery %s failed", delivery.id, exc_info=True)
        _failed(delivery, run, describe(error), retry_at=now + retry_delay(delivery.attempts))
        return False
    _succeeded(delivery, now)
    return True


def _succeeded(delivery: WebhookDelivery, now: datetime) -> None:
    delivery.status = DeliveryStatus.PROCESSED
    delivery.processed_at = now
    delivery.problem = None
    delivery.next_attempt_at = None


def _failed(delivery: WebhookDelivery, run: RunRecorder, problem: str, retry_at: datetime | None) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.problem = problem
    delivery.next_attempt_at = retry_at
    run.count(failed=1)
    what = f"Webhook {delivery.id} ({delivery.topic or 'no topic'})"
    if retry_at is None:
        message = (f"{what} cannot be processed: {problem} Fix the cause, then replay it on the Webhooks page, or "
                   "discard it.")
    else:
        message = (f"{what} failed on attempt {delivery.attempts}: {problem} It is retried automatically at "
                   f"{retry_at:%Y-%m-%d %H:%M} UTC.")
    run.log("error" if retry_at is None else "warning", message, commit=False, webhook_delivery_id=delivery.id)


def replay(delivery: WebhookDelivery, actor: str) -> None:
    """Queue a failed or discarded delivery again, now."""
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.DISCARDED) or delivery.body is None:
        raise ValueError("only failed or discarded deliveries can be replayed")
    delivery.status = DeliveryStatus.RECEIVED
    delivery.next_attempt_at = None
    delivery.acted_by = actor
    db.session.commit()
    record("info", "webhook", f"Webhook {delivery.id} ({delivery.topic}) replayed by {actor}.",
           shop_id=delivery.shop_id, webhook_delivery_id=delivery.id)


def discard(delivery: WebhookDelivery, actor: str) -> None:
    """A person decides a pending delivery must not be processed; it stays in the list, marked as discarded."""
    if delivery.status not in DeliveryStatus.PENDING:
        raise ValueError("only deliveries waiting for processing can be discarded")
    delivery.status = DeliveryStatus.DISCARDED
    delivery.next_attempt_at = None
    delivery.acted_by = actor
    db.session.commit()
    record("warning", "webhook", f"Webhook {delivery.id} ({delivery.topic}) discarded by {actor}; it will not be "
           "processed.", shop_id=delivery.shop_id, webhook_delivery_id=delivery.id)


def shops_needing_a_drain(now: datetime | None = None, grace: timedelta = timedelta(seconds=30)) -> list[int]:
    """Shops with deliveries that should have been processed by now: received a while ago, or due for a retry.
    The sweep queues drains for them, which covers a drain message lost with a killed consumer."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(WebhookDelivery.shop_id).where(or_(
            and_(WebhookDelivery.status == DeliveryStatus.RECEIVED, WebhookDelivery.received_at <= now - grace),
            and_(WebhookDelivery.status == DeliveryStatus.FAILED, WebhookDelivery.next_attempt_at <= now),
        )).distinct()
    ))
