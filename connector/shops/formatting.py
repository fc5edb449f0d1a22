"""Times and numbers in the admin: in the shop's time zone and the admin's locale (Flask-Babel picks both)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import numbers
from babel.dates import get_date_format, get_datetime_format, get_time_format
from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale, to_user_timezone

from ..clock import as_utc

# English keeps the unambiguous ISO-like form the admin has always shown (and support staff quote in tickets).
ENGLISH_PATTERNS = {False: "yyyy-MM-dd HH:mm", True: "yyyy-MM-dd HH:mm:ss"}


def _english() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "en"


def _pattern(with_seconds: bool) -> str:
    if _english():
        return ENGLISH_PATTERNS[with_seconds]
    # The locale's own numeric date and time as it writes them, e.g. German 02.01.2026, 03:04 MEZ.
    locale = get_locale()
    date = get_date_format("medium", locale=locale).pattern
    time = get_time_format("medium" if with_seconds else "short", locale=locale).pattern
    return get_datetime_format("medium", locale=locale).replace("{1}", date).replace("{0}", time) + " z"


def shop_time(value: datetime | None, with_seconds: bool = False) -> str:
    """A moment in the shop's time zone (Babel's timezone selector), written the locale's way."""
    if value is None:
        return ""
    text = format_datetime(as_utc(value), _pattern(with_seconds))
    if _english():
        # Babel's English zone names are offsets (+0100) for most zones; the admin has always said CET, UTC, EST.
        text += " " + to_user_timezone(as_utc(value)).strftime("%Z")
    return text


def _date_pattern() -> str:
    return "yyyy-MM-dd" if _english() else get_date_format("medium", locale=get_locale()).pattern


def shop_date(value: datetime | None) -> str:
    """The calendar day of a moment in the shop's time zone, e.g. 2026-01-02 or 02.01.2026."""
    return "" if value is None else format_datetime(as_utc(value), _date_pattern())


def calendar_date(value: date | None) -> str:
    """A day without a time (a date the person picked), written the locale's way."""
    return "" if value is None else format_date(value, _date_pattern())


def number(value: int | float | Decimal | None) -> str:
    """A count or amount with the locale's grouping and decimal signs (12,345.5 / 12.345,5)."""
    return "" if value is None else format_decimal(value)


def amount(value: int | float | Decimal | None) -> str:
    """A price with at least two decimals, as the locale writes it (1,019.00 / 1.019,00)."""
    return "" if value is None else format_decimal(value, "#,##0.00##")


def percent(value: int | float | Decimal | None) -> str:
    """A share given as a fraction (0.125 → 12.5% / 12,5 %)."""
    # The locale's own pattern (German puts a space before %), keeping a fraction when there is one.
    if value is None:
        return ""
    return numbers.format_percent(value, locale=get_locale() or "en", decimal_quantization=False)


def init_app(app: Flask) -> None:
    app.add_template_filter(shop_time, "shoptime")
    app.add_template_filter(shop_date, "shopdate")
    app.add_template_filter(calendar_date, "calendardate")
    app.add_template_filter(number, "number")
    app.add_template_filter(amount, "amount")
    app.add_template_filter(percent, "percent")
