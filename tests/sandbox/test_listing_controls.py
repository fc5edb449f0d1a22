"""The /_sim controls tests and benchmarks use for Amazon's listings and feeds: seeding one by one and in bulk,
reading one, many or a checksummed summary, the demo catalog, the feed delay and the feed records."""
from __future__ import annotations

import time

import pytest

from connector.sandbox.listings import checksum
from seller_api import US, SellerApi, fresh_api, patch_quantity

DE = "A1PA6795UKMFR9"


@pytest.fixture
def api(sandbox) -> SellerApi:
    return fresh_api(sandbox)


def _where(api: SellerApi, marketplace_id: str = US, **extra) -> dict:
    return {"selling_partner_id": api.seller, "marketplace_id": marketplace_id, **extra}


def test_seed_read_summarize_and_clear(api):
    seeded = api.sim("POST", "listings", json=_where(api, listings=[
        {"sku": "S-1", "quantity": 3, "price": "4.50"}, {"sku": "S-2", "quantity": 0, "price": 7},
        {"sku": "S-3", "fulfillment_channel": "AMAZON_NA", "quantity": 8}, {"sku": "DEMO-SKU-001", "quantity": 99}]))
    assert seeded.status_code == 201 and seeded.json() == {"seeded": 4, "new": 3}
    assert api.listing("S-3") | {"updated": None} == {
        "sku": "S-3", "product_type": "PRODUCT", "quantity": 8, "price": None, "currency": "USD",
        "fulfillment_channel": "AMAZON_NA", "updated": None}
    assert api.listing("DEMO-SKU-001")["quantity"] == 99
    page = api.sim("GET", "listings", params=_where(api, prefix="S-", offset=1, limit=1)).json()
    assert page["total"] == 3 and [listing["sku"] for listing in page["listings"]] == ["S-2"]
    summary = api.sim("GET", "listings/summary", params=_where(api, prefix="S-")).json()
    assert summary == {"count": 3, "fba": 1, "total_quantity": 11,
                       "checksum": checksum([("S-1", 3, "4.5"), ("S-2", 0, 7), ("S-3", 8, None)])}
    assert api.sim("DELETE", "listings", params={"selling_partner_id": api.seller, "marketplace_id": US}).ok
    assert api.sim("GET", "listings/summary", params=_where(api)).json()["count"] == 0
    assert api.sim("GET", "listings/summary", params=_where(api, "A2EUQ1WTGCTBG2")).json()["count"] == 36


@pytest.mark.parametrize("body", [
    {"marketplace_id": US, "listings": []},
    {"selling_partner_id": "A1DEMOSELLERNA", "marketplace_id": "NOWHERE", "listings": []},
    {"selling_partner_id": "A1DEMOSELLERNA", "marketplace_id": US, "listings": [{"sku": ""}]},
    {"selling_partner_id": "A1DEMOSELLERNA", "marketplace_id": US, "listings": [{"sku": "X", "quantity": -1}]},
    {"selling_partner_id": "A1DEMOSELLERNA", "marketplace_id": US, "listings": [{"sku": "X", "price": "free"}]},
    {"selling_partner_id": "A1DEMOSELLERNA", "marketplace_id": US, "listings": [{"sku": "X", "fulfillment_channel": "MFN"}]},
    {"selling_partner_id": "A1DEMOSELLERNA", "marketplace_id": US, "bulk": {"count": 0}},
    {"selling_partner_id": "A1DEMOSELLERNA", "marketplace_id": US},
])
def test_bad_seeds_are_refused_and_change_nothing(api, body):
    before = api.sim("GET", "listings/summary", params=_where(api)).json()
    refused = api.sim("POST", "listings", json=body)
    assert refused.status_code == 400 and refused.json()["error"]
    assert api.sim("GET", "listings/summary", params=_where(api)).json() == before


def test_bulk_seed_of_100000_skus_and_its_summary(api):
    started = time.perf_counter()
    seeded = api.sim("POST", "listings", json=_where(api, DE, bulk={
        "count": 100_000, "prefix": "BENCH-", "quantity": 5, "price": "19.99", "fba_every": 10}))
    print(f"seeding 100,000 SKUs over HTTP took {time.perf_counter() - started:.2f}s")
    assert seeded.status_code == 201 and seeded.json()["seeded"] == 100_000
    summary = api.sim("GET", "listings/summary", params=_where(api, DE, prefix="BENCH-")).json()
    expected = [(f"BENCH-{n:06d}", 5, "19.99") for n in range(1, 100_001)]
    assert summary == {"count": 100_000, "fba": 10_000, "total_quantity": 500_000, "checksum": checksum(expected)}
    assert api.listing("BENCH-000010", DE)["fulfillment_channel"] == "AMAZON_EU"
    assert api.listing("BENCH-000011", DE)["currency"] == "EUR"


def test_demo_sellers_have_a_demo_catalog_that_reset_restores(api, sandbox):
    for seller, marketplace_id in (("A1DEMOSELLERNA", "A1AM78C64UM0Y8"), ("A2DEMOSELLEREU", DE),
                                   ("A3DEMOSELLERFE", "A1VC38T7YXB528")):
        summary = api.sim("GET", "listings/summary", params={"selling_partner_id": seller,
                                                             "marketplace_id": marketplace_id}).json()
        assert summary["count"] == 36 and summary["fba"] == 4
    api.submit([patch_quantity("DEMO-SKU-001", 0, 1)])
    assert api.listing("DEMO-SKU-001")["quantity"] == 0
    sandbox.reset()
    assert api.listing("DEMO-SKU-001")["quantity"] == 7
    assert api.sim("GET", "listings/applied").json()["applied"] == []
    assert api.sim("GET", "feeds").json()["feeds"] == []


def test_feed_controls(api, sandbox):
    assert api.sim("POST", "feeds/settings", json={"processing_seconds": 120}).json() == {"processing_seconds": 120.0}
    assert api.sim("POST", "feeds/settings", json={"processing_seconds": -1}).status_code == 400
    feed_id = api.submit([patch_quantity("DEMO-SKU-001", 1, 1)])
    sandbox.state.advance_clock(121)
    assert api.sim("POST", "feeds/process").ok
    feeds = api.sim("GET", "feeds", params={"selling_partner_id": api.seller}).json()["feeds"]
    assert [(f["feedId"], f["processingStatus"], f["messages_applied"]) for f in feeds] == [(feed_id, "DONE", 1)]
    assert api.sim("GET", "feeds/nope").status_code == 404
    assert api.sim("DELETE", "feeds/faults").ok
    sandbox.reset()
    assert api.sim("GET", "feeds/settings").json() == {"processing_seconds": sandbox.state.settings.feed_processing_seconds}
