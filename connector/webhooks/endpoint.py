"""POST /webhooks/<host>/<shop_key>, answered ahead of Flask's request dispatch.

Hosts send deliveries by the thousand, and a delivery uses none of what Flask sets up per request: no session, no
CSRF check (the signature is the check), no template, no shop in `g`. Request context, URL matching, the before and
after hooks and the response object cost as much CPU as receiving the delivery itself (docs/performance.md), so
this WSGI layer answers deliveries inside a plain app context and hands every other request to Flask unchanged.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import EnvironHeaders
from werkzeug.wsgi import get_content_length, get_input_stream

from ..security.embed import OUTSIDE_A_SHOP_HEADERS
from ..shops.models import HOST_KINDS
from . import admission
from .inbox_writer import InboxUnavailable
from .receive import Answer, receive, reject_oversized
from .receivers import Receiver, receiver
from .tasks import kick

logger = logging.getLogger(__name__)

RULE = "/<host_kind>/<shop_key>"  # under /webhooks; the Flask rule only builds URLs and answers 405 to other methods
DELIVERY_PATH = re.compile(r"/webhooks/([^/]+)/([^/]+)")
UNAVAILABLE = Answer(503, {"error": "temporarily unavailable", "detail": "Please deliver again shortly."},
                     headers={"Retry-After": "5"})
FAILED = Answer(500, {"error": "internal error", "detail": "Please deliver again; a delivery already kept is "
                                                           "recognised and not processed twice."})

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class WebhookEndpoint:
    def __init__(self, app: Flask, wsgi_app: Callable[[Environ, StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        # PATH_INFO holds the URL's bytes as latin-1 (PEP 3333); read them as UTF-8 as Flask's routing does.
        path = environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8", "replace")
        match = DELIVERY_PATH.fullmatch(path) if environ.get("REQUEST_METHOD") == "POST" else None
        if match is None:
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            answer = self._deliver(environ, match[1], match[2])
        body = json.dumps(answer.body).encode()
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))), *OUTSIDE_A_SHOP_HEADERS,
            *answer.headers.items()])
        return [body]

    def _deliver(self, environ: Environ, host_kind: str, shop_key: str) -> Answer:
        try:
            return deliver(host_kind, shop_key, environ)
        except (SQLAlchemyError, InboxUnavailable) as error:  # nothing was acknowledged: the host delivers again
            logger.warning("Webhook refused, database unavailable: %s", type(error).__name__)
            return UNAVAILABLE
        except Exception:
            propagate = self.app.config["PROPAGATE_EXCEPTIONS"]
            if propagate or (propagate is None and (self.app.testing or self.app.debug)):
                raise
            logger.exception("Webhook delivery to %s failed", environ.get("PATH_INFO"))
            return FAILED


def deliver(host_kind: str, shop_key: str, environ: Environ) -> Answer:
    address = environ.get("REMOTE_ADDR") or "unknown"
    shop = receiver(shop_key)
    if host_kind not in HOST_KINDS or shop is None or shop.host_kind != host_kind:
        if (refused := admission.refuse(address, None)) is not None:
            return refused
        admission.note_refused(address)
        logger.info("Webhook for unknown shop %r (%s) from %s", shop_key[:40], host_kind[:20], address)
        return Answer(404, {"error": "unknown shop"})
    if (refused := admission.refuse(address, shop.id)) is not None:
        return refused
    answer = _receive_body(shop, environ, address)
    if answer.status == 401:
        admission.note_refused(address)
    if answer.kick_shop_id is not None:
        kick(answer.kick_shop_id)
    return answer


def _receive_body(shop: Receiver, environ: Environ, address: str) -> Answer:
    """Read at most the size limit (never the whole of an oversized body), then receive it."""
    headers = EnvironHeaders(environ)
    max_bytes = current_app.config["WEBHOOK_MAX_BYTES"]
    declared = get_content_length(environ) or 0
    if declared > max_bytes:
        return reject_oversized(shop, declared, max_bytes, headers, address)
    body = get_input_stream(environ).read(max_bytes + 1)
    if len(body) > max_bytes:
        return reject_oversized(shop, len(body), max_bytes, headers, address)
    return receive(shop, body, headers, address)
