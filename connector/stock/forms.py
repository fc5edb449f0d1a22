"""Forms of the stock sync pages: rules per marketplace, SKU mappings, the account's switches."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from .mapping import SELLER_SKU_MAX
from .models import ALL_MARKETPLACES


class RulesForm(FlaskForm):
    stock_buffer = IntegerField(_l("Stock buffer"), default=0, validators=[InputRequired(), NumberRange(min=0)],
                                description=_l("Held back from Amazon: 10 in the cart with a buffer of 2 shows 8."))
    max_quantity = IntegerField(_l("Maximum quantity sent"), validators=[Optional(), NumberRange(min=0)],
                                description=_l("Amazon never shows more than this. Empty: no maximum."))
    out_of_stock_threshold = IntegerField(_l("Out-of-stock threshold"), default=0,
                                          validators=[InputRequired(), NumberRange(min=0)],
                                          description=_l("A cart quantity at or below this is sent as 0."))
    untracked_quantity = IntegerField(
        _l("Quantity for products without stock tracking"), validators=[Optional(), NumberRange(min=0)],
        description=_l("Sent for in-stock products whose stock the cart does not count. Empty: their quantity "
                       "is not sent."))
    markup_percent = DecimalField(_l("Price markup (%)"), default=0, places=2,
                                  validators=[InputRequired(), NumberRange(min=-99, max=1000)])
    markup_fixed = DecimalField(_l("Fixed amount added"), default=0, places=2,
                                validators=[InputRequired(), NumberRange(min=-100000, max=100000)])
    price_ending = DecimalField(_l("Round up to end in"), places=2,
                                validators=[Optional(), NumberRange(min=Decimal("0"), max=Decimal("0.99"))],
                                description=_l("For example 0.99: 21.37 becomes 21.99. Empty: no rounding."))
    currency = StringField(_l("Currency sent to Amazon"), validators=[
        Optional(), Regexp(r"^[A-Za-z]{3}$", message=_l("Use the three-letter code, for example EUR."))],
        description=_l("Empty: the marketplace's currency, which Amazon expects."))
    exchange_rate = DecimalField(_l("Exchange rate from the cart's currency"), places=6,
                                 validators=[Optional(), NumberRange(min=Decimal("0.000001"))],
                                 description=_l("Only when the cart sells in another currency: its prices are "
                                                "multiplied by this rate before the markup."))


class MappingForm(FlaskForm):
    host_sku = StringField(_l("Cart SKU"), validators=[DataRequired(), Length(max=200)])
    marketplace_id = SelectField(_l("Marketplace"), default=ALL_MARKETPLACES)
    seller_sku = StringField(_l("Amazon seller SKU"), validators=[Length(max=SELLER_SKU_MAX)],
                             description=_l("Empty when the SKU is excluded."))
    excluded = BooleanField(_l("Exclude: never send this SKU to Amazon"))
    fba = BooleanField(_l("Fulfilled by Amazon: send the price only"))

    def validate_seller_sku(self, field) -> None:
        if not self.excluded.data and not (field.data or "").strip():
            raise ValidationError(gettext("Enter the seller SKU, or tick Exclude."))


class SwitchForm(FlaskForm):
    enabled = BooleanField()
