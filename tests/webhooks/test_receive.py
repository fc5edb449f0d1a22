"""Receiving webhooks: signatures over the raw bytes, durable before acknowledged, duplicates and bad input."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select, text

import hostwebhooks as send
from connector.extensions import db
from connector.synclog.models import LogEntry
from connector.webhooks import endpoint
from connector.webhooks.models import DeliveryStatus, WebhookDelivery
from connector.webhooks.signatures import SignatureRejected, verify_standard
from helpers import HOSTS_DIR, make_shop

WC_SECRET = "test-webhook-secret-123"  # the secret of the WooCommerce vector in tests/data/hosts


def deliveries(status: str | None = None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    return list(db.session.scalars(query))


def log_messages() -> list[str]:
    return [entry.message for entry in db.session.scalars(select(LogEntry).order_by(LogEntry.id))]


def test_woocommerce_vector_is_accepted_stored_byte_for_byte_and_processed(app, handled):
    shop = make_shop(webhook_secret=WC_SECRET)
    wire = send.host_file("woocommerce/product.updated.stock-managed.DERIVED.wire-body.txt").rstrip(b"\n")
    vector = json.loads((HOSTS_DIR / "woocommerce/delivery.headers.example.json").read_text())["request_headers"]
    headers = {key: value for key, value in vector.items() if key != "X-WC-Webhook-Delivery-ID"}
    response = app.test_client().post(f"/webhooks/woocommerce/{shop.shop_key}", data=wire,
                                      headers={**headers, "X-WC-Webhook-Delivery-ID": "a" * 32})
    assert response.status_code == 200 and response.json["status"] == "accepted"
    [stored] = deliveries()
    assert stored.body == wire and stored.topic == "product.updated" and stored.status == DeliveryStatus.PROCESSED
    assert handled.events == [("product.updated", json.loads(wire))]


def test_woocommerce_ping_answers_exactly_200_and_stores_nothing(app, handled):
    shop = make_shop()
    response = app.test_client().post(f"/webhooks/woocommerce/{shop.shop_key}",
                                      data=send.host_file("woocommerce/ping.body.txt"),
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and deliveries() == [] and handled.events == []


def test_wrong_or_missing_signature_is_401_logged_and_not_processed(app, handled):
    shop = make_shop()
    client = app.test_client()
    assert send.woocommerce(client, shop, "product.updated", {"id": 1}, secret="wrong").status_code == 401
    unsigned = client.post(f"/webhooks/woocommerce/{shop.shop_key}", data=b'{"id": 1}',
                           headers={"X-WC-Webhook-Topic": "product.updated"})
    assert unsigned.status_code == 401
    assert send.shopify(client, shop, "products/update", {"id": 1}).status_code == 404  # a WooCommerce shop
    rejected = deliveries(DeliveryStatus.REJECTED)
    assert len(rejected) == 2 and all(d.body is None for d in rejected) and handled.events == []
    assert "signature does not match" in rejected[0].problem and "header is missing" in rejected[1].problem
    assert sum("Refused a WooCommerce webhook (product.updated)" in m for m in log_messages()) == 2


def test_another_shops_secret_does_not_open_this_shop(app, handled):
    shop_a, shop_b = make_shop("A"), make_shop("B", origin="https://shop-b.example")
    response = send.woocommerce(app.test_client(), shop_a, "product.updated", {"id": 1}, secret=shop_b.webhook_secret)
    assert response.status_code == 401 and handled.events == []


def test_woocommerce_duplicates_need_the_same_delivery_id_and_body(app, handled):
    shop = make_shop()
    client = app.test_client()
    first = send.woocommerce(client, shop, "product.updated", {"id": 1, "stock_quantity": 5}, delivery_id="d1")
    again = send.woocommerce(client, shop, "product.updated", {"id": 1, "stock_quantity": 5}, delivery_id="d1")
    # WooCommerce reuses a delivery ID within the same second: a different body is a different delivery.
    other = send.woocommerce(client, shop, "product.updated", {"id": 2, "stock_quantity": 7}, delivery_id="d1")
    assert [r.json["status"] for r in (first, again, other)] == ["accepted", "duplicate", "accepted"]
    assert len(handled.events) == 2 and deliveries()[0].duplicates == 1


def test_shopify_hmac_and_webhook_id_dedupe(app, handled):
    shop = make_shop(host="shopify")
    client = app.test_client()
    body = send.host_file("shopify/products_update.json")
    assert send.shopify(client, shop, "products/update", body, webhook_id="w-1").json["status"] == "accepted"
    assert send.shopify(client, shop, "products/update", body, webhook_id="w-1").json["status"] == "duplicate"
    assert send.shopify(client, shop, "products/update", body, secret="hush").status_code == 401
    assert len(handled.events) == 1 and handled.events[0][1] == json.loads(body)


def test_standard_webhooks_vector_and_tolerance():
    vector = json.loads((HOSTS_DIR / "standardwebhooks/test_vector.json").read_text())
    body, headers = vector["body"].encode(), vector["headers"]
    sent = datetime.fromtimestamp(int(headers["webhook-timestamp"]), timezone.utc)
    verified = verify_standard(vector["secret"], body, headers, now=sent)
    assert verified.dedupe_key == "sw:msg_p5jXN8AQM9LWM0D4loKWxJek" and verified.sent_at == sent
    for late in (-301, 301):
        try:
            verify_standard(vector["secret"], body, headers, now=datetime.fromtimestamp(sent.timestamp() + late, timezone.utc))
        except SignatureRejected as rejected:
            assert "five minutes" in str(rejected)
        else:
            raise AssertionError("a timestamp outside the tolerance was accepted")


def test_generic_endpoint_accepts_rotated_signatures_and_refuses_old_timestamps(app, handled):
    shop = make_shop(host="generic")
    client = app.test_client()
    body = json.dumps({"type": "stock.updated", "data": {"sku": "A-1", "quantity": 3}}).encode()
    headers = send.standard_headers(shop.webhook_secret, body, "msg_1")
    rotated = {**headers, "webhook-signature": "v1,b2xkIHNlY3JldA== " + headers["webhook-signature"]}
    url = f"/webhooks/generic/{shop.shop_key}"
    assert client.post(url, data=body, headers=rotated).json["status"] == "accepted"
    assert client.post(url, data=body, headers=headers).json["status"] == "duplicate"
    stale = send.standard_headers(shop.webhook_secret, body, "msg_2", timestamp=int(datetime.now().timestamp()) - 600)
    assert client.post(url, data=body, headers=stale).status_code == 401
    assert handled.events == [("stock.updated", {"type": "stock.updated", "data": {"sku": "A-1", "quantity": 3}})]


def test_signed_but_malformed_json_is_400_and_kept_for_support(app, handled):
    shop = make_shop()
    response = send.woocommerce(app.test_client(), shop, "product.updated", b'{"id": 1,')
    assert response.status_code == 400 and "malformed JSON" in response.json["error"]
    [kept] = deliveries(DeliveryStatus.REJECTED)
    assert kept.body == b'{"id": 1,' and "not valid JSON" in kept.problem and handled.events == []


def test_body_over_the_limit_is_413(app, handled):
    app.config["WEBHOOK_MAX_BYTES"] = 1000
    shop = make_shop()
    response = send.woocommerce(app.test_client(), shop, "product.updated", {"name": "x" * 2000})
    assert response.status_code == 413
    [refused] = deliveries(DeliveryStatus.REJECTED)
    assert refused.body is None and "over the limit of 1000 bytes" in refused.problem
    assert any("CONNECTOR_WEBHOOK_MAX_BYTES" in m for m in log_messages())


def test_unknown_topic_is_200_ignored_and_logged_once(app, handled):
    shop = make_shop()
    client = app.test_client()
    for coupon in (1, 2):
        response = send.woocommerce(client, shop, "coupon.created", {"id": coupon})
        assert response.status_code == 200 and response.json["status"] == "ignored"
    assert len(deliveries(DeliveryStatus.IGNORED)) == 2 and handled.events == []
    assert sum('topic "coupon.created"' in m for m in log_messages()) == 1


def test_unknown_shop_key_is_404(app, handled):
    response = app.test_client().post("/webhooks/woocommerce/no-such-shop", data=b"{}")
    assert response.status_code == 404 and deliveries() == []


def test_nul_characters_are_refused_with_400_not_a_database_error(app, handled):
    shop = make_shop()
    response = send.woocommerce(app.test_client(), shop, "product.updated", b'{"sku": "A\\u0000B"}')
    assert response.status_code == 400 and "NUL" in response.json["error"]
    [refused] = deliveries(DeliveryStatus.REJECTED)
    assert "NUL characters" in refused.problem and handled.events == []


def test_a_secret_changed_elsewhere_is_honoured_at_once(app, handled):
    shop = make_shop()
    client = app.test_client()
    assert send.woocommerce(client, shop, "product.updated", {"id": 1}).status_code == 200  # secret now remembered
    db.session.execute(db.update(type(shop)).where(type(shop).id == shop.id).values(webhook_secret="changed-elsewhere"))
    db.session.commit()  # as another process would: this process's memory is not told
    assert send.woocommerce(client, shop, "product.updated", {"id": 2}, secret="changed-elsewhere").status_code == 200


def test_a_delivery_from_a_browser_with_an_admin_session_neither_reads_nor_renews_it(app, handled):
    """Deliveries open no session: an admin's cookie sent along (a browser, a misconfigured proxy) is ignored and
    no cookie is set on the answer, while the admin pages keep their session."""
    from helpers import launch

    shop = make_shop("Browser shop", host="generic", origin="https://browser.example")
    browser = launch(app.test_client(), shop)
    answer = send.generic(browser, shop, "stock.updated", {"sku": "S-1", "quantity": 2})
    assert answer.status_code == 200 and answer.json["status"] == "accepted"
    assert "Set-Cookie" not in answer.headers and answer.headers["X-Content-Type-Options"] == "nosniff"
    assert browser.get("/admin/").status_code == 200


def test_only_post_delivers(app, handled):
    shop = make_shop()
    for method in ("get", "put", "delete"):
        answer = getattr(app.test_client(), method)(f"/webhooks/woocommerce/{shop.shop_key}")
        assert answer.status_code == 405 and "POST" in answer.headers["Allow"]
    assert deliveries() == [] and handled.events == []


def test_a_database_that_cannot_store_the_delivery_gets_503_and_the_delivery_arrives_when_sent_again(app, handled):
    shop = make_shop(host="generic")
    client = app.test_client()
    db.session.execute(text("ALTER TABLE webhook_deliveries RENAME TO webhook_deliveries_away"))
    db.session.commit()
    try:
        refused = send.generic(client, shop, "stock.updated", {"sku": "S-1", "quantity": 4}, message_id="msg_again")
    finally:
        db.session.execute(text("ALTER TABLE webhook_deliveries_away RENAME TO webhook_deliveries"))
        db.session.commit()
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    assert refused.json["error"] == "temporarily unavailable"
    again = send.generic(client, shop, "stock.updated", {"sku": "S-1", "quantity": 4}, message_id="msg_again")
    assert again.status_code == 200 and again.json["status"] == "accepted"
    assert handled.events == [("stock.updated", {"type": "stock.updated", "timestamp": "2026-11-23T10:00:00Z",
                                                  "data": {"sku": "S-1", "quantity": 4}})]


def test_an_unexpected_error_is_a_logged_500_in_json_and_the_next_delivery_is_received(app, handled, monkeypatch,
                                                                                       caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production, where errors are answered, not raised
    shop = make_shop(host="generic")
    client = app.test_client()
    real_receiver = endpoint.receiver
    monkeypatch.setattr(endpoint, "receiver", lambda key: (_ for _ in ()).throw(RuntimeError("a bug")))
    failed = send.generic(client, shop, "stock.updated", {"sku": "S-1", "quantity": 4})
    assert failed.status_code == 500 and failed.json["error"] == "internal error"
    assert failed.headers["X-Content-Type-Options"] == "nosniff"
    assert any("Webhook delivery" in record.message and record.exc_info for record in caplog.records)
    monkeypatch.setattr(endpoint, "receiver", real_receiver)
    assert send.generic(client, shop, "stock.updated", {"sku": "S-1", "quantity": 5}).status_code == 200
    assert len(handled.events) == 1
