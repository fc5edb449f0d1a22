"""Amazon's response shapes: every answer carries x-amzn-RequestId; errors use Amazon's exact bodies."""
from __future__ import annotations

import time
import uuid
from typing import Any

from flask import Response, jsonify

QUOTA_EXCEEDED = {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource.", "details": ""}
INTERNAL_FAILURE = {"code": "InternalFailure", "message": "We encountered an internal error. Please try again.", "details": ""}
ACCESS_DENIED = "Access to requested resource is denied."
TOKEN_DETAILS = {
    "expired": "The access token you provided has expired.",
    "invalid": "The access token you provided is revoked, malformed or invalid.",
    "missing": "",
}


def amazon_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def errors(status: int, *items: dict, headers: dict[str, str] | None = None) -> Response:
    return amazon_json({"errors": list(items)}, status, headers)


def access_denied(reason: str) -> Response:
    headers = {"x-amzn-ErrorType": "MissingAuthenticationTokenException"} if reason == "missing" else None
    return errors(403, {"code": "Unauthorized", "message": ACCESS_DENIED, "details": TOKEN_DETAILS.get(reason, "")},
                  headers=headers)


def injected_fault(kind: str, delay_seconds: float, lwa: bool = False) -> Response:
    """What a fault injected through /_sim/faults looks like on the wire."""
    if kind == "timeout":
        time.sleep(delay_seconds)
        return errors(504, {"code": "GatewayTimeout", "message": "The request timed out.", "details": ""})
    if kind == "throttle":
        return errors(429, QUOTA_EXCEEDED)
    if lwa:
        return amazon_json({"error": "server_error", "error_description": "Internal server error"}, int(kind))
    return errors(int(kind), INTERNAL_FAILURE)
