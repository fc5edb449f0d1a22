"""The simulator's Feeds API 2021-06-30: documents with expiring presigned URLs, the feed lifecycle, getFeeds
paging, cancelFeed, usage plans and the JSON_LISTINGS_FEED limit, faults; answers match Amazon's models."""
from __future__ import annotations

import gzip
import json
import time
from xml.etree import ElementTree

import pytest
import requests

from seller_api import FEEDS_MODEL, JSON_CONTENT, US, SellerApi, check, fresh_api, patch_quantity


@pytest.fixture
def api(sandbox) -> SellerApi:
    return fresh_api(sandbox)


def _s3_code(response: requests.Response) -> str:
    assert response.headers["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content).findtext("Code")


def test_document_feed_and_report_round_trip(api):
    feed_id = api.submit([patch_quantity("DEMO-SKU-001", 42, 1)])
    feed = api.feed(feed_id)
    assert feed["processingStatus"] == "DONE" and feed["feedType"] == "JSON_LISTINGS_FEED"
    assert feed["marketplaceIds"] == [US] and feed["processingStartTime"] and feed["processingEndTime"]
    report = api.report(feed)
    assert report["header"] == {"sellerId": api.seller, "version": "2.0", "feedId": feed_id}
    assert report["summary"] == {"errors": 0, "warnings": 0, "messagesProcessed": 1, "messagesAccepted": 1,
                                 "messagesInvalid": 0}
    assert api.listing("DEMO-SKU-001")["quantity"] == 42
    assert api.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}").headers["x-amzn-RateLimit-Limit"] == "2.0"


def test_upload_and_download_urls_expire_after_five_minutes(api, sandbox):
    document = api.create_document()
    sandbox.state.advance_clock(5 * 60 + 1)
    late = requests.put(document["url"], data=b"{}", headers={"Content-Type": JSON_CONTENT}, timeout=5)
    assert late.status_code == 403 and _s3_code(late) == "AccessDenied" and b"Request has expired" in late.content
    forged = requests.put(document["url"].replace("X-Amz-Expires=300", "X-Amz-Expires=9999"), data=b"{}",
                          headers={"Content-Type": JSON_CONTENT}, timeout=5)
    assert forged.status_code == 403 and _s3_code(forged) == "SignatureDoesNotMatch"
    fresh = api.create_document()
    wrong_type = requests.put(fresh["url"], data=b"{}", headers={"Content-Type": "text/plain"}, timeout=5)
    assert wrong_type.status_code == 403 and _s3_code(wrong_type) == "SignatureDoesNotMatch"
    feed = api.feed(api.submit([patch_quantity("DEMO-SKU-001", 1, 1)]))
    download = check(api.call("GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}"), 200,
                     FEEDS_MODEL, "FeedDocument")
    sandbox.state.advance_clock(5 * 60 + 1)
    expired = requests.get(download["url"], timeout=5)
    assert expired.status_code == 403 and _s3_code(expired) == "AccessDenied"


def test_create_feed_refuses_bad_specifications(api, sandbox):
    uploaded = api.upload({"header": {"sellerId": api.seller, "version": "2.0"}, "messages": []})
    not_uploaded = api.create_document()["feedDocumentId"]
    other_seller = SellerApi(sandbox, "A4OTHERSELLERNA")
    bodies = [
        {"marketplaceIds": [US], "inputFeedDocumentId": uploaded},
        {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [], "inputFeedDocumentId": uploaded},
        {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US] * 26, "inputFeedDocumentId": uploaded},
        {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["A1PA6795UKMFR9"], "inputFeedDocumentId": uploaded},
        {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US], "inputFeedDocumentId": not_uploaded},
        {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US], "inputFeedDocumentId": "amzn1.tortuga.4.na.nope"},
        {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US], "inputFeedDocumentId": uploaded,
         "feedOptions": {"x": 1}},
    ]
    for body in bodies:
        refused = check(api.call("POST", "/feeds/2021-06-30/feeds", json=body), 400, FEEDS_MODEL, "ErrorList")
        assert refused["errors"][0]["code"] == "InvalidInput"
    foreign = other_seller.create_feed(uploaded)
    assert check(foreign, 400, FEEDS_MODEL, "ErrorList")["errors"][0]["code"] == "InvalidInput"
    no_body = api.call("POST", "/feeds/2021-06-30/documents", data="x")
    assert check(no_body, 400, FEEDS_MODEL, "ErrorList")["errors"][0]["code"] == "InvalidInput"
    assert check(api.call("GET", "/feeds/2021-06-30/feeds/123"), 404, FEEDS_MODEL, "ErrorList")


def test_lifecycle_follows_the_processing_delay(sandbox):
    api = fresh_api(sandbox, processing_seconds=60)
    feed_id = api.submit([patch_quantity("DEMO-SKU-002", 5, 1)])
    assert api.feed(feed_id)["processingStatus"] == "IN_QUEUE"
    sandbox.state.advance_clock(31)
    in_progress = api.feed(feed_id)
    assert in_progress["processingStatus"] == "IN_PROGRESS" and "resultFeedDocumentId" not in in_progress
    assert api.listing("DEMO-SKU-002")["quantity"] == 14
    sandbox.state.advance_clock(30)
    done = api.feed(feed_id)
    assert done["processingStatus"] == "DONE" and done["resultFeedDocumentId"]
    assert done["processingStartTime"] < done["processingEndTime"]
    assert api.listing("DEMO-SKU-002")["quantity"] == 5


def test_the_worker_processes_feeds_nobody_polls(sandbox):
    api = fresh_api(sandbox, processing_seconds=0.2)
    feed_id = api.submit([patch_quantity("DEMO-SKU-003", 8, 1)])
    deadline = time.monotonic() + 10
    while sandbox.state.feeds.feeds[feed_id].status != "DONE" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.state.feeds.feeds[feed_id].status == "DONE"
    assert sandbox.state.listings.get(api.seller, US, "DEMO-SKU-003")["quantity"] == 8


def test_cancel_only_while_in_queue(sandbox):
    api = fresh_api(sandbox, processing_seconds=60)
    feed_id = api.submit([patch_quantity("DEMO-SKU-004", 3, 1)])
    cancelled = api.call("DELETE", f"/feeds/2021-06-30/feeds/{feed_id}")
    assert cancelled.status_code == 200 and cancelled.content == b"" and cancelled.headers["x-amzn-RequestId"]
    sandbox.state.advance_clock(120)
    assert api.feed(feed_id)["processingStatus"] == "CANCELLED"
    assert api.listing("DEMO-SKU-004")["quantity"] == 28
    later = api.submit([patch_quantity("DEMO-SKU-004", 3, 1)])
    sandbox.state.advance_clock(31)
    refused = api.call("DELETE", f"/feeds/2021-06-30/feeds/{later}")
    assert check(refused, 400, FEEDS_MODEL, "ErrorList")["errors"][0]["message"].endswith("is IN_PROGRESS.")


def test_get_feeds_filters_and_pages(api):
    document = api.upload({"header": {"sellerId": api.seller, "version": "2.0"}, "messages": []})
    listings = [check(api.create_feed(document), 202, FEEDS_MODEL, "CreateFeedResponse")["feedId"] for _ in range(3)]
    legacy = api.create_feed(document, feed_type="POST_INVENTORY_AVAILABILITY_DATA").json()["feedId"]
    first = check(api.call("GET", "/feeds/2021-06-30/feeds", params={"feedTypes": "JSON_LISTINGS_FEED", "pageSize": 2}),
                  200, FEEDS_MODEL, "GetFeedsResponse")
    assert [f["feedId"] for f in first["feeds"]] == listings[::-1][:2]
    second = check(api.call("GET", "/feeds/2021-06-30/feeds", params={"nextToken": first["nextToken"]}), 200,
                   FEEDS_MODEL, "GetFeedsResponse")
    assert [f["feedId"] for f in second["feeds"]] == [listings[0]] and "nextToken" not in second
    fatal = check(api.call("GET", "/feeds/2021-06-30/feeds", params={
        "feedTypes": "POST_INVENTORY_AVAILABILITY_DATA,JSON_LISTINGS_FEED", "processingStatuses": "FATAL"}), 200,
        FEEDS_MODEL, "GetFeedsResponse")
    assert {f["feedId"] for f in fatal["feeds"]} == {legacy, *listings}  # empty listings feeds fail the schema
    assert "resultFeedDocumentId" not in next(f for f in fatal["feeds"] if f["feedId"] == legacy)
    for params in ({}, {"nextToken": first["nextToken"], "pageSize": 2}, {"feedTypes": "X", "pageSize": 101},
                   {"nextToken": "garbage"}, {"feedTypes": "X", "processingStatuses": "LOST"}):
        check(api.call("GET", "/feeds/2021-06-30/feeds", params=params), 400, FEEDS_MODEL, "ErrorList")


def test_create_feed_burst_of_15_then_quota_exceeded(api):
    document = api.upload(b"<AmazonEnvelope/>", "text/xml; charset=UTF-8")
    statuses = [api.create_feed(document, feed_type="POST_PRODUCT_PRICING_DATA").status_code for _ in range(16)]
    assert statuses == [202] * 15 + [429]
    throttled = check(api.create_feed(document, feed_type="POST_PRODUCT_PRICING_DATA"), 429, FEEDS_MODEL, "ErrorList")
    assert throttled["errors"][0]["code"] == "QuotaExceeded"


def test_listings_feeds_are_limited_to_five_per_five_minutes(api, sandbox):
    document = api.upload({"header": {"sellerId": api.seller, "version": "2.0"},
                           "messages": [patch_quantity("DEMO-SKU-005", 1, 1)]})
    assert [api.create_feed(document).status_code for _ in range(6)] == [202] * 5 + [429]
    assert check(api.create_feed(document), 429, FEEDS_MODEL, "ErrorList")["errors"][0]["code"] == "QuotaExceeded"
    assert api.create_feed(document, feed_type="POST_PRODUCT_DATA").status_code == 202  # other types are not limited
    sandbox.state.advance_clock(300)
    assert api.create_feed(document).status_code == 202


def test_operation_faults_apply_to_feeds_calls(api):
    api.sim("POST", "faults", json={"operation": "createFeed", "kind": "503", "count": 1})
    document = api.upload({"header": {"sellerId": api.seller, "version": "2.0"},
                           "messages": [patch_quantity("DEMO-SKU-006", 1, 1)]})
    assert check(api.create_feed(document), 503, FEEDS_MODEL, "ErrorList")["errors"][0]["code"] == "InternalFailure"
    assert api.create_feed(document).status_code == 202
    logged = api.sim("GET", "calls", params={"operation": "createFeed"}).json()
    assert [call["status"] for call in logged] == [503, 202]


def test_feed_faults_fatal_and_a_report_that_never_arrives(api, sandbox):
    api.sim("POST", "feeds/faults", json={"kind": "fatal"})
    fatal = api.feed(api.submit([patch_quantity("DEMO-SKU-007", 1, 1)]))
    assert fatal["processingStatus"] == "FATAL"
    assert api.report(fatal)["issues"][0]["code"] == "INTERNAL_FAILURE"
    assert api.listing("DEMO-SKU-007")["quantity"] == 49
    api.sim("POST", "feeds/faults", json={"kind": "stuck"})
    stuck_id = api.submit([patch_quantity("DEMO-SKU-007", 2, 1)])
    sandbox.state.advance_clock(600)  # long past any processing delay, within the access token's hour
    stuck = api.feed(stuck_id)
    assert stuck["processingStatus"] == "IN_PROGRESS" and "resultFeedDocumentId" not in stuck
    assert api.listing("DEMO-SKU-007")["quantity"] == 49
    api.sim("POST", "feeds/faults", json={"kind": "stuck", "apply_messages": True})
    applied_id = api.submit([patch_quantity("DEMO-SKU-007", 3, 1)])
    assert api.feed(applied_id)["processingStatus"] == "IN_PROGRESS"
    assert api.listing("DEMO-SKU-007")["quantity"] == 3
    record = api.sim("GET", f"feeds/{applied_id}").json()
    assert record["fault"] == "stuck" and record["applied_message_ids"] == [1]
    assert api.sim("POST", "feeds/faults", json={"kind": "lost"}).status_code == 400


def test_large_reports_are_gzipped(api):
    messages = [patch_quantity(f"MISSING-{n:05d}", 1, n) for n in range(1, 1001)]
    feed = api.feed(api.submit(messages))
    document = check(api.call("GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}"), 200,
                     FEEDS_MODEL, "FeedDocument")
    assert document["compressionAlgorithm"] == "GZIP"
    raw = requests.get(document["url"], timeout=10)
    assert raw.headers["Content-Encoding"] == "identity"
    assert json.loads(gzip.decompress(raw.content))["summary"]["messagesInvalid"] == 1000
    decoded = check(api.call("GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}",
                             params={"enableContentEncodingUrlHeader": "true"}), 200, FEEDS_MODEL, "FeedDocument")
    assert requests.get(decoded["url"], timeout=10).json()["summary"]["errors"] == 1000
