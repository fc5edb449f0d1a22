"""The simulator's Listings Items API 2021-08-01: getListingsItem and patchListingsItem on Amazon's side of the
listings, with SKUs of any characters, VALIDATION_PREVIEW, usage plans and faults; answers match the model."""
from __future__ import annotations

import pytest

from seller_api import CA, LISTINGS_MODEL, US, SellerApi, check, fresh_api

STOCK = {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 11}]}


@pytest.fixture
def api(sandbox) -> SellerApi:
    return fresh_api(sandbox)


def _get(api: SellerApi, sku: str, **params):
    return api.call("GET", api.item_path(sku), params={"marketplaceIds": US, **params})


def _patch(api: SellerApi, sku: str, patches: list[dict], **params):
    return api.call("PATCH", api.item_path(sku), params={"marketplaceIds": US, **params},
                    json={"productType": "PRODUCT", "patches": patches})


def test_get_listings_item_shows_summaries_by_default_and_everything_on_request(api):
    default = check(_get(api, "DEMO-SKU-001"), 200, LISTINGS_MODEL, "Item")
    assert set(default) == {"sku", "summaries"} and default["summaries"][0]["status"] == ["BUYABLE", "DISCOVERABLE"]
    everything = check(_get(api, "DEMO-SKU-033", includedData="summaries,attributes,issues,offers,"
                            "fulfillmentAvailability,procurement,relationships,productTypes"), 200, LISTINGS_MODEL, "Item")
    assert everything["offers"] == [{"marketplaceId": US, "offerType": "B2C",
                                     "price": {"currencyCode": "USD", "amount": "42.99"},
                                     "audience": {"value": "ALL", "displayName": "Sell on Amazon"}}]
    assert everything["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "AMAZON_NA", "quantity": 31}]
    assert everything["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 42.99
    assert everything["issues"] == [] and everything["productTypes"] == [{"marketplaceId": US, "productType": "PRODUCT"}]


def test_get_listings_item_errors(api):
    missing = check(_get(api, "NO-SUCH-SKU"), 404, LISTINGS_MODEL, "ErrorList")
    assert missing["errors"][0] == {"code": "NOT_FOUND", "message": f"SKU 'NO-SUCH-SKU' not found in marketplace {US}",
                                    "details": ""}
    other_seller = api.call("GET", api.item_path("DEMO-SKU-001", seller="A4OTHERSELLERNA"), params={"marketplaceIds": US})
    assert check(other_seller, 403, LISTINGS_MODEL, "ErrorList")["errors"][0]["code"] == "Unauthorized"
    assert check(api.call("GET", api.item_path("DEMO-SKU-001")), 400, LISTINGS_MODEL, "ErrorList")
    check(_get(api, "DEMO-SKU-001", includedData="everything"), 400, LISTINGS_MODEL, "ErrorList")
    check(api.call("GET", api.item_path("DEMO-SKU-001"), params={"marketplaceIds": "A1PA6795UKMFR9"}), 400,
          LISTINGS_MODEL, "ErrorList")


def test_patch_accepted_changes_amazons_listing_and_is_logged(api):
    answer = check(_patch(api, "DEMO-SKU-001", [STOCK, {
        "op": "replace", "path": "/attributes/purchasable_offer",
        "value": [{"currency": "USD", "our_price": [{"schedule": [{"value_with_tax": 19.9}]}]}]}]),
        200, LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert answer["status"] == "ACCEPTED" and answer["issues"] == [] and answer["sku"] == "DEMO-SKU-001"
    assert api.listing("DEMO-SKU-001") | {"updated": None} == {
        "sku": "DEMO-SKU-001", "product_type": "PRODUCT", "quantity": 11, "price": "19.90", "currency": "USD",
        "fulfillment_channel": "DEFAULT", "updated": None}
    applied = api.sim("GET", "listings/applied", params={"source": f"listings-api:{answer['submissionId']}"}).json()
    assert [entry["changes"] for entry in applied["applied"]] == [{"quantity": 11, "price": "19.90"}]
    assert _get(api, "DEMO-SKU-001", includedData="fulfillmentAvailability").json()["fulfillmentAvailability"] == [
        {"fulfillmentChannelCode": "DEFAULT", "quantity": 11}]


def test_patch_refusals_are_invalid_submissions_with_issues(api):
    unknown = check(_patch(api, "NOT-MINE", [STOCK]), 200, LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert unknown["status"] == "INVALID"
    assert unknown["issues"] == [{"code": "NOT_FOUND", "message": f"SKU 'NOT-MINE' not found in marketplace {US}",
                                  "severity": "ERROR", "categories": [], "marketplaceIds": [US]}]
    fba = check(_patch(api, "DEMO-SKU-034", [STOCK]), 200, LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert fba["status"] == "INVALID" and fba["issues"][0]["code"] == "FBA_QUANTITY_NOT_ALLOWED"
    assert fba["issues"][0]["attributeNames"] == ["fulfillment_availability"]
    assert api.listing("DEMO-SKU-034")["quantity"] == (34 * 7) % 50
    both = check(api.call("PATCH", api.item_path("DEMO-SKU-001"), params={"marketplaceIds": f"{US},{CA}"},
                          json={"productType": "PRODUCT", "patches": [{**STOCK, "value": [
                              {"fulfillment_channel_code": "DEFAULT", "quantity": 2, "marketplace_id": CA}]}]}),
                 200, LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert both["status"] == "ACCEPTED"
    assert api.listing("DEMO-SKU-001", CA)["quantity"] == 2 and api.listing("DEMO-SKU-001", US)["quantity"] == 7


def test_validation_preview_changes_nothing(api):
    preview = check(_patch(api, "DEMO-SKU-002", [STOCK], mode="VALIDATION_PREVIEW", includedData="identifiers,issues"),
                    200, LISTINGS_MODEL, "ListingsItemSubmissionResponse")
    assert preview["status"] == "VALID" and preview["identifiers"][0]["marketplaceId"] == US
    assert preview["identifiers"][0]["asin"].startswith("B0")
    assert api.listing("DEMO-SKU-002")["quantity"] == 14
    invalid = check(_patch(api, "DEMO-SKU-036", [STOCK], mode="VALIDATION_PREVIEW"), 200, LISTINGS_MODEL,
                    "ListingsItemSubmissionResponse")
    assert invalid["status"] == "INVALID"
    for params in ({"includedData": "identifiers"}, {"mode": "LIVE"}):
        check(_patch(api, "DEMO-SKU-002", [STOCK], **params), 400, LISTINGS_MODEL, "ErrorList")
    assert api.sim("GET", "listings/applied", params={"sku": "DEMO-SKU-002"}).json()["applied"] == []


@pytest.mark.parametrize("body", [None, {"productType": "PRODUCT", "patches": []},
                                  {"productType": "PRODUCT", "patches": [{"op": "upsert", "path": "/attributes/x"}]},
                                  {"patches": [STOCK]}])
def test_patch_bodies_that_are_not_a_patch_request(api, body):
    response = api.call("PATCH", api.item_path("DEMO-SKU-001"), params={"marketplaceIds": US}, json=body)
    assert check(response, 400, LISTINGS_MODEL, "ErrorList")["errors"][0]["code"] == "InvalidInput"


@pytest.mark.parametrize("sku", ["A/B/C", "with space", "ÜNÏ-コード-😀", "hash#1", "100%", "plus+sign", "semi;colon?q=1"])
def test_skus_of_any_characters_round_trip_through_the_path(api, sku):
    api.sim("POST", "listings", json={"selling_partner_id": api.seller, "marketplace_id": US,
                                      "listings": [{"sku": sku, "quantity": 1, "price": 2}]})
    assert check(_patch(api, sku, [STOCK]), 200, LISTINGS_MODEL, "ListingsItemSubmissionResponse")["sku"] == sku
    assert check(_get(api, sku), 200, LISTINGS_MODEL, "Item")["sku"] == sku
    assert api.listing(sku)["quantity"] == 11


def test_usage_plans_and_faults(api):
    assert [_patch(api, "DEMO-SKU-003", [STOCK]).status_code for _ in range(6)] == [200] * 5 + [429]
    assert [_get(api, "DEMO-SKU-003").status_code for _ in range(11)] == [200] * 10 + [429]
    assert _get(api, "DEMO-SKU-003").headers.get("x-amzn-RateLimit-Limit") is None
    api.sim("POST", "clock", json={"advance_seconds": 1})
    assert _get(api, "DEMO-SKU-003").headers["x-amzn-RateLimit-Limit"] == "5.0"
    api.sim("POST", "faults", json={"operation": "patchListingsItem", "kind": "500", "count": 1})
    failed = check(_patch(api, "DEMO-SKU-003", [STOCK]), 500, LISTINGS_MODEL, "ErrorList")
    assert failed["errors"][0]["code"] == "InternalFailure"
