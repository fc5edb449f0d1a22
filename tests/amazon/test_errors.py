"""Turning Amazon's error answers into the error hierarchy (bodies as documented in the reference, section 1.2/1.3/3)."""
from __future__ import annotations

import json

import pytest
import requests

from connector.amazon.errors import (
    AccountPaused, AmazonAccessDenied, AmazonError, AmazonNotFound, AmazonRequestInvalid, AmazonServerError,
    AmazonThrottled, InvalidClient, InvalidGrant, LWAError, LWAUnavailable, error_from_response, retry_after_seconds,
)


def response(status: int, body, headers: dict | None = None) -> requests.Response:
    made = requests.Response()
    made.status_code = status
    made._content = (json.dumps(body) if not isinstance(body, str) else body).encode()
    made.headers.update({"x-amzn-RequestId": "rid-123", **(headers or {})})
    made.reason = "Reason"
    return made


def spapi_body(code: str, message: str, details: str = "") -> dict:
    return {"errors": [{"code": code, "message": message, "details": details}]}


@pytest.mark.parametrize("status, cls", [
    (400, AmazonRequestInvalid), (403, AmazonAccessDenied), (404, AmazonNotFound), (422, AmazonRequestInvalid),
    (429, AmazonThrottled), (500, AmazonServerError), (503, AmazonServerError),
])
def test_spapi_status_picks_the_class(status, cls):
    error = error_from_response(response(status, spapi_body("SomeCode", "Something happened.")))
    assert type(error) is cls
    assert (error.http_status, error.code, error.message, error.request_id) == (
        status, "SomeCode", "Something happened.", "rid-123")


def test_throttled_shape_and_retry_after():
    error = error_from_response(response(429, spapi_body(
        "QuotaExceeded", "You exceeded your quota for the requested resource."), {"Retry-After": "3"}))
    assert isinstance(error, AmazonThrottled) and error.retryable and error.retry_after == 3.0
    assert str(error) == ("Amazon asked us to slow down (HTTP 429, QuotaExceeded): You exceeded your quota for the "
                          "requested resource. Amazon request ID: rid-123.")


def test_refused_access_token_is_recognised():
    error = error_from_response(response(403, spapi_body(
        "Unauthorized", "Access to requested resource is denied.", "The access token you provided has expired.")))
    assert isinstance(error, AmazonAccessDenied) and error.access_token_rejected
    assert error.details == "The access token you provided has expired."
    assert "The access token you provided has expired." in str(error)
    revoked = error_from_response(response(403, spapi_body(
        "Unauthorized", "Access to requested resource is denied.",
        "The access token you provided is revoked, malformed or invalid.")))
    assert revoked.access_token_rejected
    role_missing = error_from_response(response(403, spapi_body(
        "Unauthorized", "Access to requested resource is denied.", "The application does not have the role.")))
    assert not role_missing.access_token_rejected


def test_gateway_error_without_envelope_uses_error_type_header():
    error = error_from_response(response(403, {"message": "Missing Authentication Token"},
                                         {"x-amzn-ErrorType": "MissingAuthenticationTokenException"}))
    assert error.code == "MissingAuthenticationTokenException" and error.message == "Missing Authentication Token"


def test_non_json_body_is_kept_as_text():
    error = error_from_response(response(502, "<html>Bad Gateway</html>"))
    assert isinstance(error, AmazonServerError) and error.body == "<html>Bad Gateway</html>"
    assert error.message == "Reason"


@pytest.mark.parametrize("status, code, cls", [
    (400, "invalid_grant", InvalidGrant), (401, "invalid_client", InvalidClient),
    (400, "unauthorized_client", InvalidClient), (500, "server_error", LWAUnavailable),
    (503, "temporarily_unavailable", LWAUnavailable), (400, "unsupported_grant_type", LWAError),
    (400, "invalid_request", LWAError),
])
def test_lwa_error_codes(status, code, cls):
    error = error_from_response(response(status, {"error": code, "error_description": "Described."}),
                                token_endpoint=True)
    assert type(error) is cls and isinstance(error, LWAError)
    assert (error.code, error.message, error.http_status, error.request_id) == (code, "Described.", status, "rid-123")


def test_lwa_invalid_grant_message():
    error = error_from_response(response(400, {
        "error_description": "The request has an invalid grant parameter : refresh_token", "error": "invalid_grant"}),
        token_endpoint=True)
    assert str(error) == ("Login with Amazon refused the grant (HTTP 400, invalid_grant): The request has an invalid "
                          "grant parameter : refresh_token. Amazon request ID: rid-123.")


def test_lwa_gateway_failure_without_json_is_unavailable():
    error = error_from_response(response(502, "bad gateway"), token_endpoint=True)
    assert isinstance(error, LWAUnavailable) and error.retryable and error.code is None


def test_bodies_never_keep_tokens():
    error = error_from_response(response(400, {
        "error": "invalid_request", "error_description": "bad token Atzr|IQEBLzAtAhsecret",
        "access_token": "Atza|IQEBLjAsAhsecret"}), token_endpoint=True)
    text = f"{error} {error!r} {error.body}"
    assert "Atza|" not in text and "Atzr|" not in text
    assert error.body["access_token"] == "[removed]"


def test_hierarchy_and_retryable_flags():
    assert issubclass(AccountPaused, AmazonError) and not AccountPaused.retryable
    assert all(issubclass(cls, LWAError) for cls in (InvalidGrant, InvalidClient, LWAUnavailable))
    assert not InvalidGrant.retryable and not AmazonAccessDenied.retryable


def test_retry_after_as_http_date_and_garbage():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
