"""Restarting PostgreSQL and Redis while webhooks arrive: every delivery is either acknowledged and kept, or
refused with a 5xx (and the sender delivers it again); none is acknowledged and lost, none is stored twice."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from conftest import create_shop
from sender import Sender

EVENTS = 1500
RATE = 100  # per second: 15 s of traffic


def test_webhooks_survive_database_and_redis_restarts(cluster, cluster_db, services):
    postgres, redis = services
    shop = create_shop(cluster)
    sender = Sender(f"{cluster.url}/webhooks/generic/{shop['shop_key']}", shop["webhook_secret"])
    deliveries = [sender.event("stock.updated", {"sku": f"SKU-{n:05d}", "quantity": n % 50}) for n in range(EVENTS)]
    traffic = threading.Thread(target=sender.deliver_all, args=(deliveries, RATE))
    traffic.start()
    time.sleep(4)
    postgres.restart()
    time.sleep(4)
    redis.restart()
    traffic.join(timeout=300)

    assert all(d.acknowledged_at is not None for d in deliveries), sender.answers
    # While PostgreSQL restarts, deliveries are refused with 503 (or the connection fails): never acknowledged.
    assert sender.answers[503] > 0, sender.answers
    assert set(sender.answers) <= {200, 503} | {o for o in sender.answers if isinstance(o, str)}, sender.answers
    with cluster_db.connect() as connection:
        stored = connection.execute(text(
            "SELECT delivery_id, count(*) FROM webhook_deliveries WHERE status <> 'rejected' GROUP BY delivery_id"
        )).all()
    kept = {delivery_id: copies for delivery_id, copies in stored}
    assert set(kept) == {d.message_id for d in deliveries}  # every acknowledged delivery is in the inbox
    assert set(kept.values()) == {1}  # and only once, however many times it was sent
