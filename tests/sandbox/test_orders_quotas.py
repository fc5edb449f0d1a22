"""The Orders operations go through the SP-API dispatcher: access tokens, Amazon's usage plans on the simulator's
clock (so a fast clock refills them in real milliseconds), injected faults and the call log."""
from __future__ import annotations

import time

import pytest
import requests

from connector.sandbox.orders.factory import ItemSpec
from orders_support import ORDERS_2026, SELLER, amazon, assert_valid, iso  # noqa: F401


def _call(amazon, operation: str, order_id: str) -> requests.Response:
    if operation == "searchOrders":
        return amazon.search(createdAfter="2025-01-01T00:00:00Z")
    if operation == "getOrder":
        return amazon.get_order(order_id)
    return amazon.confirm(order_id, {"marketplaceId": "ATVPDKIKX0DER", "packageDetail": {}})


@pytest.mark.parametrize("operation,burst,rate", [("searchOrders", 20, "0.0056"), ("getOrder", 30, "0.5"),
                                                  ("confirmShipment", 10, "2.0")])
def test_burst_then_quota_exceeded(amazon, operation, burst, rate):
    order = amazon.world.create(SELLER, [ItemSpec("SKU-A")])
    answers = [_call(amazon, operation, order.order_id) for _ in range(burst + 1)]
    assert all(answer.status_code in (200, 400) for answer in answers[:burst])
    assert answers[0].headers["x-amzn-RateLimit-Limit"] == rate
    throttled = answers[burst]
    assert throttled.status_code == 429 and "x-amzn-RateLimit-Limit" not in throttled.headers
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert_valid(ORDERS_2026, "ErrorList", throttled.json())
    assert [call.status for call in amazon.state.calls(operation)][-1] == 429
    assert len(amazon.state.calls(operation)) == burst + 1


def test_a_fast_clock_refills_search_orders_in_real_milliseconds(amazon):
    statuses = [amazon.search(createdAfter="2025-01-01T00:00:00Z").status_code for _ in range(21)]
    assert statuses[-2:] == [200, 429]
    started = amazon.now()
    changed = requests.post(f"{amazon.url}/_sim/clock", json={"speed": 100_000}, timeout=5)
    assert changed.json()["speed"] == 100_000
    time.sleep(0.02)  # 2,000 simulated seconds: about 11 tokens at 0.0056 per second
    requests.post(f"{amazon.url}/_sim/clock", json={"speed": 0}, timeout=5)
    assert (amazon.now() - started).total_seconds() >= 2_000
    assert [amazon.search(createdAfter="2025-01-01T00:00:00Z").status_code for _ in range(3)] == [200] * 3


def test_orders_operations_honour_tokens_and_faults(amazon):
    order = amazon.world.create(SELLER, [ItemSpec("SKU-A")])
    anonymous = requests.get(f"{amazon.url}/sp-api/na/orders/2026-01-01/orders/{order.order_id}", timeout=5)
    assert anonymous.status_code == 403
    amazon.advance(minutes=3)
    amazon.state.add_fault("searchOrders", "503")
    amazon.state.add_fault("getOrder", "500")
    assert amazon.search(createdAfter=iso(order.created)).status_code == 503
    assert amazon.get_order(order.order_id).status_code == 500
    assert amazon.search(createdAfter=iso(order.created)).status_code == 200
    assert [call.status for call in amazon.state.calls("getOrder")] == [403, 500]
