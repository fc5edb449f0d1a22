"""Launching the admin from the cart: signed, short-lived, single-use, and one shop never sees another."""
from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import OctKey

from helpers import HOSTS_DIR, add_account, launch, make_shop
from connector.shops.launch import make_launch_token


def test_no_admin_page_without_a_launch(app):
    client = app.test_client()
    for path in ("/admin/", "/admin/accounts/new", "/admin/log", "/admin/settings"):
        response = client.get(path)
        assert response.status_code == 401
        assert "Open the connector from your shop admin" in response.get_data(as_text=True)


def test_launch_token_opens_a_session_once(app, shop):
    client = app.test_client()
    token = make_launch_token(shop)
    assert client.get(f"/admin/launch?token={token}").status_code == 302
    assert client.get("/admin/").status_code == 200
    replay = app.test_client().get(f"/admin/launch?token={token}")
    assert replay.status_code == 401
    assert "already used" in replay.get_data(as_text=True)


def test_forged_and_expired_launch_tokens_are_refused(app, shop):
    client = app.test_client()
    forged = make_launch_token(shop)[:-3] + "abc"
    assert "not valid" in client.get(f"/admin/launch?token={forged}").get_data(as_text=True)
    token = make_launch_token(shop)
    app.config["LAUNCH_TOKEN_MAX_AGE"] = -1
    response = client.get(f"/admin/launch?token={token}")
    assert response.status_code == 401 and "expired" in response.get_data(as_text=True)


def test_session_cookie_works_in_a_third_party_iframe(app, shop):
    response = app.test_client().get(f"/admin/launch?token={make_launch_token(shop)}")
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie and "HttpOnly" in cookie


def test_frame_ancestors_limited_to_the_shops_admin_origin(app, admin):
    policy = admin.get("/admin/").headers["Content-Security-Policy"]
    assert "frame-ancestors https://shop-a.example" in policy
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in app.test_client().get("/admin/").headers["Content-Security-Policy"]


def test_shop_a_session_cannot_read_or_change_shop_b(app, admin):
    shop_b = make_shop("Shop B", origin="https://shop-b.example")
    client_b = launch(app.test_client(), shop_b)
    account_b = add_account(client_b, alias="B's account")
    assert admin.get(f"/admin/accounts/{account_b}").status_code == 404
    assert admin.get(f"/admin/accounts/{account_b}/status").status_code == 404
    page = admin.get("/admin/")
    assert "B&#39;s account" not in page.get_data(as_text=True) and "B's account" not in page.get_data(as_text=True)
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    assert admin.post(f"/admin/accounts/{account_b}/delete", data={"csrf_token": token}).status_code == 404
    assert admin.post(f"/amazon/authorize/ticket/{account_b}", headers={"X-CSRFToken": token}).status_code == 404
    assert client_b.get(f"/admin/accounts/{account_b}").status_code == 200


def test_state_changing_requests_need_the_csrf_token(app, admin):
    response = admin.post("/admin/accounts/new", data={"alias": "x", "region": "EU", "marketplace_ids": "A1PA6795UKMFR9"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    account_id = add_account(admin)
    assert admin.post(f"/admin/accounts/{account_id}/delete").status_code == 400
    assert admin.post(f"/amazon/authorize/ticket/{account_id}").status_code == 400
    assert admin.get(f"/admin/accounts/{account_id}").status_code == 200


def test_support_role_reads_but_cannot_change(app, shop):
    owner = launch(app.test_client(), shop)
    account_id = add_account(owner)
    support = launch(app.test_client(), shop, role="support")
    page = support.get(f"/admin/accounts/{account_id}")
    assert page.status_code == 200 and "data-request-token" not in page.get_data(as_text=True)
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    assert support.post(f"/admin/accounts/{account_id}/delete", data={"csrf_token": token}).status_code == 403
    assert support.post(f"/amazon/authorize/ticket/{account_id}", headers={"X-CSRFToken": token}).status_code == 403


def _shopify_shop(vector):
    return make_shop(
        "Shopify shop", host="shopify", origin="https://admin.shopify.com",
        host_client_id=vector["client_id(aud)"], shop_domain="example-shop.myshopify.com",
        webhook_secret=vector["client_secret"],
    )


def test_shopify_session_token_vector(app, monkeypatch):
    vector = json.loads((HOSTS_DIR / "shopify/session_token.example.json").read_text())
    shop = _shopify_shop(vector)
    token = vector["authorization_header"].removeprefix("Bearer ")
    monkeypatch.setattr(time, "time", lambda: 1700000030)
    response = app.test_client().get(f"/admin/launch?shop={shop.shop_key}&id_token={token}")
    assert response.status_code == 302
    monkeypatch.setattr(time, "time", lambda: 1700000030)
    replay = app.test_client().get(f"/admin/launch?shop={shop.shop_key}", headers={"Authorization": f"Bearer {token}"})
    assert replay.status_code == 401


def test_shopify_session_token_checks_expiry_audience_and_signature(app):
    vector = json.loads((HOSTS_DIR / "shopify/session_token.example.json").read_text())
    shop = _shopify_shop(vector)
    client = app.test_client()
    expired = vector["authorization_header"].removeprefix("Bearer ")
    assert client.get(f"/admin/launch?shop={shop.shop_key}&id_token={expired}").status_code == 401

    now = int(time.time())
    claims = dict(vector["claims"], exp=now + 60, nbf=now - 5, iat=now - 5, jti="fresh-1")
    header = {"alg": "HS256", "typ": "JWT"}
    key = OctKey.import_key(vector["client_secret"])
    good = jwt.encode(header, claims, key)
    wrong_audience = jwt.encode(header, dict(claims, aud="other", jti="fresh-2"), key)
    wrong_key = jwt.encode(header, dict(claims, jti="fresh-3"), OctKey.import_key("not-the-secret-but-long-enough"))
    not_yet = jwt.encode(header, dict(claims, nbf=now + 600, jti="fresh-4"), key)
    assert client.get(f"/admin/launch?shop={shop.shop_key}&id_token={wrong_audience}").status_code == 401
    assert client.get(f"/admin/launch?shop={shop.shop_key}&id_token={wrong_key}").status_code == 401
    assert client.get(f"/admin/launch?shop={shop.shop_key}&id_token={not_yet}").status_code == 401
    assert client.get(f"/admin/launch?shop={shop.shop_key}&id_token={good}").status_code == 302


def test_session_tokens_are_refused_for_non_shopify_shops(app, shop):
    vector = json.loads((HOSTS_DIR / "shopify/session_token.example.json").read_text())
    token = vector["authorization_header"].removeprefix("Bearer ")
    assert app.test_client().get(f"/admin/launch?shop={shop.shop_key}&id_token={token}").status_code == 401


def test_demo_cart_admin_frames_the_connector(app, shop):
    response = app.test_client().get(f"/demo-cart/{shop.shop_key}", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'src="http://connector.test/admin/launch?token=' in html
    assert "frame-src 'self' http://connector.test;" in response.headers["Content-Security-Policy"]
    remote = app.test_client().get(f"/demo-cart/{shop.shop_key}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404
