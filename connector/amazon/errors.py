"""One error hierarchy for everything Amazon answers (after stripe-python's): every error carries the HTTP status,
Amazon's error code, its message and the request ID support needs to quote to Amazon."""
from __future__ import annotations

import json
import re
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from ..clock import utcnow

# Bodies end up in logs and error pages; a token echoed by a gateway must not.
_TOKEN_PATTERN = re.compile(r"Atz[ar]\|[^\s\"'&,}]*")
_TOKEN_FIELDS = {"access_token", "refresh_token", "client_secret"}


class AmazonError(Exception):
    """Amazon (SP-API or Login with Amazon) refused or failed a request."""

    summary = "Amazon answered with an error"
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
        details: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.details = details
        self.request_id = request_id
        self.body = scrub(body)
        self.retry_after = retry_after

    def __str__(self) -> str:
        status = ", ".join(part for part in (
            f"HTTP {self.http_status}" if self.http_status else "", self.code or "") if part)
        text = f"{self.summary} ({status})" if status else self.summary
        text += f": {self.message.rstrip('.')}."
        if self.details and self.details not in self.message:
            text += f" {self.details.rstrip('.')}."
        if self.request_id:
            text += f" Amazon request ID: {self.request_id}."
        return text

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(http_status={self.http_status!r}, code={self.code!r}, "
                f"request_id={self.request_id!r}, message={self.message!r})")


class AmazonConnectionError(AmazonError):
    summary = "Amazon could not be reached"
    retryable = True


class AmazonServerError(AmazonError):
    summary = "Amazon had an internal problem"
    retryable = True


class AmazonThrottled(AmazonError):
    summary = "Amazon asked us to slow down"
    retryable = True


class AmazonAccessDenied(AmazonError):
    summary = "Amazon denied access"

    @property
    def access_token_rejected(self) -> bool:
        """Amazon refused the access token itself (expired, or revoked with the authorization behind it)."""
        return "access token" in f"{self.details or ''} {self.message}".lower()


class AmazonNotFound(AmazonError):
    summary = "Amazon does not know this resource"


class AmazonRequestInvalid(AmazonError):
    summary = "Amazon rejected the request as invalid"


class AccountPaused(AmazonError):
    """Syncing for this account stops until the seller authorizes again; nothing was sent to Amazon."""

    summary = "Syncing is paused for this Amazon account"


class LWAError(AmazonError):
    """Login with Amazon (the token endpoint) refused the request."""

    summary = "Login with Amazon refused the request"


class InvalidGrant(LWAError):
    """The refresh token was revoked or expired, or the authorization code expired or was already used."""

    summary = "Login with Amazon refused the grant"


class InvalidClient(LWAError):
    """Our LWA client ID or secret is wrong or was rotated out: an operator problem, not the seller's."""

    summary = "Login with Amazon did not accept the connector's app credentials"


class LWAUnavailable(LWAError):
    """The token endpoint could not be reached or failed on its side; trying again later may work."""

    summary = "Login with Amazon is unavailable"
    retryable = True


def scrub(body: Any) -> Any:
    """The body without token values, so it can be stored and logged."""
    if isinstance(body, dict):
        return {key: "[removed]" if key in _TOKEN_FIELDS else scrub(value) for key, value in body.items()}
    if isinstance(body, list):
        return [scrub(item) for item in body]
    if isinstance(body, str):
        return _TOKEN_PATTERN.sub("[removed]", body)
    return body


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def _parse_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        return response.text[:2000]


_SPAPI_CLASSES: dict[int, type[AmazonError]] = {
    400: AmazonRequestInvalid,
    401: AmazonAccessDenied,
    403: AmazonAccessDenied,
    404: AmazonNotFound,
    422: AmazonRequestInvalid,
    429: AmazonThrottled,
}

_LWA_CLASSES: dict[str, type[LWAError]] = {
    "invalid_grant": InvalidGrant,
    "invalid_client": InvalidClient,
    "unauthorized_client": InvalidClient,
    "server_error": LWAUnavailable,
    "temporarily_unavailable": LWAUnavailable,
}


def error_from_response(response: requests.Response, *, token_endpoint: bool = False) -> AmazonError:
    """The error for a failed response of SP-API (`{"errors": [...]}`) or of the LWA token endpoint
    (`{"error", "error_description"}`)."""
    status = response.status_code
    body = _parse_body(response)
    common = {
        "http_status": status,
        "request_id": response.headers.get("x-amzn-RequestId"),
        "body": body,
        "retry_after": retry_after_seconds(response.headers.get("Retry-After")),
    }
    if token_endpoint:
        code = body.get("error") if isinstance(body, dict) else None
        message = (body.get("error_description") if isinstance(body, dict) else None) or response.reason or ""
        cls = _LWA_CLASSES.get(code or "", LWAUnavailable if status >= 500 or status == 429 else LWAError)
        return cls(scrub(message) or f"HTTP {status}", code=code, **common)
    first = body["errors"][0] if isinstance(body, dict) and body.get("errors") else {}
    if not isinstance(first, dict):
        first = {}
    code = first.get("code") or response.headers.get("x-amzn-ErrorType")
    message = first.get("message") or (body.get("message") if isinstance(body, dict) else None)
    cls = AmazonServerError if status >= 500 else _SPAPI_CLASSES.get(status, AmazonError)
    return cls(scrub(message or response.reason or f"HTTP {status}"), code=code,
               details=first.get("details") or None, **common)
