"""The Request / Renew Token flow against the simulator, end to end, including every way it can fail."""
from __future__ import annotations

from datetime import timedelta

import requests

from authflow import PUBLIC, authorize, consent, follow_back, go_to_consent, open_popup, query
from helpers import add_account
from connector import clock
from connector.accounts.models import AmazonAccount, AuthorizationAttempt
from connector.extensions import db
from connector.synclog.models import LogEntry

EU_SELLER = "A2DEMOSELLEREU"


def _account(account_id: int) -> AmazonAccount:
    db.session.expire_all()
    return db.session.get(AmazonAccount, account_id)


def _last_log() -> LogEntry:
    return db.session.scalars(db.select(LogEntry).order_by(LogEntry.id.desc())).first()


def test_popup_asks_first_then_sends_the_seller_to_the_regions_consent_page(app, sandbox, admin):
    account_id = add_account(admin, region="EU", marketplaces=("A1PA6795UKMFR9", "A13V1IB3VIYZZH"))
    popup, start = open_popup(app, admin, account_id)
    assert "Authorize Cart Connector for Amazon?" in start.get_data(as_text=True)
    assert sandbox.url in start.headers["Content-Security-Policy"]  # the OK form may redirect to Seller Central
    url = go_to_consent(popup, start)
    assert url.startswith(f"{sandbox.url}/seller-central/sellercentral-europe.amazon.com/apps/authorize/consent?")
    params = query(url)
    assert params["application_id"] == app.config["SPAPI_APPLICATION_ID"]
    assert params["version"] == "beta" and params["state"]


def test_authorization_connects_the_account_for_one_year(app, sandbox, admin):
    account_id = add_account(admin)
    result = authorize(app, admin, account_id, EU_SELLER)
    assert result.status_code == 200, result.page
    assert "Connected. You may close this window." in result.page
    account = _account(account_id)
    assert account.selling_partner_id == EU_SELLER
    assert account.refresh_token.startswith("Atzr|")
    assert abs(account.expires_at - (clock.utcnow() + timedelta(days=365))) < timedelta(minutes=1)
    assert account.last_check_ok and account.last_check_request_id
    status = admin.get(f"/admin/accounts/{account_id}/status").json
    assert status["status"]["code"] == "connected"
    assert status["status"]["days_left"] == 365
    assert "expires on" in status["status"]["words"]


def test_renewal_resets_expiry_and_reinstates_an_expired_account(app, sandbox, admin):
    account_id = add_account(admin)
    authorize(app, admin, account_id, EU_SELLER)
    clock.advance(timedelta(days=366))
    sandbox.state.advance_clock(366 * 86400)
    assert admin.get(f"/admin/accounts/{account_id}/status").json["status"]["code"] == "expired"
    result = authorize(app, admin, account_id, EU_SELLER)
    assert "Connected" in result.page
    status = admin.get(f"/admin/accounts/{account_id}/status").json["status"]
    assert status["code"] == "connected" and status["days_left"] == 365


def test_another_amazon_account_is_refused_and_the_old_token_kept(app, sandbox, admin):
    account_id = add_account(admin, region="NA", marketplaces=("ATVPDKIKX0DER",))
    sellers = [s.selling_partner_id for s in sandbox.state.settings.sellers if s.region == "NA"]
    authorize(app, admin, account_id, sellers[0])
    old_token = _account(account_id).refresh_token
    result = authorize(app, admin, account_id, sellers[1])
    assert result.status_code == 400
    assert "logged into another Amazon account" in result.page
    account = _account(account_id)
    assert account.selling_partner_id == sellers[0] and account.refresh_token == old_token
    assert _last_log().error_code == "seller_mismatch"


def test_seller_cancels(app, sandbox, admin):
    account_id = add_account(admin)
    popup, start = open_popup(app, admin, account_id)
    result = follow_back(popup, consent(go_to_consent(popup, start), decision="cancel"))
    assert result.status_code == 400 and "You cancelled" in result.get_data(as_text=True)
    assert _account(account_id).refresh_token is None
    assert db.session.scalars(db.select(AuthorizationAttempt)).one().outcome == "cancelled"


def _callback_with(popup, **params):
    from urllib.parse import urlencode

    return popup.get("/amazon/authorize/callback?" + urlencode(params))


def test_state_missing_tampered_replayed_or_from_another_browser(app, sandbox, admin):
    account_id = add_account(admin)
    popup, start = open_popup(app, admin, account_id)
    url = go_to_consent(popup, start)
    amazon = consent(url, EU_SELLER)
    back = amazon.headers["Location"]

    assert "without the security state" in _callback_with(popup, selling_partner_id=EU_SELLER, spapi_oauth_code="x").get_data(as_text=True)
    state = query(url)["state"]
    tampered = _callback_with(popup, state=state[:-2] + "xx", selling_partner_id=EU_SELLER, spapi_oauth_code="x")
    assert tampered.status_code == 400 and "altered" in tampered.get_data(as_text=True)
    other_browser = app.test_client()
    stolen = _callback_with(other_browser, state=state, selling_partner_id=EU_SELLER, spapi_oauth_code="x")
    assert "another browser" in stolen.get_data(as_text=True)

    assert "Connected" in follow_back(popup, amazon).get_data(as_text=True)
    replay = _callback_with(popup, state=state, selling_partner_id=EU_SELLER, spapi_oauth_code="x")
    assert replay.status_code == 400 and "already used" in replay.get_data(as_text=True)
    reasons = {entry.error_code for entry in db.session.scalars(db.select(LogEntry))}
    assert {"state_missing", "state_tampered", "state_other_browser", "state_replayed"} <= reasons


def test_state_expires_after_ten_minutes(app, sandbox, admin, monkeypatch):
    account_id = add_account(admin)
    popup, start = open_popup(app, admin, account_id)
    url = go_to_consent(popup, start)
    app.config["AUTHORIZATION_STATE_MAX_AGE"] = -1
    result = _callback_with(popup, state=query(url)["state"], selling_partner_id=EU_SELLER, spapi_oauth_code="x")
    assert result.status_code == 400 and "longer than 10 minutes" in result.get_data(as_text=True)


def test_expired_code_is_explained(app, sandbox, admin):
    account_id = add_account(admin)
    popup, start = open_popup(app, admin, account_id)
    amazon = consent(go_to_consent(popup, start), EU_SELLER)
    result = follow_back(popup, amazon, before_callback=lambda: sandbox.state.advance_clock(6 * 60))
    assert result.status_code == 400
    assert "expired (codes last 5 minutes) or was already used" in result.get_data(as_text=True)
    entry = _last_log()
    assert entry.error_code == "invalid_grant" and entry.amazon_request_id and entry.http_status == 400


def test_wrong_client_secret_and_token_endpoint_down(app, sandbox, admin):
    account_id = add_account(admin)
    app.config["LWA_CLIENT_SECRET"] = "wrong-secret"
    result = authorize(app, admin, account_id, EU_SELLER)
    assert result.status_code == 400 and "invalid_client" in result.page
    app.config["LWA_CLIENT_SECRET"] = sandbox.connector_overrides()["LWA_CLIENT_SECRET"]
    sandbox.state.add_fault(operation="token", kind="503", count=20)
    result = authorize(app, admin, account_id, EU_SELLER)
    assert result.status_code == 400 and "did not answer" in result.page
    assert _account(account_id).refresh_token is None


def test_login_hop_refuses_foreign_callback_addresses(app, sandbox, admin):
    account_id = add_account(admin)
    popup, start = open_popup(app, admin, account_id)
    go_to_consent(popup, start)
    evil = popup.get("/amazon/authorize/login?amazon_callback_uri=https://evil.example/steal&amazon_state=x")
    assert evil.status_code == 400 and "do not recognise" in evil.get_data(as_text=True)


def test_test_connection_shows_amazons_request_id(app, sandbox, admin):
    account_id = add_account(admin)
    authorize(app, admin, account_id, EU_SELLER)
    page = admin.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    from helpers import csrf_from

    response = admin.post(f"/admin/accounts/{account_id}/test", data={"csrf_token": csrf_from(page)},
                          follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Connection OK" in html and "Amazon request ID" in html
    assert _account(account_id).last_check_request_id in html


def test_revoked_authorization_turns_the_account_invalid(app, sandbox, admin):
    account_id = add_account(admin)
    authorize(app, admin, account_id, EU_SELLER)
    sandbox.state.revoke(EU_SELLER)
    sandbox.state.expire_access_tokens()
    from connector.authorization.operations import check_connection

    result = check_connection(_account(account_id))
    assert not result.ok
    status = admin.get(f"/admin/accounts/{account_id}/status").json["status"]
    assert status["code"] == "invalid" and "request a new token" in status["words"]


def test_tokens_never_reach_logs_or_pages(app, sandbox, admin, caplog):
    caplog.set_level("DEBUG")
    account_id = add_account(admin)
    authorize(app, admin, account_id, EU_SELLER)
    from connector.authorization.operations import check_connection

    check_connection(_account(account_id))
    refresh_token = _account(account_id).refresh_token
    access_tokens = list(sandbox.state.access_tokens)
    texts = [caplog.text, *(entry.message for entry in db.session.scalars(db.select(LogEntry)))]
    texts += [admin.get(path).get_data(as_text=True) for path in
              ("/admin/", f"/admin/accounts/{account_id}", f"/admin/accounts/{account_id}/status", "/admin/log")]
    for text in texts:
        assert refresh_token not in text and "Atzr|" not in text and "Atza|" not in text
        for token in access_tokens:
            assert token not in text
