"""The admin speaks the shop owner's language: English or German, from the host's launch or the browser, with dates,
times and numbers formatted for that locale in the shop's time zone."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import Babel

SUPPORTED_LOCALES = ("en", "de")
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    chosen = session.get("locale", "")
    # The host sends tags like "de_DE" or "de-AT"; only the language part picks the catalogue.
    language = chosen.replace("_", "-").split("-")[0].lower()
    if language in SUPPORTED_LOCALES:
        return language
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or SUPPORTED_LOCALES[0]


def select_timezone() -> str:
    shop = getattr(g, "shop", None)
    return shop.timezone if shop is not None and shop.timezone else "UTC"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
