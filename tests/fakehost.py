"""A small stand-in for the cart's HTTP side: records what we POST to it, can be told to fail."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeHost:
    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                host.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                      "json": json.loads(body or b"null")})
                self.send_response(host.fail_with or 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
