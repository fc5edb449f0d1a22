"""Headers that let the admin live inside the cart's iframe and nowhere else (instead of flask-talisman,
which forces SameSite=Lax and SAMEORIGIN framing and so breaks the embed)."""
from __future__ import annotations

from flask import Flask, Response, g, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self' {frame_sources}; form-action 'self' {form_targets}; base-uri 'none'; object-src 'none'; "
    "frame-ancestors {ancestors}"
)


def frame_ancestors_for_request() -> str:
    """The admin origins of the shop in this session; 'none' outside a shop."""
    origins = getattr(g, "frame_ancestors", None)
    return " ".join(origins) if origins else "'none'"


def isolate_request_globals(app: Flask) -> None:
    """Registered before every other hook: a request whose app context was pushed around it (tests, scripts)
    must not inherit g (the shop, the CSRF token) from an earlier request."""

    @app.before_request
    def fresh_globals() -> None:
        g.__dict__.clear()
        g.shop = g.role = g.frame_ancestors = None
        g.form_targets = g.frame_sources = ()


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(
            ancestors=frame_ancestors_for_request(),
            form_targets=" ".join(getattr(g, "form_targets", ())),
            frame_sources=" ".join(getattr(g, "frame_sources", ())),
        ).replace(" ;", ";")
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Authorization URLs carry state; Amazon asks that they never leak through Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith(("/admin", "/amazon")):
            response.headers["Cache-Control"] = "no-store"
        return response
