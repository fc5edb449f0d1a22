"""The admin fuzzed beyond the log and account forms (tests/security/test_fuzzing.py): SKU mappings, listing rules,
carriers, order tools, account edits, and the query parameters of every GET admin route, with SQL-like, HTML-like
and arbitrary unicode strings. Never a 500; never the raw markup on a page."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.extensions import db
from connector.stock.models import SkuMapping
from fuzzbudget import fuzz_settings
from helpers import add_account, csrf_from

NASTY = [
    "' OR 1=1 --", "'; DROP TABLE sku_mappings; --", "\" onmouseover=\"alert(1)", "<script>alert('x')</script>",
    "\"><img src=x onerror=alert(1)>", "</textarea><script>alert(2)</script>", "{{7*7}}", "${7*7}", "%(name)s",
    "A" * 3000, "😀🛒", "\u202eRTL", "NULL", "-1", "1e999", "0x41", "javascript:alert(1)", "\r\nX: y", "\\", "%",
    "_", "*", "Robert'); --",
]
# No NUL: that is refused with a clear 400 already (test_fuzzing.test_nul_in_admin_input_is_a_clear_400).
text_or_nasty = st.one_of(st.sampled_from(NASTY),
                          st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                  max_size=200))
MARKERS = ("<script>alert", "<img src=x", "onmouseover=\"alert", "</textarea><script>")
ANSWERS = (200, 302, 400, 404)
PARAMS = ("q", "page", "before", "after", "marketplace", "account", "state", "status", "kind", "level", "since",
          "until", "topic", "run", "sku")


def _clean(page: str) -> None:
    for marker in MARKERS:
        assert marker not in page, marker


@pytest.fixture
def account_id(app, admin):
    return add_account(admin, alias="US main", region="NA", marketplaces=("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"))


@fuzz_settings(15)
@given(host_sku=text_or_nasty, seller_sku=text_or_nasty, search=text_or_nasty, excluded=st.booleans())
def test_sku_mappings_and_their_search(admin, account_id, host_sku, seller_sku, search, excluded):
    path = f"/admin/stock/accounts/{account_id}/mappings"
    page = admin.get(path).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "host_sku": host_sku, "seller_sku": seller_sku,
            "marketplace_id": "*", **({"excluded": "y"} if excluded else {})}
    saved = admin.post(path, data=data)
    assert saved.status_code in ANSWERS, saved.status_code
    _clean(saved.get_data(as_text=True))
    for query in ({"q": search}, {"q": host_sku}, {"q": search, "page": search}):
        shown = admin.get(path, query_string=query)
        assert shown.status_code == 200, (query, shown.status_code)
        _clean(shown.get_data(as_text=True))


def test_a_stored_html_sku_is_shown_escaped(admin, account_id):
    path = f"/admin/stock/accounts/{account_id}/mappings"
    page = admin.get(path).get_data(as_text=True)
    nasty = "<script>alert('x')</script>"
    assert admin.post(path, data={"csrf_token": csrf_from(page), "host_sku": nasty, "seller_sku": "' OR 1=1 --",
                                  "marketplace_id": "*"}).status_code == 302
    assert db.session.query(SkuMapping).one().host_sku == nasty  # stored as typed, not mangled
    shown = admin.get(path).get_data(as_text=True)
    _clean(shown)
    assert "&lt;script&gt;alert(" in shown and "&#39; OR 1=1 --" in shown
    found = admin.get(path, query_string={"q": "' OR 1=1 --"}).get_data(as_text=True)
    assert "&lt;script&gt;alert(" in found  # the search matched the text, not SQL
    none = admin.get(path, query_string={"q": "%' OR '1'='1"}).get_data(as_text=True)
    assert "&lt;script&gt;alert(" not in none


@fuzz_settings(30)
@given(values=st.fixed_dictionaries({name: text_or_nasty for name in (
    "stock_buffer", "max_quantity", "out_of_stock_threshold", "untracked_quantity", "markup_percent", "markup_fixed",
    "price_ending", "currency", "exchange_rate")}), marketplace=text_or_nasty)
def test_listing_rules(admin, account_id, values, marketplace):
    path = f"/admin/stock/accounts/{account_id}/rules"
    page = admin.get(path).get_data(as_text=True)
    saved = admin.post(path, data={"csrf_token": csrf_from(page), **values})
    assert saved.status_code in ANSWERS, (values, saved.status_code)
    _clean(saved.get_data(as_text=True))
    shown = admin.get(path, query_string={"marketplace": marketplace})
    assert shown.status_code in (200, 404)
    _clean(shown.get_data(as_text=True))


@fuzz_settings(12)
@given(cart_name=text_or_nasty, amazon_name=text_or_nasty, code=text_or_nasty, order_id=text_or_nasty,
       since=text_or_nasty, alias=text_or_nasty)
def test_carriers_order_tools_and_account_edit(admin, account_id, cart_name, amazon_name, code, order_id, since,
                                               alias):
    page = admin.get("/admin/orders/carriers").get_data(as_text=True)
    for path, data in (
        ("/admin/orders/carriers", {"cart_name": cart_name, "amazon_code": code, "amazon_name": amazon_name}),
        ("/admin/orders/carriers", {"cart_name": cart_name, "amazon_code": "Other", "amazon_name": amazon_name}),
        (f"/admin/accounts/{account_id}/orders/import-by-id", {"amazon_order_id": order_id}),
        (f"/admin/accounts/{account_id}/orders/reimport", {"since": since}),
        (f"/admin/accounts/{account_id}/orders/settings", {"interval_minutes": since, "first_import_days": code,
                                                           "recheck_timezone": alias}),
        (f"/admin/accounts/{account_id}/edit", {"alias": alias, "region": "NA", "marketplace_ids": ["ATVPDKIKX0DER"],
                                                "ship_from_city": cart_name}),
    ):
        answer = admin.post(path, data={"csrf_token": csrf_from(page), **data})
        assert answer.status_code in ANSWERS, (path, data, answer.status_code)
        _clean(answer.get_data(as_text=True))
    for path in ("/admin/orders/carriers", f"/admin/accounts/{account_id}", "/admin/", "/admin/orders"):
        shown = admin.get(path)
        assert shown.status_code == 200, path
        _clean(shown.get_data(as_text=True))


def _get_routes(app, account_id: int) -> list[str]:
    ids = {"account_id": account_id, "run_id": 1, "delivery_id": 1, "submission_id": 1, "fmt": "csv",
           "sku": "SKU-1", "amazon_order_id": "111-0000000-0000000", "cart_order_id": "1001", "feed_id": "5012"}
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.rule.startswith("/admin/") and rule.endpoint != "shops.launch":
            path = rule.rule
            for name in rule.arguments:
                path = re.sub(rf"<(?:\w+:)?{name}>", str(ids[name]), path)
            routes.append(path)
    return sorted(routes)


@fuzz_settings(5)
@given(values=st.fixed_dictionaries({name: text_or_nasty for name in PARAMS}))
def test_query_parameters_of_every_get_admin_route(app, admin, account_id, values):
    routes = _get_routes(app, account_id)
    assert len(routes) >= 20
    for path in routes:
        answer = admin.get(path, query_string=values)
        if answer.status_code == 302:  # a redirect never leaves the admin
            assert answer.location.startswith("/admin/"), (path, values, answer.location)
            continue
        assert answer.status_code in (200, 400, 404), (path, values, answer.status_code)
        _clean(answer.get_data(as_text=True))
