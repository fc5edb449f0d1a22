"""searchOrders and getOrder (Orders API v2026-01-01) behave like Amazon's: shapes per the official model, real
filters, the two-minute rule, pagination that neither skips nor repeats, and the order life the connector must
follow (PENDING released later, cancellations, late arrivals, Amazon-fulfilled orders)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from connector.sandbox.orders.factory import ItemSpec
from orders_support import (ALL_DATA, CA, MX, ORDERS_2026, OTHER_SELLER, SELLER, US, amazon, assert_valid,  # noqa: F401
                            ids, iso, signed_in)

ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")


def test_orders_match_the_model_and_includeddata_decides_what_is_shown(amazon):
    multi = amazon.order(("SKU-A", "SKU-B"), marketplace_id=CA)
    pending = amazon.order(status="PENDING")
    fba = amazon.order(fulfilled_by="AMAZON")
    cancelled = amazon.order(status="CANCELLED")
    amazon.advance(minutes=3)
    full = {order["orderId"]: order for order in amazon.search_ok(createdAfter=iso(multi.created),
                                                                  includedData=ALL_DATA)["orders"]}
    assert set(full) == {multi.order_id, pending.order_id, fba.order_id, cancelled.order_id}
    assert all(ORDER_ID.match(order_id) for order_id in full)

    shown = full[multi.order_id]
    assert shown["salesChannel"] == {"channelName": "AMAZON", "marketplaceId": CA, "marketplaceName": "Amazon.ca"}
    assert [item["product"]["sellerSku"] for item in shown["orderItems"]] == ["SKU-A", "SKU-B"]
    assert {item["product"]["price"]["unitPrice"]["currencyCode"] for item in shown["orderItems"]} == {"CAD"}
    assert shown["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert shown["fulfillment"]["fulfilledBy"] == "MERCHANT"
    assert set(shown["fulfillment"]) >= {"fulfillmentServiceLevel", "shipByWindow", "deliverByWindow"}
    assert shown["recipient"]["deliveryAddress"]["countryCode"] == "CA"
    assert shown["buyer"]["buyerEmail"].endswith("@marketplace.amazon.ca")
    items_total = sum(float(item["proceeds"]["proceedsTotal"]["amount"]) for item in shown["orderItems"])
    assert float(shown["proceeds"]["grandTotal"]["amount"]) == pytest.approx(items_total)

    assert "recipient" not in full[pending.order_id] and "proceeds" not in full[pending.order_id]
    assert "buyerEmail" not in full[fba.order_id]["buyer"]
    assert "phone" not in full[fba.order_id]["recipient"]["deliveryAddress"]
    cancelled_item = full[cancelled.order_id]["orderItems"][0]
    assert cancelled_item["cancellation"]["cancellationRequest"]["requester"] == "BUYER"
    assert cancelled_item["fulfillment"] == {"quantityFulfilled": 0, "quantityUnfulfilled": 0}

    bare = amazon.search_ok(createdAfter=iso(multi.created))["orders"][0]
    assert set(bare) == {"orderId", "createdTime", "lastUpdatedTime", "salesChannel", "orderItems"}
    assert set(bare["orderItems"][0]) == {"orderItemId", "quantityOrdered", "product"}

    one = amazon.get_order(multi.order_id, includedData="FULFILLMENT")
    assert one.status_code == 200 and one.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert_valid(ORDERS_2026, "GetOrderResponse", one.json())
    assert one.json()["order"]["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"


def test_filters_select_exactly_the_matching_orders(amazon):
    start = amazon.now() - timedelta(hours=10)
    us_merchant = amazon.order(marketplace_id=US, created=start)
    mx_amazon = amazon.order(marketplace_id=MX, fulfilled_by="AMAZON", created=start + timedelta(hours=1))
    ca_shipped = amazon.order(marketplace_id=CA, status="SHIPPED", created=start + timedelta(hours=2),
                              last_updated=start + timedelta(hours=5))
    us_pending = amazon.order(marketplace_id=US, status="PENDING", created=start + timedelta(hours=3))
    everything = {us_merchant.order_id, mx_amazon.order_id, ca_shipped.order_id, us_pending.order_id}

    assert set(ids(amazon.search_ok(createdAfter=iso(start)))) == everything
    assert set(ids(amazon.search_ok(createdAfter=iso(start + timedelta(hours=1)),
                                    createdBefore=iso(start + timedelta(hours=2))))) == {mx_amazon.order_id,
                                                                                         ca_shipped.order_id}
    assert ids(amazon.search_ok(lastUpdatedAfter=iso(start + timedelta(hours=4)))) == [ca_shipped.order_id]
    assert set(ids(amazon.search_ok(createdAfter=iso(start), marketplaceIds=US))) == {us_merchant.order_id,
                                                                                     us_pending.order_id}
    assert set(ids(amazon.search_ok(createdAfter=iso(start), marketplaceIds=f"{CA},{MX}"))) == {
        mx_amazon.order_id, ca_shipped.order_id}
    assert ids(amazon.search_ok(createdAfter=iso(start), fulfilledBy="AMAZON")) == [mx_amazon.order_id]
    assert mx_amazon.order_id not in ids(amazon.search_ok(createdAfter=iso(start), fulfilledBy="MERCHANT"))
    assert set(ids(amazon.search_ok(createdAfter=iso(start), fulfillmentStatuses="UNSHIPPED,SHIPPED"))) == {
        us_merchant.order_id, mx_amazon.order_id, ca_shipped.order_id}
    ordered = amazon.search_ok(createdAfter=iso(start))["orders"]
    assert [order["createdTime"] for order in ordered] == sorted(order["createdTime"] for order in ordered)


def test_the_search_ends_two_minutes_before_now(amazon):
    order = amazon.order()
    first = amazon.search_ok(lastUpdatedAfter=iso(order.created - timedelta(minutes=1)))
    assert first["orders"] == [] and first["lastUpdatedBefore"] == iso(amazon.now() - timedelta(minutes=2))
    amazon.advance(seconds=119)
    assert amazon.search_ok(lastUpdatedAfter=iso(order.created))["orders"] == []
    amazon.advance(seconds=1)
    assert ids(amazon.search_ok(lastUpdatedAfter=iso(order.created))) == [order.order_id]

    now = amazon.now()
    assert amazon.search_ok(lastUpdatedAfter=iso(order.created),
                            lastUpdatedBefore=iso(now - timedelta(minutes=2)))["lastUpdatedBefore"] == iso(
        now - timedelta(minutes=2))
    too_recent = amazon.search(lastUpdatedAfter=iso(order.created), lastUpdatedBefore=iso(now - timedelta(seconds=119)))
    assert too_recent.status_code == 400
    assert "at least two minutes before" in too_recent.json()["errors"][0]["message"]


@pytest.mark.parametrize("params,message", [
    ({}, "exactly one of createdAfter and lastUpdatedAfter"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "lastUpdatedAfter": "2025-01-01T00:00:00Z"}, "exactly one"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "lastUpdatedBefore": "2025-01-02T00:00:00Z"},
     "lastUpdatedBefore cannot be combined with createdAfter"),
    ({"lastUpdatedAfter": "2025-01-01T00:00:00Z", "createdBefore": "2025-01-02T00:00:00Z"},
     "createdBefore cannot be combined with lastUpdatedAfter"),
    ({"createdAfter": "2025-01-02T00:00:00Z", "createdBefore": "2025-01-01T00:00:00Z"},
     "createdBefore must be equal to or after createdAfter"),
    ({"createdAfter": "01/02/2025"}, "ISO 8601"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "fulfillmentStatuses": "Unshipped"}, "fulfillmentStatuses"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "fulfilledBy": "AFN"}, "fulfilledBy"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "includedData": "ITEMS"}, "includedData"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "marketplaceIds": "A1PA6795UKMFR9"}, "not marketplaces of this seller"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "marketplaceIds": ",".join(f"M{n}" for n in range(51))},
     "at most 50"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "maxResultsPerPage": "0"}, "maxResultsPerPage"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "maxResultsPerPage": "101"}, "maxResultsPerPage"),
    ({"createdAfter": "2025-01-01T00:00:00Z", "paginationToken": "forged"}, "paginationToken is not valid"),
])
def test_invalid_searches_get_amazons_400(amazon, params, message):
    response = amazon.search(**params)
    assert response.status_code == 400 and response.headers["x-amzn-RateLimit-Limit"] == "0.0056"
    assert_valid(ORDERS_2026, "ErrorList", response.json())
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidInput" and message in error["message"]


def test_paging_never_skips_or_repeats_even_while_orders_change(amazon):
    made = amazon.world.generate(SELLER, 230, 2, seed=7)
    now = amazon.now()
    after = iso(min(order.created for order in made))
    expected = {order.order_id for order in made
                if order.visible(now) and order.created <= now - timedelta(minutes=2)}
    assert len(amazon.search_ok(createdAfter=after)["orders"]) == 100  # the default page size

    first = amazon.search_ok(createdAfter=after, maxResultsPerPage=7)
    second = amazon.search_ok(createdAfter=after, paginationToken=first["pagination"]["nextToken"],
                              maxResultsPerPage=7)
    retried = amazon.search_ok(createdAfter=after, paginationToken=first["pagination"]["nextToken"],
                               maxResultsPerPage=7)
    assert retried["orders"] == second["orders"]
    seen = ids(first) + ids(second)
    not_yet_seen = next(order for order in made if order.order_id in expected - set(seen)
                        and order.status == "UNSHIPPED")
    amazon.world.cancel(not_yet_seen.order_id)
    amazon.advance(minutes=30)

    page = second
    while "pagination" in page:
        page = amazon.search_ok(createdAfter=after, paginationToken=page["pagination"]["nextToken"],
                                maxResultsPerPage=13, includedData="FULFILLMENT")
        seen += ids(page)
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_pagination_token_misuse(amazon):
    made = amazon.world.generate(SELLER, 30, 1, seed=3)
    after = iso(min(order.created for order in made))
    token = amazon.search_ok(createdAfter=after, maxResultsPerPage=10)["pagination"]["nextToken"]

    changed = amazon.search(createdAfter=after, marketplaceIds=US, paginationToken=token)
    assert changed.status_code == 400 and "other parameters" in changed.json()["errors"][0]["message"]
    other = signed_in(amazon.url, amazon.state, OTHER_SELLER)
    stolen = other.search(createdAfter=after, paginationToken=token)
    assert stolen.status_code == 400 and "not valid" in stolen.json()["errors"][0]["message"]
    assert amazon.search(createdAfter=after, paginationToken=token, maxResultsPerPage=5).status_code == 200

    amazon.advance(hours=24)
    expired = amazon.search(createdAfter=after, paginationToken=token)
    assert expired.status_code == 400 and "expired" in expired.json()["errors"][0]["message"]


def test_pending_orders_reappear_as_unshipped_through_last_updated_after(amazon):
    created = amazon.now()
    order = amazon.order(status="PENDING", release_at=created + timedelta(minutes=20))
    amazon.advance(minutes=5)
    first = amazon.search_ok(lastUpdatedAfter=iso(created), includedData="FULFILLMENT")
    assert [o["fulfillment"]["fulfillmentStatus"] for o in first["orders"]] == ["PENDING"]

    amazon.advance(minutes=30)
    later = amazon.search_ok(lastUpdatedAfter=first["lastUpdatedBefore"], includedData="FULFILLMENT,RECIPIENT")
    [released] = later["orders"]
    assert released["orderId"] == order.order_id
    assert released["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert released["lastUpdatedTime"] == iso(created + timedelta(minutes=20))
    assert released["recipient"]["deliveryAddress"]["postalCode"]


def test_late_arrivals_show_up_only_minutes_after_their_last_update(amazon):
    created = amazon.now()
    late = amazon.order(visible_at=created + timedelta(minutes=10))
    on_time = amazon.order()
    amazon.advance(minutes=5)
    window = amazon.search_ok(lastUpdatedAfter=iso(created))
    assert ids(window) == [on_time.order_id]
    assert amazon.get_order(late.order_id).status_code == 404

    amazon.advance(minutes=6)
    assert ids(amazon.search_ok(lastUpdatedAfter=window["lastUpdatedBefore"])) == []
    overlapping = amazon.search_ok(lastUpdatedAfter=iso(created))
    assert late.order_id in ids(overlapping) and overlapping["orders"][0]["lastUpdatedTime"] == iso(created)
    assert amazon.get_order(late.order_id).status_code == 200


def test_cancellations_of_pending_and_unshipped_orders_move_last_updated(amazon):
    created = amazon.now()
    pending = amazon.order(status="PENDING")
    unshipped = amazon.order()
    amazon.advance(minutes=10)
    amazon.world.cancel(pending.order_id)
    amazon.advance(minutes=10)
    amazon.world.cancel(unshipped.order_id, requester="SELLER", reason="Out of stock")
    amazon.advance(minutes=3)

    body = amazon.search_ok(lastUpdatedAfter=iso(created + timedelta(minutes=5)), fulfillmentStatuses="CANCELLED",
                            includedData="CANCELLATION,PROCEEDS")
    assert ids(body) == [pending.order_id, unshipped.order_id]
    assert [o["lastUpdatedTime"] for o in body["orders"]] == [iso(created + timedelta(minutes=10)),
                                                              iso(created + timedelta(minutes=20))]
    assert all("proceeds" not in o for o in body["orders"])
    seller_cancelled = body["orders"][1]["orderItems"][0]["cancellation"]
    assert seller_cancelled["cancellationExecution"] == {"cancelledBy": "SELLER", "cancelReason": "Out of stock"}


def test_get_order_refuses_unknown_foreign_and_malformed_ids(amazon):
    mine = amazon.order()
    theirs = amazon.world.create(OTHER_SELLER, [ItemSpec("SKU-X")])
    for order_id in ("999-0000000-0000000", theirs.order_id):
        missing = amazon.get_order(order_id)
        assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NotFound"
        assert_valid(ORDERS_2026, "ErrorList", missing.json())
    assert amazon.get_order("not-an-order").status_code == 400
    assert amazon.get_order(mine.order_id, includedData="EVERYTHING").status_code == 400
