"""A stand-in cart admin for the embedded demo: frames the connector the way WooCommerce or Shopify would, and
lists the orders of the demo shop's store, where shipping one sends WooCommerce's signed order.updated webhook.

Outside production only, and only for requests from this machine, because it mints launch links for any shop.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import requests
from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for

from ..extensions import csrf
from ..shops.launch import launch_url
from ..shops.models import Shop
from ..shops.operations import find_shop
from . import api
from .store import open_store

bp = Blueprint("democart", __name__, url_prefix="/demo-cart")
CARRIERS = ("ups", "usps", "fedex", "dhl", "royal-mail", "Speedy Parcels")


@bp.before_request
def local_only() -> None:
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(404)


def _shop(shop_key: str) -> Shop:
    shop = find_shop(shop_key)
    if shop is None:
        abort(404)
    return shop


def _form_token(shop: Shop) -> str:
    """The demo store's own form token: its pages live on another site than the connector's session cookie."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), f"demo-store:{shop.shop_key}".encode(),
                    hashlib.sha256).hexdigest()


@bp.get("/<shop_key>")
def cart_admin(shop_key: str):
    shop = _shop(shop_key)
    g.frame_sources = [current_app.config["PUBLIC_URL"]]
    return render_template("democart/cart_admin.html", shop=shop, launch=launch_url(shop))


@bp.get("/<shop_key>/orders")
def orders(shop_key: str):
    shop = _shop(shop_key)
    with open_store(shop.shop_key) as store:
        listed = sorted(store["orders"].values(), key=lambda order: order["id"], reverse=True)
    return render_template("democart/orders.html", shop=shop, orders=listed, carriers=CARRIERS,
                           form_token=_form_token(shop), tracking=f"1Z{uuid.uuid4().int % 10**16:016d}")


@bp.post("/<shop_key>/orders/<int:order_id>/ship")
def ship(shop_key: str, order_id: int):
    """Complete the order with a Shipment Tracking entry, as the shop owner would, and tell the connector."""
    shop = _shop(shop_key)
    if not hmac.compare_digest(request.form.get("form_token", ""), _form_token(shop)):
        abort(400)
    carrier, tracking = request.form.get("carrier", ""), request.form.get("tracking_number", "").strip()
    with open_store(shop.shop_key, write=True) as store:
        order = store["orders"].get(str(order_id))
        if order is None:
            abort(404)
        order["status"] = "completed"
        entry = {"tracking_provider": "" if carrier not in CARRIERS[:-1] else carrier,
                 "custom_tracking_provider": "" if carrier in CARRIERS[:-1] else carrier,
                 "tracking_number": tracking, "date_shipped": str(int(time.time())),
                 "tracking_id": uuid.uuid4().hex}
        order["meta_data"] = [meta for meta in order.get("meta_data") or []
                              if meta.get("key") != "_wc_shipment_tracking_items"]
        order["meta_data"].append({"key": "_wc_shipment_tracking_items", "value": [entry]})
    answer = _send_order_updated(shop, order)
    flash(f"Order {order_id} shipped with {carrier} {tracking}; WooCommerce's order.updated webhook answered "
          f"{answer}.", "success")
    return redirect(url_for(".orders", shop_key=shop.shop_key))


def _send_order_updated(shop: Shop, order: dict) -> str:
    body = json.dumps(order).encode()
    signature = base64.b64encode(hmac.new(shop.webhook_secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {"Content-Type": "application/json", "X-WC-Webhook-Topic": "order.updated",
               "X-WC-Webhook-Resource": "order", "X-WC-Webhook-Event": "updated",
               "X-WC-Webhook-Signature": signature, "X-WC-Webhook-ID": "1",
               "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
               "X-WC-Webhook-Source": url_for(".cart_admin", shop_key=shop.shop_key, _external=True)}
    url = f"{current_app.config['PUBLIC_URL']}/webhooks/woocommerce/{shop.shop_key}"
    try:
        return f"HTTP {requests.post(url, data=body, headers=headers, timeout=10).status_code}"
    except requests.RequestException as error:
        return f"nothing ({type(error).__name__}: is the connector running at {url}?)"


def init_app(app: Flask) -> None:
    if app.config["ENV_NAME"] != "production":
        csrf.exempt(bp)
        app.register_blueprint(bp)
        api.init_app(app)
