"""Jobs of the inbox: drain a shop's deliveries, and sweep for deliveries whose drain never came."""
from __future__ import annotations

import logging

from flask import current_app
from huey import crontab

from ..extensions import db
from ..jobs import huey, with_app_context
from ..jobs.registry import enqueue, job
from .processing import drain, shops_needing_a_drain
from .receive import mark_kick

logger = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 1.0


@job("webhooks.drain")
def drain_job(shop_id: int, triggered_by: str = "webhook") -> None:
    outcome = drain(shop_id, triggered_by)
    if outcome.busy:
        # Another consumer is draining this shop and may already have looked past our deliveries: look again
        # shortly, and keep the marker set meanwhile so the burst does not queue more drains.
        queue_one = mark_kick(shop_id)  # already set: a drain is queued, and one is enough
        db.session.commit()
        if queue_one:
            enqueue("webhooks.drain", shop_id, triggered_by, delay=BUSY_RETRY_SECONDS)
    elif outcome.more:
        enqueue("webhooks.drain", shop_id, triggered_by)


def kick(shop_id: int) -> None:
    """Queue a drain after a delivery was committed. The delivery is safe either way: if the queue is down,
    the sweep finds it within a minute.

    The drain starts WEBHOOK_DRAIN_DELAY later: the shop's kick marker stays set until then, so the deliveries that
    arrive meanwhile queue nothing and go through in one batch. Draining each delivery alone costs a run, a lease
    and their commits apiece, which at a few webhooks per second per shop across many shops was most of the
    consumers' work."""
    delay = current_app.config["WEBHOOK_DRAIN_DELAY"]
    try:
        enqueue("webhooks.drain", shop_id, delay=delay or None)
    except Exception:  # noqa: BLE001 - the acknowledgement must not fail for a stored delivery
        logger.warning("Could not queue the inbox drain of shop %s; the sweep will", shop_id, exc_info=True)


@huey.periodic_task(crontab(minute="*"))
@with_app_context
def sweep_inboxes() -> list[int]:
    shops = shops_needing_a_drain()
    for shop_id in shops:
        enqueue("webhooks.drain", shop_id, "sweep")
    return shops
