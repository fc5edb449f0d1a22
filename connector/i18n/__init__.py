"""The admin speaks the shop owner's language: English or German, from the host's launch or the browser, with dates,
times and numbers formatted for that locale in the shop's time zone."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, get_locale

from .labels import marketplace_name, region_name, status_word, translated

SUPPORTED_LOCALES = ("en", "de")
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    if not has_request_context():
        # Jobs and commands: whatever they write (log entries, notices) is English.
        return SUPPORTED_LOCALES[0]
    chosen = session.get("locale", "")
    # The host sends tags like "de_DE" or "de-AT"; only the language part picks the catalogue.
    language = chosen.replace("_", "-").split("-")[0].lower()
    if language in SUPPORTED_LOCALES:
        return language
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or SUPPORTED_LOCALES[0]


def select_timezone() -> str:
    shop = getattr(g, "shop", None)
    return shop.timezone if shop is not None and shop.timezone else "UTC"


def current_language() -> str:
    """The language of the page being rendered, for <html lang>."""
    locale = get_locale()
    return locale.language if locale is not None else SUPPORTED_LOCALES[0]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals.update(current_language=current_language, status_word=status_word,
                                  marketplace_name=marketplace_name, region_name=region_name)
    app.add_template_filter(translated, "translated")
