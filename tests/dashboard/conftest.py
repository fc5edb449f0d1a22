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

from orderfixtures import amazon, woo_selling  # noqa: E402,F401


@pytest.fixture
def woo():
    yield from woo_selling("SKU-A", "SKU-B")
