"""Driving the Request / Renew Token flow the way the browser does: admin page, popup, Seller Central, callback.

The admin (inside the cart's iframe) and the popup (top level on our origin) are separate test clients because in
a real browser they do not share cookies: the iframe's session cookie is partitioned under the cart's site.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests

from helpers import csrf_from

PUBLIC = "http://connector.test"


@dataclass
class FlowResult:
    status_code: int
    page: str
    consent_url: str | None = None


def _local(client, url: str):
    assert url.startswith(PUBLIC), url
    return client.get(url[len(PUBLIC):])


def open_popup(app, admin, account_id: int):
    page = admin.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    ticket = admin.post(f"/amazon/authorize/ticket/{account_id}", headers={"X-CSRFToken": csrf_from(page)})
    assert ticket.status_code == 200, ticket.data
    popup = app.test_client()
    start = _local(popup, ticket.json["url"])
    assert start.status_code == 200
    return popup, start


def go_to_consent(popup, start) -> str:
    html = start.get_data(as_text=True)
    ticket = re.search(r'name="ticket" value="([^"]+)"', html).group(1)
    response = popup.post("/amazon/authorize/start", data={"csrf_token": csrf_from(html), "ticket": unescape(ticket)})
    assert response.status_code == 302
    return response.headers["Location"]


def consent(consent_url: str, seller: str | None = None, decision: str = "confirm", tick: bool = True) -> requests.Response:
    """Seller Central (the simulator): sign in as `seller`, tick the box, press Confirm or Cancel."""
    page = requests.get(consent_url, timeout=10)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {key: unescape(value) for key, value in fields.items()}
    if seller:
        fields["selling_partner_id"] = seller
    else:
        fields["selling_partner_id"] = re.search(r'<option value="([^"]+)"', page.text).group(1)
    if tick:
        fields["authorize"] = "on"
    fields["decision"] = decision
    return requests.post(consent_url, data=fields, allow_redirects=False, timeout=10)


def follow_back(popup, amazon_response: requests.Response, before_callback=None):
    """From Seller Central back to us: through the log-in URI hop when Amazon makes one, then the callback."""
    location = amazon_response.headers["Location"]
    if urlsplit(location).path == "/amazon/authorize/login":
        hop = _local(popup, location)
        if hop.status_code != 302:
            return hop
        confirm = requests.get(hop.headers["Location"], allow_redirects=False, timeout=10)
        assert confirm.status_code == 302, confirm.text
        location = confirm.headers["Location"]
    if before_callback:
        before_callback()
    return _local(popup, location)


def authorize(app, admin, account_id: int, seller: str | None = None) -> FlowResult:
    popup, start = open_popup(app, admin, account_id)
    consent_url = go_to_consent(popup, start)
    result = follow_back(popup, consent(consent_url, seller))
    return FlowResult(result.status_code, result.get_data(as_text=True), consent_url)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
