"""The admin in German: the language from the host's launch or the browser, German words on every admin page, dates
and numbers written the German way in the shop's time zone, English unchanged, log entries kept in English; and the
catalogue itself: every string extracted, translated and compiled."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from connector.accounts.models import AmazonAccount, TokenState
from connector.clock import utcnow
from connector.extensions import db
from connector.orders.models import ImportedOrder
from connector.shops.launch import launch_url
from connector.synclog.models import LogEntry, SyncRun
from connector.synclog.operations import record
from connector.synclog.runs import start_run
from helpers import add_account, csrf_from, launch

ROOT = Path(__file__).resolve().parents[1]
GERMAN = ROOT / "connector/i18n/translations/de/LC_MESSAGES"
# The moment every dated row below carries: 02:04:05 UTC is 03:04:05 in Berlin (CET, winter).
MOMENT = datetime(2026, 1, 2, 2, 4, 5, tzinfo=timezone.utc)


def _open(app, shop, locale: str | None = None, accept_language: str | None = None):
    """A client launched the way the cart launches us, with the launch's locale and the browser's languages."""
    client = app.test_client()
    if accept_language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    url = urlsplit(launch_url(shop, locale=locale))
    assert client.get(f"{url.path}?{url.query}").status_code == 302
    return client


def _text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


@pytest.fixture
def berlin(shop):
    shop.timezone = "Europe/Berlin"
    db.session.commit()
    return shop


def _dated_rows(shop, account_id: int) -> None:
    """A log entry, a sync run with a large count and an imported order, all at MOMENT."""
    record("warning", "connection_test", "Test connection for EU main: Amazon did not answer.",
           shop_id=shop.id, account_id=account_id)
    entry = db.session.scalars(select(LogEntry).order_by(LogEntry.id.desc())).first()
    entry.created_at = MOMENT
    db.session.add(SyncRun(shop_id=shop.id, account_id=account_id, kind="listings_push", status="succeeded",
                           started_at=MOMENT, heartbeat_at=MOMENT, finished_at=MOMENT, seen=12345, sent=1000))
    db.session.add(ImportedOrder(shop_id=shop.id, account_id=account_id, amazon_order_id="302-1234567-7654321",
                                 marketplace_id="A1PA6795UKMFR9", amazon_status="Unshipped", purchased_at=MOMENT,
                                 amazon_updated_at=MOMENT, snapshot={}, cart_state="created"))
    db.session.commit()


def test_a_german_launch_shows_german_pages_with_german_dates_in_the_shop_time_zone(app, berlin):
    admin = _open(app, berlin, locale="de")
    added = admin.post("/admin/accounts/new", data={
        "csrf_token": csrf_from(_text(admin, "/admin/accounts/new")), "alias": "EU main", "region": "EU",
        "marketplace_ids": ["A1PA6795UKMFR9"], "sync_stock": "y"}, follow_redirects=True)
    account_id = int(re.search(r"/admin/accounts/(\d+)/edit", added.get_data(as_text=True)).group(1))
    _dated_rows(berlin, account_id)

    account = added.get_data(as_text=True)
    assert '<html lang="de">' in account
    assert "Konto EU main hinzugefügt" in account  # the flash message
    for words in ("Übersicht", "SKU oder Bestellung finden", "Protokoll", "Einstellungen", "Token anfordern / erneuern", "Verbindung testen",
                  "Nicht verbunden.", "Bestands- und Preisabgleich", "Ausstehende Änderungen", "Jetzt übertragen",
                  "Amazon-Bestellungen", "Letzter erfolgreicher Import", "Noch kein erfolgreicher Import",
                  "Importeinstellungen", "Importieren alle (Minuten)", "Konto löschen", "Deutschland (DE)", "Europa"):
        assert words in account, words
    status = admin.get(f"/admin/accounts/{account_id}/status").json["status"]
    assert status["words"] == "Nicht verbunden. Klicken Sie auf „Token anfordern / erneuern“."

    settings = _text(admin, "/admin/settings")
    for words in ("Shop-Einstellungen", "Zeitzone des Shops", "Kontakt-E-Mail für Erinnerungen", "Shop-Verbindung",
                  "Webhooks aus Ihrem Shop", "Neues Secret erzeugen"):
        assert words in settings, words

    log = _text(admin, "/admin/log")
    for words in ("Einträge", "Synchronisierungsläufe", "Nach Referenz suchen", "Warnungen und Fehler",
                  "Verbindungstest", "Warnung"):
        assert words in log, words
    assert "02.01.2026, 03:04:05 MEZ" in log  # German date and time in Berlin, not 02:04 UTC
    # Log messages are written at event time in English for support staff, whatever language reads them.
    assert "Test connection for EU main: Amazon did not answer." in log

    runs = _text(admin, "/admin/runs")
    assert "Bestands- und Preisübertragung" in runs and "Erfolgreich" in runs
    assert "12.345 / 0 / 1.000 / 0 / 0" in runs  # German digit grouping
    assert "02.01.2026, 03:04 MEZ" in runs

    orders = _text(admin, "/admin/orders")
    for words in ("Amazon-Bestellungen", "Versanddienstleister-Tabelle", "Kaufdatum", "Im Shop", "angelegt",
                  "1 Bestellung; Seite 1 von 1."):
        assert words in orders, words
    assert "02.01.2026, 03:04 MEZ" in orders
    assert "Versanddienstleister-Tabelle" in _text(admin, "/admin/orders/carriers")

    stock = f"/admin/stock/accounts/{account_id}"
    assert "Bestands- und Preisregeln" in (rules := _text(admin, f"{stock}/rules")) and "Bestandspuffer" in rules
    assert "Preisaufschlag (%)" in rules and "ein Preis von 19,00 als" in rules  # a German decimal comma
    assert "An Deutschland übertragener Bestand" in rules  # marketplaces carry their German country names
    assert "Keine SKU-Fehler" in _text(admin, f"{stock}/errors")
    assert "Noch nichts gesendet" in _text(admin, f"{stock}/feeds")
    progress = admin.get(f"{stock}/progress").json  # what the stock panel polls
    assert progress["texts"]["last_push"] == "02.01.2026, 03:04:05 MEZ: erfolgreich"
    assert progress["texts"]["next_push"] == "Sobald sich etwas ändert"
    run_id = db.session.scalar(select(SyncRun.id).where(SyncRun.kind == "listings_push"))
    assert admin.get(f"/admin/runs/{run_id}/progress").json["text"] == "Erfolgreich"
    assert "SKU-Zuordnung" in (mappings := _text(admin, f"{stock}/mappings")) and "Zuordnung speichern" in mappings

    # Log entries written by a German owner's actions stay English.
    messages = db.session.scalars(select(LogEntry.message).where(LogEntry.shop_id == berlin.id)).all()
    assert any(message.startswith("Amazon account EU main added") for message in messages)


def test_german_form_errors_and_flash_messages(app, shop):
    admin = _open(app, shop, locale="de")
    form = _text(admin, "/admin/accounts/new")
    assert "Amazon-Konto hinzufügen" in form and "Standard-Versandadresse" in form and "Postleitzahl" in form
    refused = admin.post("/admin/accounts/new", data={"csrf_token": csrf_from(form), "alias": "", "region": "EU",
                                                      "ship_from_country": "Deutschland"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Wählen Sie mindestens einen Marktplatz aus." in page
    assert "Verwenden Sie den zweistelligen Ländercode, zum Beispiel DE." in page
    assert "Dieses Feld wird benötigt." in page and "This field is required" not in page  # WTForms' own messages

    account_id = add_account(admin)
    disconnected = admin.post(f"/admin/accounts/{account_id}/disconnect",
                              data={"csrf_token": csrf_from(form)}, follow_redirects=True)
    assert "Verbindung von EU main getrennt." in disconnected.get_data(as_text=True)


@pytest.mark.parametrize("accept_language", ["de", "de-AT", "de-DE,de;q=0.9,en;q=0.5", "fr-FR,de-CH;q=0.8"])
def test_the_browser_language_decides_without_a_launch_locale(app, shop, accept_language):
    page = _text(_open(app, shop, accept_language=accept_language), "/admin/settings")
    assert '<html lang="de">' in page and "Shop-Einstellungen" in page


@pytest.mark.parametrize("tag", ["de-AT", "de_DE", "DE"])
def test_regional_launch_locales_map_to_german(app, shop, tag):
    page = _text(_open(app, shop, locale=tag), "/admin/log")
    assert '<html lang="de">' in page and "Noch nichts protokolliert" in page


def test_the_launch_locale_wins_over_the_browser(app, shop):
    page = _text(_open(app, shop, locale="en", accept_language="de"), "/admin/log")
    assert '<html lang="en">' in page and "Nothing logged yet" in page


@pytest.mark.parametrize("locale, accept_language", [("fr", None), (None, "fr-FR,fr;q=0.9"), ("fr_CA", "es")])
def test_an_unsupported_language_falls_back_to_english(app, shop, locale, accept_language):
    page = _text(_open(app, shop, locale=locale, accept_language=accept_language), "/admin/settings")
    assert '<html lang="en">' in page and "Shop settings" in page and "Shop-Einstellungen" not in page


def _berlin_day(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y")


def _german_dashboard_shop(app, berlin):
    """A German admin with an account whose token expires in nine days, a finished push at MOMENT and a full resync
    a quarter done."""
    admin = _open(app, berlin, locale="de_DE")
    account_id = add_account(admin)
    _dated_rows(berlin, account_id)
    account = db.session.get(AmazonAccount, account_id)
    expires_at = (utcnow() + timedelta(days=9)).replace(hour=12, minute=0, second=0, microsecond=0)
    account.refresh_token, account.token_state = "Atzr|test-refresh-token", TokenState.VALID
    account.authorized_at, account.expires_at = MOMENT, expires_at
    resync = start_run("rederive", shop_id=berlin.id, triggered_by="full_resync")
    resync.progress_done, resync.progress_total = 1234, 5000
    db.session.commit()
    return admin, account_id, expires_at, resync.id


def test_the_dashboard_in_german(app, berlin):
    admin, account_id, expires_at, _ = _german_dashboard_shop(app, berlin)
    page = _text(admin, "/admin/")
    assert '<html lang="de">' in page
    for words in ("Übersicht", "SKU oder Bestellung finden", "Zu erledigen", "Bald", "Läuft gerade",
                  "Vollständige Neusynchronisierung", "Amazon-Konten", "Letzter Bestellimport",
                  "Letzte Bestandsübertragung", "Ausstehende Änderungen", "Handlungsbedarf", "Konto öffnen",
                  "Importierte Bestellungen", "Übertragene SKUs", "Die Zahlen hinter den Diagrammen", "Tag (UTC)",
                  "Token anfordern / erneuern"):
        assert words in page, words
    action = re.search(r"Die Amazon-Autorisierung von EU main läuft in \d+ Tagen ab\. Erneuern Sie den Token jetzt",
                       page)
    assert action, "the renewal action in German"
    assert f"Token läuft am {_berlin_day(expires_at)} ab" in page  # German date in the shop's time zone
    assert "02.01.2026, 03:04 MEZ" in page  # the last push, at MOMENT in Berlin
    assert "1.234 von 5.000 (24\xa0%)" in page  # German grouping and percent
    today = utcnow().date()
    first = today - timedelta(days=29)
    assert f"{first:%d.%m.%Y} bis {today:%d.%m.%Y} (Tage in UTC)" in page
    assert "Amazon does not know" not in page and "Running now" not in page and " of 5000" not in page


def test_the_live_progress_json_in_german(app, berlin):
    admin, account_id, expires_at, resync_id = _german_dashboard_shop(app, berlin)
    operations = admin.get("/admin/dashboard/running").json["operations"]
    assert [(op["label"], op["text"]) for op in operations] == [
        ("Vollständige Neusynchronisierung", "1.234 von 5.000 (24\xa0%)")]
    assert admin.get(f"/admin/runs/{resync_id}/progress").json["text"] == "1.234 von 5.000"
    status = admin.get(f"/admin/accounts/{account_id}/status").json  # what the token panels poll
    assert status["authorized_text"] == "02.01.2026, 03:04 MEZ"
    assert status["status"]["expires_text"] == _berlin_day(expires_at)
    assert status["status"]["words"].startswith("Läuft am ")
    stock = admin.get(f"/admin/stock/accounts/{account_id}/progress").json
    assert stock["texts"]["last_push"] == "02.01.2026, 03:04:05 MEZ: erfolgreich"

    english = _open(app, berlin, locale="en").get("/admin/dashboard/running").json["operations"]
    assert [(op["label"], op["text"]) for op in english] == [("Full resync", "1,234 of 5,000 (24%)")]


def test_an_order_story_in_german(app, berlin):
    admin = _open(app, berlin, locale="de")
    account_id = add_account(admin)
    _dated_rows(berlin, account_id)
    order = db.session.scalar(select(ImportedOrder))
    order.imported_at, order.cart_created_at = MOMENT, MOMENT + timedelta(minutes=1)
    order.cart_order_id, order.cart_order_number = "5001", "#1001"
    db.session.commit()

    page = _text(admin, "/admin/stories/order/302-1234567-7654321")
    assert '<html lang="de">' in page
    for words in ("Verlauf der Amazon-Bestellung", "Im Shop als Bestellung #1001; Amazon-Status Unshipped.",
                  "Von Amazon importiert", "Im Shop angelegt", "Shop-Bestellung #1001 (ID 5001).",
                  "Was geschah, älteste zuerst", "Kaufdatum"):
        assert words in page, words
    # The purchase moment inside the sentence and in the facts, German and in Berlin's time.
    assert "gekauft am 02.01.2026, 03:04 MEZ, wurde importiert" in page
    assert "02.01.2026, 03:05:05 MEZ" in page  # the timeline's time column, with seconds
    assert "UTC" not in page and "Imported from Amazon" not in page

    found = _text(admin, "/admin/stories/find?q=302-999")
    assert "Nichts gefunden für „302-999“" in found


def test_english_pages_keep_their_words_and_iso_dates(app, berlin):
    admin = launch(app.test_client(), berlin)
    account_id = add_account(admin)
    _dated_rows(berlin, account_id)
    log = _text(admin, "/admin/log")
    assert '<html lang="en">' in log and "Search by reference" in log
    assert "2026-01-02 03:04:05 CET" in log  # the shop's time zone, as before
    runs = _text(admin, "/admin/runs")
    assert "Stock and price push" in runs and "Succeeded" in runs and "12,345 / 0 / 1,000 / 0 / 0" in runs
    account = _text(admin, f"/admin/accounts/{account_id}")
    assert "Request / Renew Token" in account and "Not connected. Click Request / Renew Token." in account
    assert "1 order; page 1 of 1." in _text(admin, "/admin/orders")


def test_the_support_role_is_refused_in_german(app, shop):
    support = app.test_client()
    url = urlsplit(launch_url(shop, role="support", locale="de"))
    support.get(f"{url.path}?{url.query}")
    token = csrf_from(_text(support, "/admin/settings"))
    refused = support.post("/admin/settings/cart/test", data={"csrf_token": token})
    assert refused.status_code == 403
    assert "Die Support-Rolle kann die Seiten dieses Shops lesen, aber nichts ändern." in refused.get_data(as_text=True)


def test_an_unlaunched_visit_is_explained_in_the_browser_language(app):
    page = app.test_client().get("/admin/log", headers={"Accept-Language": "de"})
    assert page.status_code == 401
    assert "Öffnen Sie den Connector aus Ihrer Shop-Verwaltung" in page.get_data(as_text=True)


@pytest.mark.parametrize("language, expected", [
    ("de", ("02.01.2026, 03:04 MEZ", "02.01.2026, 03:04:05 MEZ", "02.01.2026", "12.345", "1.019,50", "12,5\xa0%")),
    ("en", ("2026-01-02 03:04 CET", "2026-01-02 03:04:05 CET", "2026-01-02", "12,345", "1,019.50", "12.5%")),
])
def test_the_formatting_filters(app, berlin, language, expected):
    from flask import g

    from connector.shops.formatting import amount, number, percent, shop_date, shop_time

    with app.test_request_context(headers={"Accept-Language": language}):
        g.shop = berlin
        assert (shop_time(MOMENT), shop_time(MOMENT, with_seconds=True), shop_date(MOMENT), number(12345),
                amount(Decimal("1019.5")), percent(0.125)) == expected
        assert shop_time(MOMENT.replace(tzinfo=None)) == expected[0]  # SQLite's naive UTC values


# The catalogue. The lead merges other helpers' templates and runs bin/translations; these tests then list what
# is still to translate.

def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_string_in_the_sources_is_in_messages_pot():
    """Fails when a template or module gained a _("…") string and bin/translations was not run."""
    method_map = [("connector/sandbox/**", "ignore"), ("connector/democart/**", "ignore"),
                  ("templates/democart/**", "ignore"), ("connector/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "nphrase": (1, 2)}  # as bin/translations
    found = set()
    for directory in ("connector", "templates"):
        for _, _, message, _, context in extract_from_dir(ROOT / directory, method_map=[
                (pattern.removeprefix(directory + "/"), method) for pattern, method in method_map
                if pattern.startswith(directory + "/")],
                options_map={key.removeprefix(directory + "/"): value for key, value in options.items()},
                keywords=keywords):
            found.add((context, message[0] if isinstance(message, tuple) else message))
    catalogued = {(message.context, message.id[0] if isinstance(message.id, tuple) else message.id)
                  for message in _catalogue(ROOT / "messages.pot") if message.id}
    missing = sorted(msgid for _, msgid in found - catalogued)
    assert not missing, "Run bin/translations: these strings are not in messages.pot yet:\n" + "\n".join(missing)


def test_every_string_has_a_german_translation():
    template = _catalogue(ROOT / "messages.pot")
    german = _catalogue(GERMAN / "messages.po")
    untranslated = []
    for message in template:
        if not message.id:
            continue
        translated = german.get(message.id, context=message.context)
        strings = translated.string if translated else None
        if (translated is None or translated.fuzzy
                or not all(strings if isinstance(strings, tuple) else (strings,))):
            untranslated.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not untranslated, (f"{len(untranslated)} string(s) have no German translation in {GERMAN / 'messages.po'} "
                              "(fill msgstr, remove '#, fuzzy', then run bin/translations):\n"
                              + "\n".join(f"  msgid {msgid!r}" for msgid in untranslated))


def test_german_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\(\w+\)s")
    for message in _catalogue(GERMAN / "messages.po"):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):  # a plural: each form may leave out %(num)s ("ein Tag")
            wanted = set(placeholder.findall(message.id[1]))
            assert all(set(placeholder.findall(form)) <= wanted for form in message.string), message.id
        else:
            assert sorted(placeholder.findall(message.string)) == sorted(placeholder.findall(message.id)), message.id


def _messages(catalogue) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {key(message.id): key(message.string) for message in catalogue if message.id}


def test_the_committed_mo_matches_the_po():
    """A fresh clone works without a compile step: the .mo in git is the .po compiled."""
    german = _catalogue(GERMAN / "messages.po")
    compiled = io.BytesIO()
    write_mo(compiled, german)
    compiled.seek(0)
    fresh = _messages(read_mo(compiled))
    with (GERMAN / "messages.mo").open("rb") as handle:
        committed = _messages(read_mo(handle))
    stale = sorted(str(key) for key in fresh.keys() ^ committed.keys()) + sorted(
        str(key) for key in fresh.keys() & committed.keys() if fresh[key] != committed[key])
    assert not stale, "messages.mo is out of date: run bin/translations. Differences:\n" + "\n".join(stale[:40])
