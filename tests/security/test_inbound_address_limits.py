"""Inbound limits tests/test_inbound_limits.py leaves out: the per-address limit on every webhook (signed or not),
nothing stored for a refused delivery, and a forged X-Forwarded-For not opening a new bucket when no proxy is
configured (or more hops than the configured proxies)."""
from __future__ import annotations

import hostwebhooks as send
from connector import create_app
from connector.extensions import db
from connector.webhooks.models import WebhookDelivery
from helpers import make_shop


def test_one_address_over_the_webhook_limit_gets_clear_429s_and_nothing_is_stored(app):
    app.config["INBOUND_LIMITS"] = {**app.config["INBOUND_LIMITS"], "webhook_address": (0.001, 3)}
    shops = [make_shop(f"Shop {n}", origin=f"https://shop-{n}.example") for n in range(4)]
    client = app.test_client()
    answers = [send.woocommerce(client, shop, "coupon.created", {"id": n}) for n, shop in enumerate(shops)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json["error"] == "rate limited" and int(refused.headers["Retry-After"]) >= 1
    assert refused.json["detail"]
    assert db.session.query(WebhookDelivery).count() == 3

    forged = app.test_client()
    forged.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"  # no proxy configured: not believed
    assert send.woocommerce(forged, shops[0], "coupon.created", {"id": 9}).status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert send.woocommerce(elsewhere, shops[0], "coupon.created", {"id": 10}).status_code == 200


def test_behind_one_proxy_only_the_proxys_own_entry_counts(app):
    proxied = create_app({**app.config, "PROXY_COUNT": 1}, instance_path=app.instance_path)  # CONNECTOR_PROXY_COUNT=1
    proxied.config["INBOUND_LIMITS"] = {**app.config["INBOUND_LIMITS"], "webhook_address": (0.001, 2)}
    shop = make_shop()
    client = proxied.test_client()
    # The sender puts a fresh address first each time; the proxy appends the real one, which is what counts.
    codes = []
    for n in range(3):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}, 192.0.2.50"
        codes.append(send.woocommerce(client, shop, "coupon.created", {"id": n}).status_code)
    assert codes == [200, 200, 429]
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.51"  # another real sender behind the same proxy
    assert send.woocommerce(client, shop, "coupon.created", {"id": 7}).status_code == 200
    with proxied.app_context():
        senders = db.session.scalars(db.select(WebhookDelivery.remote_addr).order_by(WebhookDelivery.id)).all()
    assert senders == ["192.0.2.50", "192.0.2.50", "192.0.2.51"]
