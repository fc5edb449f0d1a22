"""Serving the simulator: in the foreground for `connector sandbox`, or in a thread for tests."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import make_server, run_simple

from . import create_sandbox_app
from .settings import SandboxSettings
from .state import SandboxState


def serve(settings: SandboxSettings, host: str, port: int) -> None:
    run_simple(host, port, create_sandbox_app(settings), threaded=True)


@dataclass
class RunningSandbox:
    url: str
    app: Flask
    server: object
    thread: threading.Thread

    @property
    def state(self) -> SandboxState:
        return self.app.extensions["sandbox_state"]

    def reset(self) -> None:
        self.state.reset()

    def stop(self) -> None:
        self.server.shutdown()

    def connector_overrides(self) -> dict:
        return self.state.settings.connector_overrides()


def start_in_thread(settings: SandboxSettings, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    app = create_sandbox_app(settings)
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="amazon-simulator", daemon=True)
    thread.start()
    return RunningSandbox(f"http://{host}:{server.server_port}", app, server, thread)
