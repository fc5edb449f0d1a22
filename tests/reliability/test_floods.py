"""Floods on the scaled layout, short enough for CI (bench/floods.py runs the full 10,000 burst and 300/s for ten
minutes across 100 shops): every webhook answered within the host platforms' 5-second timeout, none lost, all
processed, and the other shops still answered in time while one shop floods."""
from __future__ import annotations

from conftest import create_shop
from floods import HOST_TIMEOUT_SECONDS, burst_with_background, stock_events, wait_until_processed
from loadgen import run

BURST = 2000
STEADY_RATE, STEADY_SECONDS = 100, 10


def test_a_burst_and_a_steady_flood_are_acknowledged_in_time_and_kept(cluster, cluster_db):
    shops = [(shop["shop_key"], shop["webhook_secret"]) for shop in
             (create_shop(cluster, name=f"Flood shop {n}") for n in range(5))]

    burst, others = burst_with_background(cluster.url, shops[0], shops[1:], BURST, processes=2, threads=8)
    steady = run(cluster.url, stock_events(shops, STEADY_RATE * STEADY_SECONDS), 2, 4, STEADY_RATE)

    for phase in (burst, others, steady):
        assert phase.errors == 0 and phase.ok == phase.sent
        assert max(phase.latencies) < HOST_TIMEOUT_SECONDS
    drained, statuses = wait_until_processed(cluster_db, timeout=300)
    assert drained is not None, statuses
    assert statuses == {"processed": burst.sent + others.sent + steady.sent}
