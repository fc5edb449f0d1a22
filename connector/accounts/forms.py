"""Forms for adding and editing an Amazon account and for manual token entry."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ..amazon.marketplaces import BY_ID, MARKETPLACES, REGIONS


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    alias = StringField("Alias", validators=[DataRequired(), Length(max=100)],
                        description="A name you recognise, for example \"EU main store\".")
    region = SelectField("Region", choices=[SelectChoice(code, f"{name} ({code})") for code, name in REGIONS.items()])
    marketplace_ids = CheckboxList(
        "Marketplaces", choices=[SelectChoice(m.id, f"{m.name} ({m.country}) · {m.id}") for m in MARKETPLACES],
        validators=[DataRequired(message="Choose at least one marketplace.")],
    )
    ship_from_name = StringField("Name or company", validators=[Optional(), Length(max=100)])
    ship_from_line1 = StringField("Address line 1", validators=[Optional(), Length(max=180)])
    ship_from_line2 = StringField("Address line 2", validators=[Optional(), Length(max=180)])
    ship_from_city = StringField("City", validators=[Optional(), Length(max=80)])
    ship_from_region = StringField("State or region", validators=[Optional(), Length(max=80)])
    ship_from_postal_code = StringField("Postal code", validators=[Optional(), Length(max=20)])
    ship_from_country = StringField("Country code", validators=[Optional(), Regexp(r"^[A-Za-z]{2}$",
                                    message="Use the two-letter country code, for example DE.")])
    ship_from_phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    sync_stock = BooleanField("Sync stock to Amazon", default=True)
    sync_prices = BooleanField("Sync prices to Amazon", default=True)
    import_orders = BooleanField("Import Amazon orders into the cart", default=True)
    confirm_shipments = BooleanField("Mark orders as shipped on Amazon", default=True)

    SHIP_FROM_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")

    def validate_marketplace_ids(self, field) -> None:
        wrong = [BY_ID[m].name for m in field.data or [] if BY_ID[m].region != self.region.data]
        if wrong:
            raise ValidationError(f"{', '.join(wrong)} belong(s) to another region than {self.region.data}.")

    def ship_from(self) -> dict:
        values = {name: (getattr(self, f"ship_from_{name}").data or "").strip() for name in self.SHIP_FROM_FIELDS}
        values["country"] = values["country"].upper()
        return {key: value for key, value in values.items() if value}

    def load_ship_from(self, ship_from: dict) -> None:
        for name in self.SHIP_FROM_FIELDS:
            getattr(self, f"ship_from_{name}").data = ship_from.get(name, "")


class ManualTokenForm(FlaskForm):
    selling_partner_id = StringField("Seller ID (merchant token)", validators=[DataRequired(), Length(max=40)])
    refresh_token = TextAreaField("Refresh token", validators=[DataRequired(), Length(max=4096)])
