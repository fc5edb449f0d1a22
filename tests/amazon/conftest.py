"""Fixtures for the Amazon client tests: a real refresh token from the simulator's consent flow, no browser."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Callable
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from connector.accounts.models import AUTHORIZATION_LIFETIME, AmazonAccount, TokenState
from connector.amazon import lwa
from connector.clock import utcnow
from connector.extensions import db
from connector.shops.models import Shop


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def consent_code(sandbox_url: str, application_id: str, seller: str | None = None) -> tuple[str, str, str]:
    """Play the seller in Seller Central and our log-in URI; returns (spapi_oauth_code, selling partner, redirect URI)."""
    state = "test-state"
    consent_url = (f"{sandbox_url}/seller-central/sellercentral.amazon.com/apps/authorize/consent?"
                   + urlencode({"application_id": application_id, "state": state, "version": "beta"}))
    page = requests.get(consent_url, timeout=10)
    assert page.status_code == 200, page.text
    fields = {key: unescape(value)
              for key, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)}
    fields["selling_partner_id"] = seller or re.search(r'<option value="([^"]+)"', page.text).group(1)
    fields.update(authorize="on", decision="confirm")
    answer = requests.post(consent_url, data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text
    location = answer.headers["Location"]
    if urlsplit(location).path == "/amazon/authorize/login":
        hop = _query(location)
        confirm = requests.get(hop["amazon_callback_uri"], params={"amazon_state": hop["amazon_state"], "state": state,
                                                                    "version": "beta"},
                               allow_redirects=False, timeout=10)
        assert confirm.status_code in (302, 303), confirm.text
        location = confirm.headers["Location"]
    back = _query(location)
    assert back.get("state") == state and "spapi_oauth_code" in back, location
    parts = urlsplit(location)
    return back["spapi_oauth_code"], back["selling_partner_id"], f"{parts.scheme}://{parts.netloc}{parts.path}"


@pytest.fixture
def authorization_code(app, sandbox) -> Callable[..., tuple[str, str, str]]:
    return lambda seller=None: consent_code(sandbox.url, app.config["SPAPI_APPLICATION_ID"], seller)


@pytest.fixture
def grant(authorization_code):
    code, seller, redirect_uri = authorization_code()
    return lwa.exchange_code(code, redirect_uri), seller


@pytest.fixture
def account(app, grant) -> AmazonAccount:
    token_grant, seller = grant
    shop = Shop(name="Test shop", host_kind="generic")
    db.session.add(shop)
    db.session.flush()
    now = utcnow()
    account = AmazonAccount(
        shop_id=shop.id, alias="NA main", region="NA", marketplace_ids=["ATVPDKIKX0DER"],
        selling_partner_id=seller, refresh_token=token_grant.refresh_token, authorization_method="website",
        authorized_at=now, expires_at=now + AUTHORIZATION_LIFETIME, token_state=TokenState.VALID,
    )
    db.session.add(account)
    db.session.commit()
    return account


@pytest.fixture
def sleeps() -> list[float]:
    """Pass `sleeps.append` as a client's sleep: waits are recorded, not slept."""
    return []


class SimulatorControl:
    """The simulator's /_sim controls, as the tests use them."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _post(self, path: str, **body) -> dict:
        response = requests.post(f"{self.url}/_sim/{path}", json=body, timeout=10)
        assert response.ok, response.text
        return response.json() if response.content else {}

    def fault(self, operation: str, kind: str, count: int = 1, **extra) -> None:
        self._post("faults", operation=operation, kind=kind, count=count, **extra)

    def advance(self, seconds: float) -> None:
        self._post("clock", advance_seconds=seconds)

    def revoke(self, selling_partner_id: str) -> None:
        self._post("authorizations/revoke", selling_partner_id=selling_partner_id)

    def expire_access_tokens(self) -> None:
        self._post("access-tokens/expire")

    def calls(self, operation: str) -> list[dict]:
        response = requests.get(f"{self.url}/_sim/calls", params={"operation": operation}, timeout=10)
        assert response.ok, response.text
        body = response.json()
        return body["calls"] if isinstance(body, dict) else body


@pytest.fixture
def simulator(sandbox) -> SimulatorControl:
    return SimulatorControl(sandbox.url)
