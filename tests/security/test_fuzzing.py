"""Fuzzing what anybody can send: webhook endpoints (random bodies, headers, encodings, sizes, signatures) and the
admin's forms and query parameters (SQL-like and HTML-like strings). Never a 500, never an unsigned body processed,
never an unescaped string on a page."""
from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hostwebhooks as send
from connector.webhooks import handlers
from fuzzbudget import fuzz_settings
from helpers import csrf_from, make_shop

NASTY = [
    "' OR 1=1 --", "'; DROP TABLE log_entries; --", "\" onmouseover=\"alert(1)", "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>", "{{7*7}}", "{% raw %}", "%00", "\x00", "../../etc/passwd", "A" * 5000, "😀🛒",
    "\u202eRTL", "NULL", "1e999", "-1", "2026-13-45", "javascript:alert(1)", "%s%s%s", "\r\nSet-Cookie: x=1",
]
text_or_nasty = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
HEADER_NAMES = ["X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-ID",
                "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Triggered-At",
                "webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type", "Content-Encoding"]
header_value = st.text(alphabet=string.printable.replace("\r", "").replace("\n", ""), max_size=200)


@pytest.fixture
def fuzz_app(app):
    app.config["INBOUND_LIMITS"] = {name: (1e6, 10**9) for name in app.config["INBOUND_LIMITS"]}
    app.config["WEBHOOK_MAX_BYTES"] = 64 * 1024
    processed = []
    saved = dict(handlers._HANDLERS)
    for key in (("woocommerce", "product.updated"), ("shopify", "products/update"), ("generic", "stock.updated")):
        handlers._HANDLERS[key] = lambda event: processed.append(event.delivery.body)
    yield app, processed
    handlers._HANDLERS.clear()
    handlers._HANDLERS.update(saved)


@fuzz_settings(250)
@given(host=st.sampled_from(["woocommerce", "shopify", "generic"]),
       body=st.one_of(st.binary(max_size=2048), st.text(max_size=2048).map(str.encode),
                      st.sampled_from([b"", b"{}", b"[]", b"null", b'{"type": "stock.updated"}', b"webhook_id=1",
                                       b"\xff\xfe\x00", b"{" * 5000])),
       headers=st.dictionaries(st.sampled_from(HEADER_NAMES), header_value, max_size=8),
       oversize=st.booleans())
def test_unsigned_or_garbled_webhooks_are_refused_cleanly(fuzz_app, host, body, headers, oversize):
    app, processed = fuzz_app
    shop = _shop_for(host)
    if oversize:
        body = body + b" " * (64 * 1024)
    before = len(processed)
    response = app.test_client().post(f"/webhooks/{host}/{shop.shop_key}", data=body, headers=headers)
    assert response.status_code in (200, 400, 401, 413), response.status_code
    assert len(processed) == before, "an unsigned body was processed"
    if response.status_code == 200:
        # Only WooCommerce's unsigned creation ping may be answered 200 without a signature.
        assert host == "woocommerce" and response.json == {"status": "ok"}


@fuzz_settings(120)
@given(payload=st.one_of(st.binary(max_size=1024), st.sampled_from([b'{"id": 1}', b"{", b'"x"', b"[1, 2]"])))
def test_signed_deliveries_of_any_content_never_fail(fuzz_app, payload):
    app, processed = fuzz_app
    shop = _shop_for("woocommerce")
    response = send.woocommerce(app.test_client(), shop, "product.updated", payload)
    assert response.status_code in (200, 400)
    if response.status_code == 200 and response.json["status"] == "accepted":
        assert processed[-1] == payload


@fuzz_settings(120)
@given(host=st.sampled_from(["woocommerce", "shopify", "generic"]),
       body=st.one_of(st.binary(min_size=1, max_size=1024), st.sampled_from([b'{"id": 1}', b'{"type": "x"}'])),
       tamper=st.sampled_from(["body", "other shop", "old secret", "truncated", "case", "none"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_a_signature_that_does_not_match_this_body_and_shop_is_never_processed(fuzz_app, host, body, tamper,
                                                                                encoding):
    """Correct signatures over something else: a changed body, another shop's secret, an old secret, a cut or
    re-cased signature. Bodies in other encodings are signed as sent."""
    app, processed = fuzz_app
    shop, other = _shop_for(host), _other_shop_for(host)
    if encoding != "utf-8":
        body = body.decode("utf-8", "replace").encode(encoding, "replace")
    signed_body = body
    secret = shop.webhook_secret
    if tamper == "other shop":
        secret = other.webhook_secret
    elif tamper == "old secret":
        secret = "whsec_" + "b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ="
    headers = _signed_headers(host, shop, secret, signed_body)
    sent_body = body + b" " if tamper == "body" else body
    name = {"woocommerce": "X-WC-Webhook-Signature", "shopify": "X-Shopify-Hmac-Sha256",
            "generic": "webhook-signature"}[host]
    if tamper == "truncated":
        headers[name] = headers[name][:-4]
    elif tamper == "case":
        headers[name] = headers[name].swapcase()
    before = len(processed)
    response = app.test_client().post(f"/webhooks/{host}/{shop.shop_key}", data=sent_body, headers=headers)
    assert response.status_code in (200, 400, 401, 413), response.status_code
    if tamper != "none":
        assert response.status_code == 401 and len(processed) == before, (tamper, response.status_code)


def _signed_headers(host: str, shop, secret: str, body: bytes) -> dict:
    if host == "generic":
        return send.standard_headers(secret, body)
    if host == "shopify":
        return {"X-Shopify-Hmac-Sha256": send.hmac_base64(secret.encode(), body), "X-Shopify-Topic": "products/update",
                "X-Shopify-Webhook-Id": "fuzz-1", "X-Shopify-Shop-Domain": "fuzz.myshopify.com",
                "Content-Type": "application/json"}
    return {"X-WC-Webhook-Signature": send.hmac_base64(secret.encode(), body), "X-WC-Webhook-Topic": "product.updated",
            "X-WC-Webhook-Delivery-ID": "fuzz-1", "X-WC-Webhook-ID": "1", "Content-Type": "application/json"}


def _other_shop_for(host: str):
    from connector.extensions import db
    from connector.shops.models import Shop

    shop = db.session.scalar(db.select(Shop).where(Shop.host_kind == host, Shop.name == f"Other {host}"))
    return shop or make_shop(f"Other {host}", host=host, origin=f"https://other-{host}.fuzz.example")


def _shop_for(host: str):
    from connector.extensions import db
    from connector.shops.models import Shop

    shop = db.session.scalar(db.select(Shop).where(Shop.host_kind == host))
    return shop or make_shop(f"Fuzz {host}", host=host, origin=f"https://{host}.fuzz.example")


@fuzz_settings(60)
@given(values=st.fixed_dictionaries({name: text_or_nasty for name in (
    "q", "kind", "level", "since", "until", "account", "after", "before", "page", "status", "topic", "run")}))
def test_admin_query_parameters_never_fail_and_are_escaped(admin, values):
    for path in ("/admin/log", "/admin/runs", "/admin/webhooks", "/admin/log/export.csv", "/admin/log/export.json"):
        response = admin.get(path, query_string=values)
        has_nul = any("\x00" in value for value in values.values())
        assert response.status_code == (400 if has_nul else 200), (path, values)
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page and "onmouseover=\"alert" not in page


@fuzz_settings(40)
@given(alias=text_or_nasty, city=text_or_nasty, email=text_or_nasty, url=text_or_nasty)
def test_admin_forms_never_fail_and_show_input_escaped(admin, alias, city, email, url):
    page = admin.get("/admin/accounts/new").get_data(as_text=True)
    created = admin.post("/admin/accounts/new", data={
        "csrf_token": csrf_from(page), "alias": alias, "region": "EU", "marketplace_ids": ["A1PA6795UKMFR9"],
        "ship_from_city": city, "ship_from_country": "DE"})
    assert created.status_code in (302, 400, 422)
    for path in ("/admin/", created.headers.get("Location") or "/admin/"):
        shown = admin.get(path).get_data(as_text=True)
        assert "<script>alert" not in shown and "<img src=x" not in shown
    settings_page = admin.get("/admin/settings").get_data(as_text=True)
    saved = admin.post("/admin/settings", data={"csrf_token": csrf_from(settings_page), "contact_email": email,
                                                "notification_url": url, "timezone": "UTC"})
    assert saved.status_code in (302, 400)
    assert "<script>alert" not in admin.get("/admin/settings").get_data(as_text=True)


def test_nul_in_admin_input_is_a_clear_400(admin):
    assert admin.get("/admin/log", query_string={"q": "A\x00B"}).status_code == 400
    page = admin.get("/admin/accounts/new").get_data(as_text=True)
    answer = admin.post("/admin/accounts/new", data={"csrf_token": csrf_from(page), "alias": "X\x00"})
    assert answer.status_code == 400 and "cannot be stored" in answer.get_data(as_text=True)


@pytest.mark.parametrize("host", ["woocommerce", "shopify", "generic"])
def test_the_tampering_fuzz_starts_from_signatures_that_work(fuzz_app, host):
    app, processed = fuzz_app
    shop = _shop_for(host)
    body = b'{"type": "stock.updated", "id": 1}'
    response = app.test_client().post(f"/webhooks/{host}/{shop.shop_key}", data=body,
                                      headers=_signed_headers(host, shop, shop.webhook_secret, body))
    assert response.status_code == 200 and processed[-1] == body
