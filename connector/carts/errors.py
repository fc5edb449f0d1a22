"""One error hierarchy for everything the cart answers, carrying the HTTP status and the cart's own message."""
from __future__ import annotations

from typing import Any


class CartError(Exception):
    summary = "The cart answered with an error"
    retryable = False

    def __init__(self, message: str, *, http_status: int | None = None, code: str | None = None,
                 body: Any = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.body = body
        self.retry_after = retry_after

    def __str__(self) -> str:
        status = ", ".join(part for part in (f"HTTP {self.http_status}" if self.http_status else "", self.code or "")
                           if part)
        return f"{self.summary}{f' ({status})' if status else ''}: {self.message.rstrip('.')}."


class CartNotConfigured(CartError):
    summary = "The cart connection is not set up"


class CartUnavailable(CartError):
    """Down, slow, overloaded or rate limiting: trying again later works."""

    summary = "The cart could not be reached"
    retryable = True


class CartAuthFailed(CartError):
    summary = "The cart refused the connector's credentials"


class CartRejected(CartError):
    """The cart understood the request and refused it (validation, unknown product, …)."""

    summary = "The cart refused the request"
