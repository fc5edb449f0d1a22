"""The one way we call a cart's HTTP API: a timeout, a user-agent, Retry-After honoured once, errors mapped to
the CartError hierarchy, and never a credential in a log line."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from flask import current_app

from ..amazon.errors import retry_after_seconds
from .errors import CartAuthFailed, CartError, CartRejected, CartUnavailable

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = 10.0  # longer waits go back to the job's own backoff instead of holding a worker


class CartHTTP:
    def __init__(self, base_url: str, *, auth: Any = None, headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.headers = {"User-Agent": current_app.config["APP_NAME"] + " (Amazon connector)",
                        "Accept": "application/json", **(headers or {})}
        self.timeout = float(current_app.config["CART_HTTP_TIMEOUT"])
        self.sleep = sleep
        self.session = session or requests.Session()

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
                data: bytes | None = None) -> requests.Response:
        """`data` sends exact bytes (a signed body); `json` lets requests serialise."""
        for attempt in (1, 2):
            response = self._send(method, path, params, json, data)
            wait = retry_after_seconds(response.headers.get("Retry-After")) if response.status_code == 429 else None
            if attempt == 1 and wait is not None and wait <= MAX_RETRY_AFTER:
                logger.info("Cart asked us to wait %.1f s (HTTP 429) before %s %s", wait, method, path)
                self.sleep(wait)
                continue
            if not response.ok:
                raise error_for(response)
            return response
        raise AssertionError("unreachable")

    def _send(self, method: str, path: str, params: Mapping[str, Any] | None, json: Any,
              data: bytes | None) -> requests.Response:
        try:
            response = self.session.request(method, self.base_url + path, params=params, json=json, data=data,
                                            headers=self.headers, auth=self.auth, timeout=self.timeout)
        except requests.Timeout:
            raise CartUnavailable(f"no answer within {self.timeout:g} seconds from {self.base_url}") from None
        except requests.RequestException as error:
            raise CartUnavailable(f"{self.base_url} could not be reached ({type(error).__name__})") from None
        logger.info("Cart %s %s: HTTP %s", method, path, response.status_code)
        return response


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:1000]


def error_for(response: requests.Response) -> CartError:
    body = _body(response)
    status = response.status_code
    # WooCommerce: {"code", "message", "data": {"status"}}; Shopify: {"errors": ...}.
    code = body.get("code") if isinstance(body, dict) else None
    message = (body.get("message") or body.get("errors")) if isinstance(body, dict) else None
    message = str(message or response.reason or f"HTTP {status}")
    common = {"http_status": status, "code": code, "body": body,
              "retry_after": retry_after_seconds(response.headers.get("Retry-After"))}
    if status in (401, 403):
        return CartAuthFailed(message, **common)
    if status == 429 or status >= 500:
        return CartUnavailable(message, **common)
    return CartRejected(message, **common)
