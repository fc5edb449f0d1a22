"""Fixtures for the fault tests: the stock and order helpers of their own suites, a shop of each kind, and the
Amazon client's retry waits recorded instead of slept (so a burst of faults costs no real time, and the test can
check the connector backed off rather than hammered)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
for suite in ("orders", "stock"):
    if str(TESTS / suite) not in sys.path:
        sys.path.append(str(TESTS / suite))

from connector.amazon.client import SPAPIClient  # noqa: E402
from helpers import make_shop  # noqa: E402


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """Every wait of the Amazon client (retry backoff, rate-limit slots), in seconds, in order."""
    recorded: list[float] = []
    monkeypatch.setitem(SPAPIClient.__init__.__kwdefaults__, "sleep", recorded.append)
    return recorded


@pytest.fixture
def generic_shop(app):
    return make_shop("Generic shop", "generic", "https://generic.example")
