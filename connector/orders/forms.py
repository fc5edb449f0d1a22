"""Forms of the orders panel and the carrier table."""
from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .amazon_orders import IMPORTABLE_STATUSES
from .carriers import AMAZON_CARRIER_CODES
from .settings import FIRST_IMPORT_DAYS_RANGE, INTERVAL_RANGE, SettingsChange

STATUS_LABELS = {"UNSHIPPED": _l("Unshipped"), "PARTIALLY_SHIPPED": _l("Partially shipped")}


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ImportSettingsForm(FlaskForm):
    statuses = CheckboxList(_l("Import orders that are"),
                            choices=[SelectChoice(s, STATUS_LABELS[s]) for s in IMPORTABLE_STATUSES],
                            validators=[DataRequired(message=_l("Choose at least one status."))])
    interval_minutes = IntegerField(_l("Import every (minutes)"), validators=[NumberRange(*INTERVAL_RANGE)])
    first_import_days = IntegerField(_l("First import reaches back (days)"),
                                     validators=[NumberRange(*FIRST_IMPORT_DAYS_RANGE)])
    recheck_timezone = SelectField(_l("Daily re-check at 00:00 in"), choices=sorted(available_timezones()))
    unknown_sku_as_custom_line = BooleanField(_l("Import items with SKUs the cart does not know as custom lines "
                                                 "(instead of holding the order)"))

    def change(self) -> SettingsChange:
        return SettingsChange(list(self.statuses.data), int(self.interval_minutes.data),
                              int(self.first_import_days.data), self.recheck_timezone.data,
                              bool(self.unknown_sku_as_custom_line.data))


class ImportByIdForm(FlaskForm):
    amazon_order_id = StringField(_l("Amazon order ID"), validators=[DataRequired(), Length(max=40)],
                                  description=_l("For example 112-1234567-1234567."))


class ReimportForm(FlaskForm):
    since = DateField(_l("Re-import orders updated since"), validators=[DataRequired()])


class CarrierForm(FlaskForm):
    cart_name = StringField(_l("Carrier name in your cart"), validators=[DataRequired(), Length(max=120)])
    amazon_code = SelectField(_l("Amazon carrier code"), choices=list(AMAZON_CARRIER_CODES))
    amazon_name = StringField(_l("Carrier name sent with \"Other\""), validators=[Optional(), Length(max=120)])
