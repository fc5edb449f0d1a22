"""Fixtures shared by every area whose tests import orders: the simulator on a frozen clock that tests move, and a
fake WooCommerce cart selling the given SKUs."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeorders import WooCommerceWithOrders
from orderhelpers import Amazon


@pytest.fixture
def amazon(sandbox) -> Amazon:
    sandbox.state.set_clock_speed(0)
    return Amazon(sandbox.state)


def woo_selling(*skus: str) -> Iterator[WooCommerceWithOrders]:
    server = WooCommerceWithOrders()
    for sku in skus:
        server.add_product(sku)
    yield server
    server.stop()
