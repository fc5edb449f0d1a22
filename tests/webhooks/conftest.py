"""A stand-in feature handler for the inbox tests: records what it was given, fails when told to."""
from __future__ import annotations

import pytest

from connector.webhooks import handlers


class RecordingHandler:
    def __init__(self) -> None:
        self.events: list = []
        self.failures: list[Exception] = []

    def __call__(self, event) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.events.append((event.topic, event.payload))


@pytest.fixture
def handled(app):
    """Register the recorder for a few topics of each host, restoring whatever handled them before."""
    recorder = RecordingHandler()
    topics = [("woocommerce", "product.updated"), ("shopify", "products/update"), ("generic", "stock.updated")]
    saved = {key: handlers._HANDLERS.get(key) for key in topics}
    for key in topics:
        handlers._HANDLERS[key] = recorder
    yield recorder
    for key, previous in saved.items():
        if previous is None:
            handlers._HANDLERS.pop(key, None)
        else:
            handlers._HANDLERS[key] = previous
