"""Fixtures of the dashboard tests: the order and stock tests' helpers (real imports into a fake cart, real pushes to
the simulator), so the dashboard is checked against the state those areas really leave."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
for area in ("orders", "stock"):
    if str(TESTS / area) not in sys.path:
        sys.path.append(str(TESTS / area))

from fakeorders import WooCommerceWithOrders  # noqa: E402
from orderhelpers import Amazon  # noqa: E402


@pytest.fixture
def amazon(sandbox) -> Amazon:
    sandbox.state.set_clock_speed(0)
    return Amazon(sandbox.state)


@pytest.fixture
def woo():
    server = WooCommerceWithOrders()
    for sku in ("SKU-A", "SKU-B"):
        server.add_product(sku)
    yield server
    server.stop()
