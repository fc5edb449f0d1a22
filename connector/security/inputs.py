"""Input no database can store: a NUL character. PostgreSQL refuses it in text, so it is turned away at the edge
with a clear 400 instead of failing deep inside a request or a job."""
from __future__ import annotations

from flask import Flask, render_template, request

NUL = "\x00"


def has_nul(values) -> bool:
    return any(NUL in key or any(NUL in value for value in values.getlist(key)) for key in values)


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        if has_nul(request.args) or (request.method == "POST" and has_nul(request.form)):
            return render_template("errors/bad_input.html"), 400
        return None
