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
        request_globals = vars(g._get_current_object())  # one proxy lookup, not one per name: it runs on every request
        request_globals.clear()
        request_globals.update(shop=None, role=None, frame_ancestors=None, form_targets=(), frame_sources=())


def content_security_policy(ancestors: str, form_targets: tuple[str, ...], frame_sources: tuple[str, ...]) -> str:
    return CONTENT_SECURITY_POLICY.format(ancestors=ancestors, form_targets=" ".join(form_targets),
                                          frame_sources=" ".join(frame_sources)).replace(" ;", ";")


OUTSIDE_A_SHOP = content_security_policy("'none'", (), ())  # every webhook and API answer: built once
# Authorization URLs carry state; Amazon asks that they never leak through Referer.
EVERY_RESPONSE_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))
OUTSIDE_A_SHOP_HEADERS = (("Content-Security-Policy", OUTSIDE_A_SHOP), *EVERY_RESPONSE_HEADERS)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        form_targets, frame_sources = getattr(g, "form_targets", ()), getattr(g, "frame_sources", ())
        ancestors = frame_ancestors_for_request()
        response.headers["Content-Security-Policy"] = OUTSIDE_A_SHOP \
            if (ancestors, form_targets, frame_sources) == ("'none'", (), ()) \
            else content_security_policy(ancestors, form_targets, frame_sources)
        response.headers.update(EVERY_RESPONSE_HEADERS)
        if request.path.startswith(("/admin", "/amazon")):
            response.headers["Cache-Control"] = "no-store"
        return response
