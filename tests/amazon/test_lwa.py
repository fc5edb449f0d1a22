"""Login with Amazon against the simulator's token endpoint."""
from __future__ import annotations

import socket
from dataclasses import replace
from datetime import timedelta

import pytest

from connector.amazon import lwa
from connector.amazon.errors import InvalidClient, InvalidGrant, LWAUnavailable
from connector.clock import utcnow


def test_exchange_code(app, authorization_code):
    code, _, redirect_uri = authorization_code()
    grant = lwa.exchange_code(code, redirect_uri)
    assert grant.access_token.startswith("Atza|") and grant.refresh_token.startswith("Atzr|")
    assert abs(grant.expires_at - (utcnow() + timedelta(hours=1))) < timedelta(seconds=30)
    assert "Atz" not in repr(grant)


def test_code_works_once(app, authorization_code):
    code, _, redirect_uri = authorization_code()
    lwa.exchange_code(code, redirect_uri)
    with pytest.raises(InvalidGrant) as caught:
        lwa.exchange_code(code, redirect_uri)
    assert caught.value.http_status == 400 and caught.value.code == "invalid_grant"
    assert "invalid_grant" in str(caught.value)


def test_wrong_client_secret(app, authorization_code):
    code, _, redirect_uri = authorization_code()
    app.config["LWA_CLIENT_SECRET"] = "amzn1.oa2-cs.v1.wrong"
    with pytest.raises(InvalidClient) as caught:
        lwa.exchange_code(code, redirect_uri)
    assert caught.value.http_status == 401 and caught.value.code == "invalid_client"


def test_token_endpoint_down(app, sandbox):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    endpoints = app.config["AMAZON_ENDPOINTS"]
    app.config["AMAZON_ENDPOINTS"] = replace(endpoints, token_url=f"http://127.0.0.1:{closed_port}/auth/o2/token")
    with pytest.raises(LWAUnavailable) as caught:
        lwa.refresh_access_token("Atzr|anything")
    assert caught.value.retryable and caught.value.http_status is None


def test_refresh(app, grant):
    token_grant, _ = grant
    refreshed = lwa.refresh_access_token(token_grant.refresh_token)
    assert refreshed.access_token.startswith("Atza|") and refreshed.access_token != token_grant.access_token
    assert refreshed.refresh_token == token_grant.refresh_token


def test_unknown_refresh_token(app, sandbox):
    with pytest.raises(InvalidGrant) as caught:
        lwa.refresh_access_token("Atzr|not-a-real-token")
    assert "Atzr|" not in str(caught.value) and "Atzr|" not in repr(caught.value.body)
