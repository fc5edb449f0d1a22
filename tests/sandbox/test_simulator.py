"""The simulator behaves like Amazon: consent, token endpoint, Sellers API, usage plans, faults; its answers
validate against Amazon's official models."""
from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import requests

from helpers import AMAZON_MODELS_DIR

APP = "amzn1.sp.solution.test-app"
CLIENT = {"client_id": "amzn1.application-oa2-client.test", "client_secret": "test-client-secret-0123456789"}
CONSENT = "/seller-central/sellercentral.amazon.com/apps/authorize/consent"


def _query(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _code(sandbox, seller: str = "A1DEMOSELLERNA") -> str:
    """Consent as `seller`, through the log-in URI hop, and return the spapi_oauth_code."""
    url = f"{sandbox.url}{CONSENT}?application_id={APP}&state=our-state&version=beta"
    page = requests.get(url, timeout=5)
    fields = {k: unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)}
    hop = requests.post(url, data={**fields, "selling_partner_id": seller, "authorize": "on", "decision": "confirm"},
                        allow_redirects=False, timeout=5)
    assert hop.status_code == 302
    assert hop.headers["Location"].startswith("http://connector.test/amazon/authorize/login?")
    params = _query(hop.headers["Location"])
    assert params["selling_partner_id"] == seller and params["version"] == "beta"
    back = requests.get(params["amazon_callback_uri"], params={"amazon_state": params["amazon_state"], "state": "our-state"},
                        allow_redirects=False, timeout=5)
    final = _query(back.headers["Location"])
    assert back.headers["Location"].startswith("http://connector.test/amazon/authorize/callback?")
    assert final["state"] == "our-state" and final["selling_partner_id"] == seller
    return final["spapi_oauth_code"]


def _token(sandbox, as_json: bool = False, **fields):
    body = {**CLIENT, **fields}
    if as_json:
        return requests.post(f"{sandbox.url}/auth/o2/token", json=body, timeout=5)
    return requests.post(f"{sandbox.url}/auth/o2/token", data=body, timeout=5)


def _participations(sandbox, token: str | None, region: str = "na"):
    headers = {"x-amz-access-token": token} if token else {}
    return requests.get(f"{sandbox.url}/sp-api/{region}/sellers/v1/marketplaceParticipations", headers=headers, timeout=5)


@pytest.fixture
def world(sandbox):
    sandbox.reset()
    return sandbox


def _schema(model: str, definition: str) -> dict:
    definitions = json.loads((AMAZON_MODELS_DIR / "models" / model).read_text())["definitions"]
    return {"$ref": f"#/definitions/{definition}", "definitions": definitions}


def test_consent_page_shows_the_checkbox_and_buttons(world):
    page = requests.get(f"{world.url}{CONSENT}?application_id={APP}&state=s&version=beta", timeout=5)
    assert "I authorize Cart Connector to access my Amazon selling partner account" in page.text
    assert ">Confirm</button>" in page.text and ">Cancel</button>" in page.text


@pytest.mark.parametrize("query,code", [
    (f"application_id={APP}&state=s", "MD1000"),
    (f"application_id={APP}&state=s&version=beta&redirect_uri=https://evil.example/cb", "MD5101"),
    ("application_id=amzn1.sp.solution.unknown&state=s&version=beta", "MD9100"),
])
def test_consent_errors(world, query, code):
    page = requests.get(f"{world.url}{CONSENT}?{query}", timeout=5)
    assert page.status_code == 400 and code in page.text


def test_cancel_and_missing_checkbox(world):
    url = f"{world.url}{CONSENT}?application_id={APP}&state=s&version=beta"
    base = {"application_id": APP, "state": "s", "version": "beta", "selling_partner_id": "A1DEMOSELLERNA"}
    cancel = requests.post(url, data={**base, "decision": "cancel"}, allow_redirects=False, timeout=5)
    assert _query(cancel.headers["Location"])["error"] == "access_denied"
    unticked = requests.post(url, data={**base, "decision": "confirm"}, allow_redirects=False, timeout=5)
    assert unticked.status_code == 400 and "Tick the box" in unticked.text


def test_direct_redirect_without_a_login_uri(world):
    world.state.settings.login_uri = None
    try:
        url = f"{world.url}{CONSENT}?application_id={APP}&state=s&version=beta"
        response = requests.post(url, data={"application_id": APP, "state": "s", "version": "beta", "authorize": "on",
                                            "selling_partner_id": "A1DEMOSELLERNA", "decision": "confirm"},
                                 allow_redirects=False, timeout=5)
        assert set(_query(response.headers["Location"])) == {"state", "selling_partner_id", "spapi_oauth_code"}
    finally:
        world.state.settings.login_uri = "http://connector.test/amazon/authorize/login"


def test_amazon_state_works_once(world):
    url = f"{world.url}{CONSENT}?application_id={APP}&state=s&version=beta"
    hop = requests.post(url, data={"application_id": APP, "state": "s", "version": "beta", "authorize": "on",
                                   "selling_partner_id": "A1DEMOSELLERNA", "decision": "confirm"},
                        allow_redirects=False, timeout=5)
    params = _query(hop.headers["Location"])
    first = requests.get(params["amazon_callback_uri"], params={"amazon_state": params["amazon_state"], "state": "s"},
                         allow_redirects=False, timeout=5)
    again = requests.get(params["amazon_callback_uri"], params={"amazon_state": params["amazon_state"], "state": "s"},
                         allow_redirects=False, timeout=5)
    assert first.status_code == 302 and again.status_code == 400


def test_code_exchange_form_and_json_single_use_and_expiry(world):
    code = _code(world)
    granted = _token(world, grant_type="authorization_code", code=code)
    assert granted.status_code == 200 and granted.headers["Cache-Control"] == "no-store"
    body = granted.json()
    assert body["access_token"].startswith("Atza|") and body["refresh_token"].startswith("Atzr|")
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    reused = _token(world, as_json=True, grant_type="authorization_code", code=code)
    assert reused.status_code == 400
    assert reused.json() == {"error_description": "The request has an invalid grant parameter : code", "error": "invalid_grant"}
    late = _code(world)
    world.state.advance_clock(5 * 60 + 1)
    assert _token(world, grant_type="authorization_code", code=late).json()["error"] == "invalid_grant"
    fresh = _code(world)
    assert _token(world, as_json=True, grant_type="authorization_code", code=fresh).status_code == 200


def test_token_endpoint_errors(world):
    wrong = requests.post(f"{world.url}/auth/o2/token", timeout=5,
                          data={"grant_type": "refresh_token", "refresh_token": "Atzr|x", "client_id": CLIENT["client_id"],
                                "client_secret": "wrong"})
    assert wrong.status_code == 401
    assert wrong.json() == {"error_description": "Client authentication failed", "error": "invalid_client"}
    unsupported = _token(world, grant_type="password")
    assert unsupported.json() == {"error_description": "The authorization grant type is not supported by the "
                                                       "authorization server", "error": "unsupported_grant_type"}
    assert _token(world).json()["error"] == "invalid_request"
    unknown = _token(world, grant_type="refresh_token", refresh_token="Atzr|unknown")
    assert unknown.json()["error_description"] == "The request has an invalid grant parameter : refresh_token"
    assert all("x-amzn-RequestId" in r.headers for r in (wrong, unsupported, unknown))


def test_refresh_until_expiry_or_revocation(world):
    refresh = _token(world, grant_type="authorization_code", code=_code(world)).json()["refresh_token"]
    renewed = _token(world, grant_type="refresh_token", refresh_token=refresh).json()
    assert renewed["refresh_token"] == refresh and renewed["access_token"].startswith("Atza|")
    world.state.advance_clock(365 * 86400 + 60)
    expired = _token(world, grant_type="refresh_token", refresh_token=refresh)
    assert expired.status_code == 400 and "User may have revoked" in expired.json()["error_description"]
    world.state.reset()
    refresh = _token(world, grant_type="authorization_code", code=_code(world)).json()["refresh_token"]
    world.state.revoke("A1DEMOSELLERNA")
    assert _token(world, grant_type="refresh_token", refresh_token=refresh).json()["error"] == "invalid_grant"


def test_marketplace_participations_match_the_official_model(world):
    token = _token(world, grant_type="authorization_code", code=_code(world)).json()["access_token"]
    response = _participations(world, token)
    assert response.status_code == 200 and response.headers["x-amzn-RequestId"]
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.016"
    jsonschema.Draft4Validator(_schema("sellers-api-model/sellers.json", "GetMarketplaceParticipationsResponse")).validate(response.json())
    countries = {p["marketplace"]["countryCode"] for p in response.json()["payload"]}
    assert countries == {"US", "CA", "MX"}


def test_access_token_failures_have_amazons_403_bodies(world):
    error_list = _schema("sellers-api-model/sellers.json", "GetMarketplaceParticipationsResponse")
    missing = _participations(world, None)
    assert missing.status_code == 403 and missing.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    jsonschema.Draft4Validator(error_list).validate(missing.json())
    assert _participations(world, "Atza|forged").json()["errors"][0]["details"] == \
        "The access token you provided is revoked, malformed or invalid."
    token = _token(world, grant_type="authorization_code", code=_code(world)).json()["access_token"]
    world.state.expire_access_tokens()
    assert _participations(world, token).json()["errors"][0]["details"] == "The access token you provided has expired."
    assert _participations(world, token, region="eu").status_code == 403  # an NA seller has no EU authorization


def test_usage_plan_burst_then_quota_exceeded(world):
    token = _token(world, grant_type="authorization_code", code=_code(world)).json()["access_token"]
    statuses = [_participations(world, token).status_code for _ in range(16)]
    assert statuses[:15] == [200] * 15 and statuses[15] == 429
    throttled = _participations(world, token)
    assert throttled.json() == {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the "
                                            "requested resource.", "details": ""}]}
    assert "x-amzn-RateLimit-Limit" not in throttled.headers and throttled.headers["x-amzn-RequestId"]
    jsonschema.Draft4Validator(_schema("sellers-api-model/sellers.json", "GetMarketplaceParticipationsResponse")).validate(throttled.json())
    assert len(world.state.calls("getMarketplaceParticipations")) == 17


def test_injected_faults(world):
    token = _token(world, grant_type="authorization_code", code=_code(world)).json()["access_token"]
    world.state.add_fault("getMarketplaceParticipations", "500", count=2)
    assert [_participations(world, token).status_code for _ in range(3)] == [500, 500, 200]
    world.state.add_fault("*", "throttle")
    assert _participations(world, token).status_code == 429
    world.state.add_fault("getMarketplaceParticipations", "timeout", delay_seconds=0.3)
    with pytest.raises(requests.Timeout):
        requests.get(f"{world.url}/sp-api/na/sellers/v1/marketplaceParticipations",
                     headers={"x-amz-access-token": token}, timeout=0.1)
    requests.post(f"{world.url}/_sim/faults", json={"operation": "token", "kind": "503", "count": 1}, timeout=5)
    assert _token(world, grant_type="refresh_token", refresh_token="x").status_code == 503


def test_http_controls(world):
    assert requests.post(f"{world.url}/_sim/clock", json={"advance_seconds": 86400}, timeout=5).status_code == 200
    assert requests.post(f"{world.url}/_sim/faults", json={"kind": "bogus"}, timeout=5).status_code == 400
    added = requests.post(f"{world.url}/_sim/sellers", timeout=5, json={
        "selling_partner_id": "A9NEW", "name": "New", "region": "EU", "marketplace_ids": ["A1PA6795UKMFR9"]})
    assert added.status_code == 201 and world.state.settings.seller("A9NEW")
    world.state.settings.sellers.remove(world.state.settings.seller("A9NEW"))
    assert "Local Amazon simulator" in requests.get(f"{world.url}/", timeout=5).text
    assert requests.post(f"{world.url}/_sim/reset", timeout=5).json() == {"status": "reset"}
