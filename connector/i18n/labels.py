"""Words for the codes the admin shows (run outcomes, webhook and order states, log levels, run kinds).

The codes stay English in the database and in log messages; only their display is translated. N_ marks a string for
extraction without translating it where it is defined, so the same English text can also be written to the log."""
from __future__ import annotations

from flask_babel import get_locale, gettext, ngettext

from ..amazon.marketplaces import Marketplace
from ..shops.formatting import number


def N_(text: str) -> str:
    return text


STATUS_WORDS = {
    # Sync runs
    "running": N_("running"),
    "succeeded": N_("succeeded"),
    "partial": N_("partial"),
    "failed": N_("failed"),
    "skipped": N_("skipped"),
    "interrupted": N_("interrupted"),
    # Webhook deliveries
    "received": N_("received"),
    "processed": N_("processed"),
    "ignored": N_("ignored"),
    "rejected": N_("rejected"),
    "discarded": N_("discarded"),
    # Orders in the cart and shipments
    "pending": N_("pending"),
    "creating": N_("creating"),
    "created": N_("created"),
    "held": N_("held"),
    "cancelling": N_("cancelling"),
    "cancelled": N_("cancelled"),
    "not_created": N_("not created"),
    "confirmed": N_("confirmed"),
    "refused": N_("refused"),
    # SKUs in a submission
    "sent": N_("sent"),
    "accepted": N_("accepted"),
    "unknown": N_("unknown"),
    # Log levels
    "error": N_("error"),
    "warning": N_("warning"),
    "info": N_("info"),
    "debug": N_("debug"),
}


REGION_NAMES = {"NA": N_("North America"), "EU": N_("Europe"), "FE": N_("Far East")}


def marketplace_name(marketplace: Marketplace) -> str:
    """Amazon names its marketplaces after their country; other languages take the country's name in that language
    (Deutschland, Vereinigtes Königreich), as Seller Central does."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return marketplace.name
    return locale.territories.get(marketplace.country, marketplace.name)


def region_name(code: str) -> str:
    return gettext(REGION_NAMES[code]) if code in REGION_NAMES else code


def status_word(code: str | None, capital: bool = False) -> str:
    """The word for a stored code in the admin's language; unknown codes are shown as they are, spaced."""
    if not code:
        return ""
    english = STATUS_WORDS.get(code)
    word = gettext(english) if english else code.replace("_", " ")
    return word[:1].upper() + word[1:] if capital else word


def translated(label: str | None) -> str:
    """A label marked with N_ elsewhere (run kinds, for instance), translated for display."""
    return gettext(label) if label else ""


def phrase(message: str, translate: bool, **params: object) -> str:
    """One message for two readers: translated for the admin's page, English for the log (support reads it).
    The message is an N_-marked English text with %(name)s placeholders."""
    text = gettext(message) if translate else message
    return text % params if params else text


def nphrase(singular: str, plural: str, num: int, translate: bool, **params: object) -> str:
    """phrase() for a message with a count (%(num)s): the plural form the language needs."""
    if translate:
        return ngettext(singular, plural, num, **params)
    return (singular if num == 1 else plural) % {"num": num, **params}


def progress_text(done: int | None, total: int | None, status: str, running: bool) -> str:
    """What a progress bar says, for the JSON the admin's pages poll: "1,234 of 5,000" / "1.234 von 5.000"."""
    if total:
        return gettext("%(done)s of %(total)s", done=number(done or 0), total=number(total))
    return gettext("Working…") if running else status_word(status, capital=True)
