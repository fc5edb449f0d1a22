"""Forms for adding and editing an Amazon account and for manual token entry."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from ..amazon.marketplaces import BY_ID, MARKETPLACES, REGIONS
from ..i18n.labels import marketplace_name, region_name


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    alias = StringField(_l("Alias"), validators=[DataRequired(), Length(max=100)],
                        description=_l("A name you recognise, for example \"EU main store\"."))
    region = SelectField(_l("Region"))
    marketplace_ids = CheckboxList(_l("Marketplaces"),
                                   validators=[DataRequired(message=_l("Choose at least one marketplace."))])
    ship_from_name = StringField(_l("Name or company"), validators=[Optional(), Length(max=100)])
    ship_from_line1 = StringField(_l("Address line 1"), validators=[Optional(), Length(max=180)])
    ship_from_line2 = StringField(_l("Address line 2"), validators=[Optional(), Length(max=180)])
    ship_from_city = StringField(_l("City"), validators=[Optional(), Length(max=80)])
    ship_from_region = StringField(_l("State or region"), validators=[Optional(), Length(max=80)])
    ship_from_postal_code = StringField(_l("Postal code"), validators=[Optional(), Length(max=20)])
    ship_from_country = StringField(_l("Country code"), validators=[Optional(), Regexp(r"^[A-Za-z]{2}$",
                                    message=_l("Use the two-letter country code, for example DE."))])
    ship_from_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    sync_stock = BooleanField(_l("Sync stock to Amazon"), default=True)
    sync_prices = BooleanField(_l("Sync prices to Amazon"), default=True)
    import_orders = BooleanField(_l("Import Amazon orders into the cart"), default=True)
    confirm_shipments = BooleanField(_l("Mark orders as shipped on Amazon"), default=True)

    SHIP_FROM_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Named in the admin's language, so built per form rather than once at import.
        self.region.choices = [SelectChoice(code, f"{region_name(code)} ({code})") for code in REGIONS]
        self.marketplace_ids.choices = [SelectChoice(m.id, f"{marketplace_name(m)} ({m.country}) · {m.id}")
                                        for m in MARKETPLACES]

    def validate_marketplace_ids(self, field) -> None:
        wrong = [marketplace_name(BY_ID[m]) for m in field.data or [] if BY_ID[m].region != self.region.data]
        if wrong:
            raise ValidationError(gettext("%(names)s belong(s) to another region than %(region)s.",
                                          names=", ".join(wrong), region=self.region.data))

    def ship_from(self) -> dict:
        values = {name: (getattr(self, f"ship_from_{name}").data or "").strip() for name in self.SHIP_FROM_FIELDS}
        values["country"] = values["country"].upper()
        return {key: value for key, value in values.items() if value}

    def load_ship_from(self, ship_from: dict) -> None:
        for name in self.SHIP_FROM_FIELDS:
            getattr(self, f"ship_from_{name}").data = ship_from.get(name, "")


class ManualTokenForm(FlaskForm):
    selling_partner_id = StringField(_l("Seller ID (merchant token)"), validators=[DataRequired(), Length(max=40)])
    refresh_token = TextAreaField(_l("Refresh token"), validators=[DataRequired(), Length(max=4096)])
