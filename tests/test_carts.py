"""The cart connection: WooCommerce (OAuth 1.0a over HTTP), Shopify GraphQL, generic signed events, and the
Settings page that stores the credentials encrypted and never shows them again."""
from __future__ import annotations

import pytest

import hostwebhooks as send
from connector.carts.connection import cart_client, check_cart_connection
from connector.carts.errors import CartAuthFailed, CartNotConfigured, CartRejected, CartUnavailable
from connector.carts.generic import GenericCartClient
from connector.extensions import db
from connector.webhooks.signatures import verify_standard
from fakecarts import FakeShopify, FakeWooCommerce
from helpers import csrf_from, launch, make_shop
from test_platform import _raw_database_bytes


@pytest.fixture
def woo():
    server = FakeWooCommerce()
    yield server
    server.stop()


@pytest.fixture
def shopify():
    server = FakeShopify()
    yield server
    server.stop()


def woo_shop(woo, secret=None):
    shop = make_shop()
    shop.cart_api_url, shop.cart_api_key = woo.url, woo.consumer_key
    shop.cart_api_secret = secret or woo.consumer_secret
    db.session.commit()
    return shop


def test_woocommerce_over_http_signs_with_oauth1(app, woo):
    woo.add_product("ABC-1")
    woo.add_product("ABC-2")
    assert check_cart_connection(woo_shop(woo)).message == f"Connected to WooCommerce at {woo.url}: 2 products."
    assert "oauth_signature" in woo.requests[-1]["args"] and "Authorization" not in woo.requests[-1]["headers"]


def test_woocommerce_wrong_secret_down_and_rate_limited(app, woo):
    with pytest.raises(CartAuthFailed) as refused:
        cart_client(woo_shop(woo, secret="cs_wrong")).check()
    assert refused.value.http_status == 401 and "Invalid signature" in str(refused.value)
    client = cart_client(woo_shop(woo))
    woo.misbehave.down = True
    with pytest.raises(CartUnavailable) as down:
        client.check()
    assert down.value.retryable and down.value.http_status == 503
    woo.misbehave.down = False
    waits = []
    client.http.sleep = waits.append
    woo.misbehave.status, woo.misbehave.count, woo.misbehave.retry_after = 429, 1, "2"
    assert client.check().startswith("Connected")
    assert waits == [2.0]


def test_woocommerce_slow_answer_is_a_timeout(app, woo):
    app.config["CART_HTTP_TIMEOUT"] = 0.2
    woo.misbehave.delay = 0.5
    with pytest.raises(CartUnavailable) as slow:
        cart_client(woo_shop(woo)).check()
    assert "no answer within 0.2 seconds" in str(slow.value)


def test_shopify_graphql_token_errors_and_throttling(app, shopify):
    shop = make_shop(host="shopify")
    shop.cart_api_url, shop.cart_api_secret = shopify.url, shopify.access_token
    db.session.commit()
    client = cart_client(shop)
    assert client.check() == "Connected to Shopify shop Fake Shop (fake-shop.myshopify.com)."
    shopify.answer_with_errors.append([{"message": "Throttled", "extensions": {"code": "THROTTLED"}}])
    with pytest.raises(CartUnavailable) as slow_down:
        client.check()
    assert slow_down.value.code == "THROTTLED"
    shop.cart_api_secret = "shpat_wrong"
    with pytest.raises(CartAuthFailed):
        cart_client(shop).check()


def test_shopify_unknown_field_is_a_rejection(app, shopify):
    shop = make_shop(host="shopify")
    shop.cart_api_url, shop.cart_api_secret = shopify.url, shopify.access_token
    with pytest.raises(CartRejected) as rejected:
        cart_client(shop).graphql("query { products(first: 1) { nodes { id } } }")
    assert "doesn't exist" in str(rejected.value)


def test_generic_events_are_signed_with_standard_webhooks(app):
    from fakehost import FakeHost

    host = FakeHost()
    shop = make_shop(host="generic", notification_url=f"{host.url}/events")
    message_id = GenericCartClient.for_shop(shop).send_event("amazon.order.created", {"amazon_order_id": "1-2-3"},
                                                             "msg_order_1")
    request = host.requests[0]
    headers = {key.lower(): value for key, value in request["headers"].items()}
    verified = verify_standard(shop.webhook_secret, request["body"], headers)
    assert verified.delivery_id == message_id == "msg_order_1"
    assert request["json"]["type"] == "amazon.order.created" and request["json"]["data"] == {"amazon_order_id": "1-2-3"}
    host.fail_with = 500
    with pytest.raises(CartUnavailable):
        GenericCartClient.for_shop(shop).send_event("amazon.order.created", {})
    host.stop()


def test_unconfigured_cart_says_what_to_do(app):
    with pytest.raises(CartNotConfigured) as missing:
        cart_client(make_shop()).check()
    assert "Settings page" in str(missing.value)


def test_settings_page_stores_cart_credentials_encrypted_and_write_only(app, woo):
    woo.add_product("ABC-1")
    shop = make_shop()
    admin = launch(app.test_client(), shop)
    page = admin.get("/admin/settings").get_data(as_text=True)
    response = admin.post("/admin/settings/cart", data={
        "csrf_token": csrf_from(page), "cart_api_url": woo.url, "cart_api_key": woo.consumer_key,
        "cart_api_secret": woo.consumer_secret})
    assert response.status_code == 302
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert woo.consumer_secret not in page and woo.consumer_key not in page
    assert woo.consumer_secret.encode() not in _raw_database_bytes(app)
    admin.post("/admin/settings/cart", data={"csrf_token": csrf_from(page), "cart_api_url": woo.url})
    db.session.expire_all()
    assert shop.cart_api_secret == woo.consumer_secret  # an empty field keeps the stored secret
    admin.post("/admin/settings/cart/test", data={"csrf_token": csrf_from(page)})
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "Connected to WooCommerce" in page and "1 products" in page


def test_support_cannot_change_settings_and_csrf_is_required(app):
    shop = make_shop()
    support = launch(app.test_client(), shop, role="support")
    page = support.get("/admin/settings").get_data(as_text=True)
    assert support.post("/admin/settings/cart", data={"csrf_token": csrf_from(page)}).status_code == 403
    assert support.post("/admin/settings", data={"csrf_token": csrf_from(page)}).status_code == 403
    owner = launch(app.test_client(), shop)
    assert owner.post("/admin/settings/webhook-secret").status_code == 400  # no CSRF token


def test_new_webhook_secret_is_shown_once_and_the_old_one_stops_working(app):
    shop = make_shop()
    old_secret = shop.webhook_secret
    admin = launch(app.test_client(), shop)
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert old_secret not in page and f"/webhooks/woocommerce/{shop.shop_key}" in page
    shown = admin.post("/admin/settings/webhook-secret", data={"csrf_token": csrf_from(page)}).get_data(as_text=True)
    db.session.expire_all()
    assert shop.webhook_secret != old_secret and shop.webhook_secret in shown
    assert shop.webhook_secret not in admin.get("/admin/settings").get_data(as_text=True)
    client = app.test_client()
    assert send.woocommerce(client, shop, "coupon.created", {"id": 1}, secret=old_secret).status_code == 401
    assert send.woocommerce(client, shop, "coupon.created", {"id": 1}).status_code == 200
