"""Attacks on the authorization flow: open redirects through the log-in hop, a state minted for one shop used in
another shop's session, an authorization code replayed, a ticket for another shop's account. All refused, all
logged with their reason, and no account gains or loses a token by it. (Missing, tampered, expired, replayed and
other-browser states are in tests/test_authorization_flow.py; the popup's postMessage in tests/browser.)"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from authflow import PUBLIC, consent, go_to_consent, open_popup, query
from connector.accounts.models import AmazonAccount
from connector.amazon.marketplaces import seller_central_hosts
from connector.authorization import views as authorization_views
from connector.config import amazon_endpoints
from connector.extensions import db
from connector.synclog.models import LogEntry
from fuzzbudget import fuzz_settings
from helpers import add_account, csrf_from, launch, make_shop

EU_SELLER = "A2DEMOSELLEREU"


def _account(account_id: int) -> AmazonAccount:
    db.session.expire_all()
    return db.session.get(AmazonAccount, account_id)


def _reasons() -> list[str]:
    db.session.expire_all()
    return [entry.error_code for entry in db.session.scalars(db.select(LogEntry).order_by(LogEntry.id))]


@pytest.fixture
def two_shops(app, sandbox, shop, admin):
    other = make_shop("Shop B", origin="https://shop-b.example")
    admin_b = launch(app.test_client(), other)
    return (admin, add_account(admin, alias="A main")), (admin_b, add_account(admin_b, alias="B main"))


def _callback(popup, **params):
    return popup.get("/amazon/authorize/callback?" + urlencode(params))


def _callback_url(popup, amazon_response) -> str:
    """Where Amazon finally sends the seller back (through the log-in hop, in `popup`), without following it."""
    location = amazon_response.headers["Location"]
    if urlsplit(location).path == "/amazon/authorize/login":
        hop = popup.get(location[len(PUBLIC):])
        location = requests.get(hop.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    assert location.startswith(PUBLIC + "/amazon/authorize/callback"), location
    return location[len(PUBLIC):]


def test_open_redirects_through_the_login_hop_are_refused(app, sandbox, admin):
    account_id = add_account(admin)
    popup, start = open_popup(app, admin, account_id)
    go_to_consent(popup, start)
    base = app.config["AMAZON_ENDPOINTS"].seller_central_base
    for target in ("https://evil.example/steal", "//evil.example/x", "javascript:alert(1)",
                   f"https://evil.example/?next={base}/", f"{base}.evil.example/", f"{base}/../../../evil",
                   "http://sellercentral.amazon.com/apps/authorize/confirm", "", " " + base + "/x"):
        hop = popup.get("/amazon/authorize/login?" + urlencode({"amazon_callback_uri": target, "amazon_state": "s"}))
        assert hop.status_code == 400 and "Location" not in hop.headers, target
    assert _reasons().count("login_hop_invalid") == 9


@pytest.mark.parametrize("target, allowed", [
    ("https://sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.x", True),
    ("https://sellercentral-europe.amazon.com/apps/authorize/confirm/x", True),
    ("http://sellercentral.amazon.com/apps/authorize/confirm/x", False),
    ("https://sellercentral.amazon.com.evil.example/apps/authorize/confirm", False),
    ("https://user:pw@sellercentral.amazon.com/apps/authorize/confirm", False),
    ("https://evil.example/sellercentral.amazon.com", False),
    ("//sellercentral.amazon.com/apps", False),
])
def test_against_real_amazon_only_seller_central_hosts_are_allowed(app, target, allowed):
    assert "sellercentral.amazon.com" in seller_central_hosts()
    app.config["AMAZON_ENDPOINTS"] = amazon_endpoints("amazon", "")
    with app.test_request_context():
        assert authorization_views._is_seller_central(target) is allowed


def test_a_ticket_for_another_shops_account_is_not_found(two_shops):
    (admin_a, account_a), (admin_b, account_b) = two_shops
    page = admin_b.get(f"/admin/accounts/{account_b}").get_data(as_text=True)
    stolen = admin_b.post(f"/amazon/authorize/ticket/{account_a}", headers={"X-CSRFToken": csrf_from(page)})
    assert stolen.status_code == 404 and "url" not in (stolen.json or {})


def test_shop_as_state_in_shop_bs_popup_is_refused_and_connects_nobody(app, two_shops):
    (admin_a, account_a), (admin_b, account_b) = two_shops
    popup_a, start_a = open_popup(app, admin_a, account_a)
    amazon_a = consent(go_to_consent(popup_a, start_a), EU_SELLER)
    popup_b, start_b = open_popup(app, admin_b, account_b)
    go_to_consent(popup_b, start_b)

    # Shop A's way back from Amazon (its state, a fresh code) delivered in shop B's popup session.
    swapped = popup_b.get(_callback_url(popup_a, amazon_a))
    assert swapped.status_code == 400 and "another browser" in swapped.get_data(as_text=True)
    assert _account(account_a).refresh_token is None and _account(account_b).refresh_token is None
    assert "state_other_browser" in _reasons()


def test_a_state_naming_another_shops_account_is_unknown(app, two_shops):
    (admin_a, account_a), (admin_b, account_b) = two_shops
    popup_a, start_a = open_popup(app, admin_a, account_a)
    state_a = query(go_to_consent(popup_a, start_a))["state"]
    from connector.authorization import state as flow_state

    # Even with the signing key (a leaked state re-signed), an attempt cannot be pointed at another shop's account.
    with app.test_request_context():
        payload = flow_state._serializer("state").loads(state_a)
        forged = flow_state._serializer("state").dumps(
            {**payload, "shop": _account(account_b).shop_id, "account": account_b})
    answer = _callback(popup_a, state=forged, selling_partner_id=EU_SELLER, spapi_oauth_code="x")
    assert answer.status_code == 400 and _account(account_b).refresh_token is None
    assert "state_unknown" in _reasons()


def test_a_replayed_code_is_refused_logged_and_changes_nothing(app, sandbox, admin):
    account_id = add_account(admin)
    popup, start = open_popup(app, admin, account_id)
    amazon = consent(go_to_consent(popup, start), EU_SELLER)
    callback = _callback_url(popup, amazon)
    assert "Connected" in popup.get(callback).get_data(as_text=True)
    token = _account(account_id).refresh_token
    code = query(callback)["spapi_oauth_code"]
    # A second, valid flow whose callback carries the already-redeemed code.
    popup2, start2 = open_popup(app, admin, account_id)
    state = query(go_to_consent(popup2, start2))["state"]
    replay = _callback(popup2, state=state, selling_partner_id=EU_SELLER, spapi_oauth_code=code)
    assert replay.status_code == 400
    assert _account(account_id).refresh_token == token
    entry = db.session.scalars(db.select(LogEntry).order_by(LogEntry.id.desc())).first()
    assert entry.error_code == "invalid_grant" and entry.amazon_request_id and entry.http_status == 400


@fuzz_settings(30)
@given(params=st.dictionaries(
    st.sampled_from(["state", "spapi_oauth_code", "selling_partner_id", "error", "amazon_callback_uri",
                     "amazon_state", "version", "ticket", "mws_auth_token"]),
    st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
              st.sampled_from(["", "https://evil.example/", "javascript:alert(1)", "<script>alert(1)</script>",
                               "' OR 1=1 --", "A" * 4000])),
    max_size=6))
def test_the_popup_endpoints_take_any_query_without_a_500_or_a_token(app, sandbox, shop, params):
    popup = app.test_client()
    for path in ("/amazon/authorize/callback", "/amazon/authorize/login", "/amazon/authorize/start"):
        answer = popup.get(path, query_string=params)
        assert answer.status_code in (200, 400), (path, params, answer.status_code)
        assert "evil.example" not in answer.headers.get("Location", "")
        assert "<script>alert(1)</script>" not in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(AmazonAccount)
                             .where(AmazonAccount.refresh_token.is_not(None))) == 0
