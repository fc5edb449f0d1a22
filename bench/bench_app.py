"""What gunicorn serves in the benchmarks: the connector, and beside it under /bare a Flask endpoint that does
nothing, so both go through the same server, workers and HTTP handling in the same run."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from connector import create_app

bare = Flask("bare")


@bare.post("/<path:anything>")
def accept(anything: str):
    return {"status": "accepted"}


app = DispatcherMiddleware(create_app(), {"/bare": bare})
