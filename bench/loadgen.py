"""Sending signed webhooks from several processes over keep-alive connections, closed loop (as fast as the
server answers) or open loop (a fixed rate, latency counted from each request's scheduled time so a slow server
cannot hide its queue). Used by ingest.py and stock_e2e.py."""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import multiprocessing
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: dict[str, str]

    def prepare(self) -> Request:
        return self


@dataclass(frozen=True)
class StandardWebhook:
    """A generic-cart event, signed with Standard Webhooks (docs/webhooks.md) when it is sent: its timestamp must
    be within five minutes of the server's clock, and a long run takes longer than that."""

    path: str
    secret: str
    event_type: str
    data: object

    def prepare(self) -> Request:
        body = json.dumps({"type": self.event_type, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "data": self.data}, separators=(",", ":")).encode()
        message_id, stamp = f"msg_{uuid.uuid4().hex}", str(int(time.time()))
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signature = base64.b64encode(hmac.new(key, f"{message_id}.{stamp}.".encode() + body, hashlib.sha256).digest())
        return Request(self.path, body, {"Content-Type": "application/json", "webhook-id": message_id,
                                         "webhook-timestamp": stamp, "webhook-signature": f"v1,{signature.decode()}"})


def standard_webhook(path: str, secret: str, event_type: str, data) -> StandardWebhook:
    return StandardWebhook(path, secret, event_type, data)


@dataclass
class Result:
    sent: int = 0
    ok: int = 0
    accepted: int = 0
    errors: int = 0
    rate_limited: int = 0  # 429 answers, each followed by the same delivery again
    started: float = 0.0
    finished: float = 0.0
    last_response: float = 0.0
    latencies: list[float] | None = None

    @property
    def rate(self) -> float:
        return self.sent / (self.finished - self.started) if self.finished > self.started else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies or [])
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _send(connection: http.client.HTTPConnection, request: Request) -> tuple[int, bytes, float]:
    """(status, body, seconds the server asked us to wait before delivering again)."""
    connection.request("POST", request.path, body=request.body, headers=request.headers)
    response = connection.getresponse()
    return response.status, response.read(), float(response.headers.get("Retry-After") or 1)


def _worker(base_url: str, requests: list, threads: int, rate: float | None, start_at: float,
            queue: multiprocessing.Queue) -> None:
    """One process: `threads` connections share its requests; with `rate`, each request has a scheduled time."""
    host = urlsplit(base_url)
    lock = threading.Lock()
    position = iter(range(len(requests)))
    result = Result(latencies=[])
    interval = threads / rate if rate else 0.0

    def loop(number: int) -> None:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        scheduled = start_at + number * interval / threads
        while True:
            with lock:
                index = next(position, None)
            if index is None:
                break
            if rate:
                delay = scheduled - time.time()
                if delay > 0:
                    time.sleep(delay)
                began = scheduled
                scheduled += interval
            else:
                began = time.time()
            while True:  # as hosts do, a delivery refused with 429 is delivered again after Retry-After
                try:
                    status, body, retry_after = _send(connection, requests[index].prepare())
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
                    status, body = 0, b""
                if status != 429:
                    break
                with lock:
                    result.rate_limited += 1
                time.sleep(retry_after)
            done = time.time()
            with lock:
                result.sent += 1
                result.latencies.append(done - began)
                result.last_response = max(result.last_response, done)
                if status == 200:
                    result.ok += 1
                    result.accepted += b'"accepted"' in body
                else:
                    result.errors += 1
        connection.close()

    while time.time() < start_at:
        time.sleep(0.001)
    result.started = time.time()
    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    result.finished = time.time()
    queue.put(result)


def run(base_url: str, requests: list, processes: int, threads: int, rate: float | None = None) -> Result:
    """Send every request once; returns the merged result (rate in requests per second over the whole run)."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    start_at = time.time() + 1.0
    per_process_rate = rate / processes if rate else None
    size = -(-len(requests) // processes)
    slices = [requests[n * size:(n + 1) * size] for n in range(processes)]  # each process keeps the order
    children = [multiprocessing.Process(target=_worker, args=(base_url, part, threads, per_process_rate, start_at,
                                                               queue), daemon=True) for part in slices]
    for child in children:
        child.start()
    results = [queue.get() for _ in children]
    for child in children:
        child.join()
    merged = Result(latencies=[])
    merged.started = min(r.started for r in results)
    merged.finished = max(r.finished for r in results)
    merged.last_response = max(r.last_response for r in results)
    for part in results:
        merged.sent += part.sent
        merged.ok += part.ok
        merged.accepted += part.accepted
        merged.errors += part.errors
        merged.rate_limited += part.rate_limited
        merged.latencies.extend(part.latencies)
    return merged
