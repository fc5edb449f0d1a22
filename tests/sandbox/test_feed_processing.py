"""What a JSON_LISTINGS_FEED does to Amazon's listings: stock and price patches, per-SKU errors, FBA refusals,
schema errors per message, FATAL documents, and a 25,000-message feed; every report matches Amazon's schema."""
from __future__ import annotations

import time

import pytest

from connector.sandbox.listings import checksum
from seller_api import CA, US, SellerApi, fresh_api, patch_price, patch_quantity


@pytest.fixture
def api(sandbox) -> SellerApi:
    return fresh_api(sandbox)


def _issues_by_message(report: dict) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for issue in report["issues"]:
        found.setdefault(issue.get("messageId"), []).append(issue)
    return found


def test_patches_set_quantity_and_price_and_refuse_what_amazon_refuses(api):
    messages = [
        patch_quantity("DEMO-SKU-001", 12, 1),
        patch_price("DEMO-SKU-001", 24.5, 2),
        patch_quantity("DEMO-SKU-002", 0, 3, op="merge"),
        patch_quantity("NOT-MINE", 5, 4),
        patch_quantity("DEMO-SKU-035", 5, 5),
        patch_quantity("DEMO-SKU-003", -1, 6),
        patch_price("DEMO-SKU-003", 10, 7, currency="EUR"),
        {**patch_quantity("DEMO-SKU-004", 1, 8), "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability/0/quantity", "value": [{"q": 1}]}]},
        patch_quantity("DEMO-SKU-005", 9, 9, channel="AMAZON_NA"),
    ]
    feed = api.feed(api.submit(messages))
    report = api.report(feed)
    assert report["summary"] == {"errors": 6, "warnings": 0, "messagesProcessed": 9, "messagesAccepted": 3,
                                 "messagesInvalid": 6}
    issues = _issues_by_message(report)
    assert issues[4] == [{"messageId": 4, "sku": "NOT-MINE", "code": "NOT_FOUND", "severity": "ERROR",
                          "message": f"SKU 'NOT-MINE' not found in marketplace {US}"}]
    assert issues[5][0]["code"] == "FBA_QUANTITY_NOT_ALLOWED" and "AMAZON_NA" in issues[5][0]["message"]
    assert issues[6][0]["code"] == "4000001" and issues[6][0]["attributeName"] == "fulfillment_availability"
    assert issues[7][0]["code"] == "4000001" and "sells in USD" in issues[7][0]["message"]
    assert issues[8][0]["code"] == "INVALID_PATCH_PATH"
    assert issues[9][0]["code"] == "FBA_QUANTITY_NOT_ALLOWED"
    assert api.listing("DEMO-SKU-001")["quantity"] == 12 and api.listing("DEMO-SKU-001")["price"] == "24.50"
    assert api.listing("DEMO-SKU-002")["quantity"] == 0
    assert api.listing("DEMO-SKU-003")["quantity"] == 21 and api.listing("DEMO-SKU-003")["price"] == "12.99"
    applied = api.sim("GET", "listings/applied", params={"source": f"feed:{feed['feedId']}"}).json()["applied"]
    assert [(a["message_id"], a["sku"], a["changes"]) for a in applied] == [
        (1, "DEMO-SKU-001", {"quantity": 12}), (2, "DEMO-SKU-001", {"price": "24.50"}),
        (3, "DEMO-SKU-002", {"quantity": 0})]
    assert api.sim("GET", f"feeds/{feed['feedId']}").json()["applied_message_ids"] == [1, 2, 3]


def test_schema_errors_and_repeated_message_ids_invalidate_only_those_messages(api):
    messages = [
        {"messageId": 1, "sku": "DEMO-SKU-001", "operationType": "PATCH", "productType": "PRODUCT"},
        {"messageId": 2, "sku": "DEMO-SKU-002", "operationType": "UPSERT", "productType": "PRODUCT"},
        patch_quantity("DEMO-SKU-003", 1, 3),
        patch_quantity("DEMO-SKU-004", 1, 3),
        {"messageId": 0, "sku": "", "operationType": "DELETE"},
        patch_quantity("DEMO-SKU-005", 77, 6),
    ]
    report = api.report(api.feed(api.submit(messages)))
    assert report["summary"]["messagesAccepted"] == 1 and report["summary"]["messagesInvalid"] == 5
    assert {issue["code"] for issue in report["issues"]} == {"4002008"}
    assert all(issue["message"].startswith("The provided message did not meet the schema validation")
               for issue in report["issues"] if issue.get("messageId") in (1, 2))
    assert [i.get("messageId") for i in report["issues"]] == [1, 2, 3, 3, None]
    assert report["issues"][0]["message"].endswith("must contain ['patches'] properties.")
    assert "operationType must be UPDATE or PARTIAL_UPDATE" in report["issues"][1]["message"]
    assert api.listing("DEMO-SKU-005")["quantity"] == 77 and api.listing("DEMO-SKU-003")["quantity"] == 21


@pytest.mark.parametrize("document,code", [
    (b"{not json", "INVALID_FEED"),
    ({"header": {"sellerId": "A1DEMOSELLERNA", "version": "1.0"}, "messages": [patch_quantity("DEMO-SKU-001", 1, 1)]},
     "INVALID_FEED"),
    ({"header": {"sellerId": "A1DEMOSELLERNA", "version": "2.0"}, "messages": []}, "INVALID_FEED"),
    ({"header": {"sellerId": "A4OTHERSELLERNA", "version": "2.0"}, "messages": [patch_quantity("DEMO-SKU-001", 1, 1)]},
     "INVALID_SELLER"),
])
def test_documents_that_are_not_a_listings_feed_end_fatal(api, document, code):
    feed = api.feed(api.create_feed(api.upload(document)).json()["feedId"])
    assert feed["processingStatus"] == "FATAL"
    report = api.report(feed)
    assert [issue["code"] for issue in report["issues"]] == [code] and "messageId" not in report["issues"][0]
    assert report["summary"]["messagesProcessed"] == 0
    assert api.listing("DEMO-SKU-001")["quantity"] == 7


def test_update_partial_update_and_delete(api):
    messages = [
        {"messageId": 1, "sku": "NEW-SKU", "operationType": "UPDATE", "productType": "SHOES", "requirements": "LISTING",
         "attributes": {"item_name": [{"value": "Red shoes"}],
                        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}]}},
        {"messageId": 2, "sku": "DEMO-SKU-010", "operationType": "PARTIAL_UPDATE", "productType": "PRODUCT",
         "attributes": {"purchasable_offer": [{"currency": "USD", "our_price": [{"schedule": [{"value_with_tax": 5}]}]}]}},
        {"messageId": 3, "sku": "DEMO-SKU-011", "operationType": "DELETE"},
        {"messageId": 4, "sku": "NEVER-EXISTED", "operationType": "DELETE"},
    ]
    report = api.report(api.feed(api.submit(messages)))
    assert report["summary"]["messagesAccepted"] == 3
    assert report["issues"][0]["code"] == "NOT_FOUND" and report["issues"][0]["sku"] == "NEVER-EXISTED"
    created = api.listing("NEW-SKU")
    assert created["quantity"] == 4 and created["price"] is None and created["product_type"] == "SHOES"
    assert api.listing("DEMO-SKU-010")["price"] == "5.00" and api.listing("DEMO-SKU-010")["quantity"] == 20
    assert api.listing("DEMO-SKU-011") is None


def test_a_message_applies_in_every_marketplace_or_none(api):
    api.sim("POST", "listings", json={"selling_partner_id": api.seller, "marketplace_id": US,
                                      "listings": [{"sku": "US-ONLY", "quantity": 1, "price": "3.00"}]})
    messages = [patch_quantity("US-ONLY", 9, 1), patch_quantity("DEMO-SKU-012", 9, 2)]
    report = api.report(api.feed(api.submit(messages, marketplace_ids=(US, CA))))
    assert report["issues"] == [{"messageId": 1, "sku": "US-ONLY", "code": "NOT_FOUND", "severity": "ERROR",
                                 "message": f"SKU 'US-ONLY' not found in marketplace {CA}"}]
    assert api.listing("US-ONLY")["quantity"] == 1
    assert api.listing("DEMO-SKU-012", US)["quantity"] == 9 and api.listing("DEMO-SKU-012", CA)["quantity"] == 9


def test_the_report_lists_items_when_the_header_asks(api):
    header = {"sellerId": api.seller, "version": "2.0",
              "report": {"includedData": ["summaries", "offers", "fulfillmentAvailability"], "apiVersion": "2021-08-01"}}
    report = api.report(api.feed(api.submit([patch_quantity("DEMO-SKU-013", 3, 1)], header=header)))
    assert report["header"]["report"] == header["report"]
    assert report["summary"]["itemSummary"] == {"items": 1, "errors": 0, "warnings": 0}
    assert report["items"][0]["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 3}]


def test_a_25000_message_feed_sets_every_sku(api):
    api.sim("POST", "listings", json={"selling_partner_id": api.seller, "marketplace_id": US,
                                      "bulk": {"count": 25_000, "prefix": "BULK-", "quantity": 1, "price": "1.00"}})
    messages, expected = [], []
    for number in range(1, 25_001):
        sku, quantity, price = f"BULK-{number:06d}", number % 97, round(2 + number / 100, 2)
        messages.append({**patch_quantity(sku, quantity, number), "patches": [
            patch_quantity(sku, quantity, number)["patches"][0], patch_price(sku, price, number)["patches"][0]]})
        expected.append((sku, quantity, price))
    started = time.perf_counter()
    feed = api.feed(api.submit(messages))
    print(f"25,000-message feed: upload, processing and getFeed took {time.perf_counter() - started:.2f}s")
    assert feed["processingStatus"] == "DONE"
    assert api.report(feed)["summary"] == {"errors": 0, "warnings": 0, "messagesProcessed": 25_000,
                                           "messagesAccepted": 25_000, "messagesInvalid": 0}
    summary = api.sim("GET", "listings/summary", params={"selling_partner_id": api.seller, "marketplace_id": US,
                                                         "prefix": "BULK-"}).json()
    assert summary["count"] == 25_000 and summary["checksum"] == checksum(expected)
    record = api.sim("GET", f"feeds/{feed['feedId']}").json()
    assert record["messages_applied"] == 25_000 and len(set(record["applied_message_ids"])) == 25_000
