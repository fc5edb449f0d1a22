"""The shop's Settings page: reminders and time zone, the cart API connection, and the webhook setup."""
from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, Flask, flash, g, redirect, render_template, url_for
from flask_babel import gettext

from ..carts.connection import check_cart_connection
from ..security.crypto import mask
from .forms import CartConnectionForm, ShopifySecretForm, ShopSettingsForm
from .operations import rotate_webhook_secret, set_shopify_client_secret, update_cart_connection, update_settings
from .session import actor_name, require_owner, shop_required

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")
TIMEZONES = sorted(available_timezones())


def _page(status: int = 200, new_secret: str | None = None, **forms):
    shop = g.shop
    general = forms.get("general") or ShopSettingsForm(obj=shop)
    general.timezone.choices = TIMEZONES
    cart = forms.get("cart") or CartConnectionForm(obj=shop, formdata=None)
    cart.cart_api_key.data = cart.cart_api_secret.data = ""  # write-only: shown masked, never echoed
    cart.label_for(shop.host_kind)
    webhook_url = url_for("webhooks.deliver", host_kind=shop.host_kind, shop_key=shop.shop_key, _external=True)
    return render_template("shop_settings.html", form=general, cart_form=cart, shopify_form=ShopifySecretForm(),
                           webhook_url=webhook_url, masked_secret=mask(shop.webhook_secret),
                           masked_cart_key=mask(shop.cart_api_key), has_cart_secret=bool(shop.cart_api_secret),
                           new_secret=new_secret), status


@bp.route("", methods=["GET", "POST"])
@shop_required
def index():
    form = ShopSettingsForm(obj=g.shop)
    form.timezone.choices = TIMEZONES
    if form.is_submitted():
        require_owner()
        if form.validate():
            update_settings(g.shop, contact_email=form.contact_email.data, notification_url=form.notification_url.data,
                            timezone=form.timezone.data)
            flash(gettext("Shop settings saved."), "success")
            return redirect(url_for(".index"))
        return _page(400, general=form)
    return _page()


@bp.post("/cart")
@shop_required(write=True)
def cart_connection():
    form = CartConnectionForm()
    if not form.validate():
        return _page(400, cart=form)
    update_cart_connection(g.shop, url=form.cart_api_url.data, key=form.cart_api_key.data,
                           secret=form.cart_api_secret.data, api_version=form.cart_api_version.data)
    flash(gettext("Cart connection saved. Use Test cart connection to check it."), "success")
    return redirect(url_for(".index"))


@bp.post("/cart/test")
@shop_required(write=True)
def test_cart():
    result = check_cart_connection(g.shop)
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for(".index"))


@bp.post("/webhook-secret")
@shop_required(write=True)
def new_webhook_secret():
    secret = rotate_webhook_secret(g.shop, actor_name())
    return _page(new_secret=secret)


@bp.post("/shopify-secret")
@shop_required(write=True)
def shopify_secret():
    form = ShopifySecretForm()
    if form.validate() and form.client_secret.data:
        set_shopify_client_secret(g.shop, form.client_secret.data, actor_name())
        flash(gettext("Shopify client secret saved."), "success")
    return redirect(url_for(".index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
