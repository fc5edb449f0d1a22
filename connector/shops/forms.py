"""The shop's own settings: where reminders go, and how the connector reaches the cart's API."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import URL, Length, Optional, Regexp

from ..carts.shopify import DEFAULT_API_VERSION


class ShopSettingsForm(FlaskForm):
    contact_email = StringField(
        _l("Contact e-mail for reminders"),
        validators=[Optional(), Length(max=255),
                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an e-mail address."))],
    )
    notification_url = StringField(
        _l("Notification URL of your cart"), validators=[Optional(), Length(max=500), URL(require_tld=False)],
        description=_l("We POST signed events here (Standard Webhooks): reminders, and for generic carts the "
                       "Amazon orders to create."),
    )
    timezone = SelectField(_l("Time zone of the shop"), validators=[Optional()])


class CartConnectionForm(FlaskForm):
    """Secrets are write-only: the fields stay empty on the page, and an empty field keeps the stored value."""

    cart_api_url = StringField(_l("Store URL"), validators=[Optional(), Length(max=500), URL(require_tld=False)])
    cart_api_key = StringField(_l("Consumer key"), validators=[Optional(), Length(max=200)])
    cart_api_secret = PasswordField(_l("Consumer secret"), validators=[Optional(), Length(max=500)])
    cart_api_version = StringField(_l("Admin API version"), validators=[Optional(), Length(max=20),
                                   Regexp(r"^\d{4}-\d{2}$", message=_l("Use the form 2025-07."))],
                                   default=DEFAULT_API_VERSION)

    LABELS = {
        "woocommerce": {"cart_api_url": _l("Store URL (https://…)"), "cart_api_key": _l("Consumer key (ck_…)"),
                        "cart_api_secret": _l("Consumer secret (cs_…)")},
        "shopify": {"cart_api_url": _l("Shop URL (https://your-shop.myshopify.com)"),
                    "cart_api_secret": _l("Admin API access token (shpat_…)")},
    }

    def label_for(self, host_kind: str) -> None:
        for name, text in self.LABELS.get(host_kind, {}).items():
            getattr(self, name).label.text = text


class ShopifySecretForm(FlaskForm):
    client_secret = PasswordField(_l("App client secret"), validators=[Optional(), Length(max=200)],
                                  description=_l("Shopify signs webhooks and session tokens with your app's "
                                                 "client secret."))
