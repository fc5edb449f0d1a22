"""A host platform that keeps its promise: every event is delivered until the connector answers 2xx, like
Shopify's retries (here immediately, a few times a second). Records what it saw on the way."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from hostwebhooks import standard_headers


@dataclass
class Delivery:
    message_id: str
    body: bytes
    attempts: int = 0
    acknowledged_at: float | None = None
    first_sent_at: float | None = None


@dataclass
class Sender:
    url: str
    secret: str
    answers: Counter = field(default_factory=Counter)  # HTTP status or exception name -> count
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def event(self, event_type: str, data: dict) -> Delivery:
        body = json.dumps({"type": event_type, "timestamp": "2026-11-23T10:00:00Z", "data": data}).encode()
        return Delivery(f"msg_{uuid.uuid4().hex}", body)

    def deliver(self, delivery: Delivery, give_up_after: float = 120) -> None:
        session = requests.Session()
        deadline = time.monotonic() + give_up_after
        delivery.first_sent_at = time.monotonic()
        while time.monotonic() < deadline:
            delivery.attempts += 1
            began = time.monotonic()
            try:
                # Signed at each attempt, as Standard Webhooks senders do (fresh timestamp, same message ID).
                response = session.post(self.url, data=delivery.body, timeout=5,
                                        headers=standard_headers(self.secret, delivery.body, delivery.message_id))
                outcome = response.status_code
            except requests.RequestException as error:
                outcome = type(error).__name__
            with self.lock:
                self.answers[outcome] += 1
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    self.latencies.append(time.monotonic() - began)
            if isinstance(outcome, int) and 200 <= outcome < 300:
                delivery.acknowledged_at = time.monotonic()
                return
            time.sleep(0.2)

    def deliver_all(self, deliveries: list[Delivery], per_second: float, threads: int = 16) -> None:
        """Send at a steady rate from a pool of connections; returns when every one is acknowledged or gave up."""
        with ThreadPoolExecutor(threads) as pool:
            started = time.monotonic()
            for number, delivery in enumerate(deliveries):
                pause = started + number / per_second - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                pool.submit(self.deliver, delivery)
