"""Processing the inbox: retries with backoff, replay and discard, one drain per shop, nothing left behind."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import hostwebhooks as send
from connector import clock
from connector.extensions import db
from connector.jobs import leases
from connector.synclog.models import LogEntry, RunStatus, SyncRun
from connector.webhooks import processing, tasks
from connector.webhooks.handlers import DeliveryInvalid
from connector.webhooks.models import DeliveryStatus, InboxKick, WebhookDelivery
from helpers import make_shop


def only_delivery() -> WebhookDelivery:
    db.session.expire_all()
    [delivery] = db.session.scalars(select(WebhookDelivery)).all()
    return delivery


def test_failed_processing_is_retried_with_backoff_until_it_succeeds(app, handled):
    shop = make_shop()
    handled.failures = [RuntimeError("cart API answered 503"), RuntimeError("cart API answered 503")]
    assert send.woocommerce(app.test_client(), shop, "product.updated", {"id": 7}).status_code == 200
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.next_attempt_at - clock.utcnow() == pytest.approx(timedelta(seconds=30), abs=timedelta(seconds=2))
    assert processing.shops_needing_a_drain() == []  # not due yet
    clock.advance(timedelta(seconds=31))
    assert processing.shops_needing_a_drain() == [shop.id]
    processing.drain(shop.id)
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2
    assert delivery.next_attempt_at - clock.utcnow() == pytest.approx(timedelta(minutes=2), abs=timedelta(seconds=2))
    clock.advance(timedelta(minutes=3))
    tasks.sweep_inboxes.call_local()
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.PROCESSED and delivery.attempts == 3 and delivery.problem is None
    assert handled.events == [("product.updated", {"id": 7})]
    warnings = db.session.scalars(select(LogEntry).where(LogEntry.level == "warning")).all()
    assert len(warnings) == 2 and all("cart API answered 503" in w.message and w.webhook_delivery_id == delivery.id
                                      for w in warnings)
    runs = db.session.scalars(select(SyncRun).order_by(SyncRun.id)).all()
    assert [r.status for r in runs] == [RunStatus.PARTIAL, RunStatus.PARTIAL, RunStatus.SUCCEEDED]
    assert all(r.kind == "webhook_processing" and r.finished_at for r in runs)


def test_invalid_delivery_waits_for_a_person_then_replay_or_discard(app, handled):
    shop = make_shop()
    handled.failures = [DeliveryInvalid("the product has no SKU")]
    send.woocommerce(app.test_client(), shop, "product.updated", {"id": 9})
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    clock.advance(timedelta(days=1))
    assert processing.shops_needing_a_drain() == []  # no automatic retry for what cannot succeed
    error = db.session.scalars(select(LogEntry).where(LogEntry.level == "error")).one()
    assert "the product has no SKU" in error.message and "replay it on the Webhooks page" in error.message
    processing.discard(delivery, "owner of Shop A")
    assert only_delivery().status == DeliveryStatus.DISCARDED
    processing.replay(only_delivery(), "support")
    processing.drain(shop.id)
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.PROCESSED and delivery.acted_by == "support"
    messages = [e.message for e in db.session.scalars(select(LogEntry).order_by(LogEntry.id))]
    assert any("discarded by owner of Shop A" in m for m in messages) and any("replayed by support" in m for m in messages)


def test_only_pending_deliveries_can_be_discarded_and_only_failed_ones_replayed(app, handled):
    shop = make_shop()
    send.woocommerce(app.test_client(), shop, "product.updated", {"id": 1})
    delivery = only_delivery()
    with pytest.raises(ValueError):
        processing.discard(delivery, "owner")
    with pytest.raises(ValueError):
        processing.replay(delivery, "owner")


def test_a_delivery_is_kept_when_the_job_queue_is_down(app, handled, monkeypatch):
    def queue_down(*args, **kwargs):
        raise ConnectionError("redis is restarting")

    monkeypatch.setattr(tasks, "enqueue", queue_down)
    shop = make_shop()
    response = send.woocommerce(app.test_client(), shop, "product.updated", {"id": 3})
    assert response.status_code == 200 and only_delivery().status == DeliveryStatus.RECEIVED
    monkeypatch.undo()
    clock.advance(timedelta(minutes=1))
    tasks.sweep_inboxes.call_local()
    assert only_delivery().status == DeliveryStatus.PROCESSED and handled.events == [("product.updated", {"id": 3})]


def test_a_burst_marks_one_kick_and_the_drain_clears_it_before_looking(app, handled, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda *args, **kwargs: queued.append(args))
    shop = make_shop()
    client = app.test_client()
    for number in range(5):
        send.woocommerce(client, shop, "product.updated", {"id": number})
    assert queued == [("webhooks.drain", shop.id)] and db.session.get(InboxKick, shop.id) is not None
    outcome = processing.drain(shop.id)
    assert outcome.processed == 5 and db.session.get(InboxKick, shop.id) is None
    send.woocommerce(client, shop, "product.updated", {"id": 99})
    assert len(queued) == 2  # after the drain started, a new delivery queues a new drain


def test_a_second_drain_of_the_same_shop_waits_and_looks_again(app, handled, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda *args, **kwargs: queued.append((args, kwargs)))
    shop = make_shop()
    send.woocommerce(app.test_client(), shop, "product.updated", {"id": 1})
    queued.clear()
    lease = leases.acquire(f"inbox:{shop.id}")
    tasks.drain_job.call_local(shop.id)
    assert only_delivery().status == DeliveryStatus.RECEIVED
    assert queued == [(("webhooks.drain", shop.id, "webhook"), {"delay": tasks.BUSY_RETRY_SECONDS})]
    assert db.session.get(InboxKick, shop.id) is not None  # further deliveries do not queue more drains
    lease.release()
    tasks.drain_job.call_local(shop.id)
    assert only_delivery().status == DeliveryStatus.PROCESSED


class BatchRecorder:
    """A batch handler: gets consecutive deliveries of its topics together; refuses payloads marked "bad"."""

    def __init__(self) -> None:
        self.calls: list[list[dict]] = []

    def __call__(self, events) -> None:
        self.calls.append([event.payload for event in events])
        if any(event.payload.get("bad") for event in events):
            raise DeliveryInvalid("this one is bad")


@pytest.fixture
def batch_handler(app):
    from connector.webhooks import handlers

    recorder = BatchRecorder()
    key = ("woocommerce", "product.updated")
    saved = handlers._HANDLERS.get(key)
    handlers._HANDLERS[key] = recorder
    handlers._BATCH_HANDLERS.add(recorder)
    yield recorder
    handlers._BATCH_HANDLERS.discard(recorder)
    handlers._HANDLERS[key] = saved


def _store_without_draining(app, shop, payloads) -> None:
    lease = leases.acquire(f"inbox:{shop.id}")  # another consumer is draining: deliveries only pile up
    for payload in payloads:
        send.woocommerce(app.test_client(), shop, "product.updated", payload)
    lease.release()


def test_a_batch_handler_gets_consecutive_deliveries_together(app, batch_handler):
    shop = make_shop()
    _store_without_draining(app, shop, [{"id": 1}, {"id": 2}, {"id": 3}])
    assert processing.drain(shop.id).processed == 3
    assert batch_handler.calls == [[{"id": 1}, {"id": 2}, {"id": 3}]]
    assert {d.status for d in db.session.scalars(select(WebhookDelivery))} == {DeliveryStatus.PROCESSED}


def test_a_failing_batch_is_processed_one_by_one_so_only_the_culprit_fails(app, batch_handler):
    shop = make_shop()
    _store_without_draining(app, shop, [{"id": 1}, {"id": 2, "bad": True}, {"id": 3}])
    outcome = processing.drain(shop.id)
    assert (outcome.processed, outcome.failed) == (2, 1)
    assert batch_handler.calls[1:] == [[{"id": 1}], [{"id": 2, "bad": True}], [{"id": 3}]]
    db.session.expire_all()
    deliveries = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [(d.status, d.attempts) for d in deliveries] == [
        (DeliveryStatus.PROCESSED, 1), (DeliveryStatus.FAILED, 1), (DeliveryStatus.PROCESSED, 1)]
    assert "this one is bad" in deliveries[1].problem
