"""Real servers for the browser: the connector, the Amazon simulator, and a fake cart admin on another site."""
from __future__ import annotations

import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class ServerThread:
    def __init__(self, wsgi_app, host: str = "127.0.0.1"):
        self.server = make_server(host, 0, wsgi_app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


class FakeCartAdmin:
    """The host cart's admin page on http://localhost:PORT, framing our launch URL (a different site)."""

    def __init__(self):
        self.launch_url = ""
        admin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = (
                    "<!doctype html><html><head><title>Cart admin</title></head><body style='margin:0'>"
                    "<h1 style='font:16px sans-serif;margin:8px'>My WooCommerce admin</h1>"
                    f"<iframe id='connector' src='{admin.launch_url}' style='width:100%;height:900px;border:0'>"
                    "</iframe></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def live(app):
    """The connector served on 127.0.0.1 with its own simulator, configured like `connector run` does."""
    from connector.config import amazon_endpoints
    from connector.sandbox.server import start_in_thread
    from connector.sandbox.settings import SandboxSettings

    connector = ServerThread(app)
    app.config["PUBLIC_URL"] = connector.url
    simulator = start_in_thread(SandboxSettings.from_connector_config(app.config))
    app.config["SIMULATOR_URL"] = simulator.url
    app.config["AMAZON_ENDPOINTS"] = amazon_endpoints("simulator", simulator.url)
    cart = FakeCartAdmin()
    yield connector, simulator, cart
    cart.stop()
    simulator.stop()
    connector.stop()


@pytest.fixture
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
