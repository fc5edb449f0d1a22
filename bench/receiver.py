"""The generic cart of the order import benchmark: receives the connector's signed events, drops repeated
deliveries by webhook-id (as Standard Webhooks asks receivers to), and counts Amazon orders created twice."""
from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EventReceiver:
    def __init__(self) -> None:
        self.seen_ids: set[str] = set()
        self.created: Counter = Counter()
        self.repeated_deliveries = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                receiver.take(self.headers.get("webhook-id", ""), body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/amazon-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self, webhook_id: str, body: dict) -> None:
        with self.lock:
            if webhook_id in self.seen_ids:
                self.repeated_deliveries += 1
                return
            self.seen_ids.add(webhook_id)
            if body.get("type") == "amazon.order.created":
                self.created[body["data"]["amazon_order_id"]] += 1

    def orders_created(self) -> int:
        with self.lock:
            return len(self.created)

    def duplicate_orders(self) -> int:
        with self.lock:
            return sum(count - 1 for count in self.created.values())
