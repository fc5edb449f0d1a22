"""A gateway between the connector and the simulator that forwards every request and can lose answers: for the
chosen paths it forwards the request (Amazon acts on it) and answers 502 instead of passing the answer on."""
from __future__ import annotations

import threading

import requests
from flask import Flask, Response, request
from werkzeug.serving import make_server

HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "content-encoding", "host"}


class LossyGateway:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.lose: dict[str, int] = {}  # path fragment -> how many answers to lose
        app = Flask("lossy-gateway")
        app.add_url_rule("/<path:path>", view_func=self._forward, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _forward(self, path: str) -> Response:
        headers = {key: value for key, value in request.headers if key.lower() not in HOP_HEADERS}
        answer = requests.request(request.method, f"{self.upstream}/{path}", params=request.args, headers=headers,
                                  data=request.get_data(), timeout=30)
        for fragment, count in self.lose.items():
            if fragment in path and count > 0:
                self.lose[fragment] = count - 1
                return Response("Bad Gateway", 502)
        return Response(answer.content, answer.status_code,
                        {key: value for key, value in answer.headers.items() if key.lower() not in HOP_HEADERS})

    def stop(self) -> None:
        self._server.shutdown()
