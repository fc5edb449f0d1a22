"""Calling the simulator's Feeds and Listings Items APIs as one seller, checking every answer against Amazon's
official models and the processing report against Amazon's report schema."""
from __future__ import annotations

import gzip
import json
from urllib.parse import quote

import jsonschema
import requests

from helpers import AMAZON_MODELS_DIR

FEEDS_MODEL = "feeds-api-model/feeds_2021-06-30.json"
LISTINGS_MODEL = "listings-items-api-model/listingsItems_2021-08-01.json"
JSON_CONTENT = "application/json; charset=UTF-8"
US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
SELLER = "A1DEMOSELLERNA"
REDIRECT_URI = "http://connector.test/amazon/authorize/callback"


def model_validator(model: str, definition: str) -> jsonschema.Draft4Validator:
    definitions = json.loads((AMAZON_MODELS_DIR / "models" / model).read_text())["definitions"]
    return jsonschema.Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": definitions})


REPORT_VALIDATOR = jsonschema.Draft7Validator(json.loads(
    (AMAZON_MODELS_DIR / "schemas/feeds/listings-feed-processing-report-schema-v2.json").read_text()))


def check(response: requests.Response, status: int, model: str, definition: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-RequestId"]
    body = response.json()
    model_validator(model, definition).validate(body)
    return body


def patch_quantity(sku: str, quantity: object, message_id: int, channel: str = "DEFAULT", op: str = "replace") -> dict:
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
            "patches": [{"op": op, "path": "/attributes/fulfillment_availability",
                         "value": [{"fulfillment_channel_code": channel, "quantity": quantity}]}]}


def patch_price(sku: str, price: object, message_id: int, currency: str = "USD") -> dict:
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
            "patches": [{"op": "replace", "path": "/attributes/purchasable_offer",
                         "value": [{"currency": currency, "our_price": [{"schedule": [{"value_with_tax": price}]}]}]}]}


class SellerApi:
    """One authorized seller's SP-API session against the running simulator."""

    def __init__(self, sandbox, seller: str = SELLER, region: str = "na") -> None:
        sandbox.state.issue_code(seller, REDIRECT_URI)  # the seller authorizes the app
        self.seller, self.url = seller, sandbox.url
        self.token = sandbox.state.issue_access_token(seller)
        self.base = f"{sandbox.url}/sp-api/{region}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.base + path, headers={"x-amz-access-token": self.token}, timeout=30,
                                **kwargs)

    def create_document(self, content_type: str = JSON_CONTENT) -> dict:
        return check(self.call("POST", "/feeds/2021-06-30/documents", json={"contentType": content_type}), 201,
                     FEEDS_MODEL, "CreateFeedDocumentResponse")

    def upload(self, content: dict | bytes, content_type: str = JSON_CONTENT) -> str:
        document = self.create_document(content_type)
        data = content if isinstance(content, bytes) else json.dumps(content).encode()
        uploaded = requests.put(document["url"], data=data, headers={"Content-Type": content_type}, timeout=30)
        assert uploaded.status_code == 200, uploaded.text
        return document["feedDocumentId"]

    def create_feed(self, document_id: str, feed_type: str = "JSON_LISTINGS_FEED",
                    marketplace_ids: tuple[str, ...] = (US,)) -> requests.Response:
        return self.call("POST", "/feeds/2021-06-30/feeds", json={
            "feedType": feed_type, "marketplaceIds": list(marketplace_ids), "inputFeedDocumentId": document_id})

    def submit(self, messages: list[dict], marketplace_ids: tuple[str, ...] = (US,), header: dict | None = None) -> str:
        document = {"header": header or {"sellerId": self.seller, "version": "2.0"}, "messages": messages}
        created = self.create_feed(self.upload(document), marketplace_ids=marketplace_ids)
        return check(created, 202, FEEDS_MODEL, "CreateFeedResponse")["feedId"]

    def feed(self, feed_id: str) -> dict:
        return check(self.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}"), 200, FEEDS_MODEL, "Feed")

    def report(self, feed: dict) -> dict:
        """The processing report of a finished feed, validated against Amazon's report schema."""
        document = check(self.call("GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}"), 200,
                         FEEDS_MODEL, "FeedDocument")
        content = requests.get(document["url"], timeout=30).content
        if document.get("compressionAlgorithm") == "GZIP":
            content = gzip.decompress(content)
        report = json.loads(content)
        REPORT_VALIDATOR.validate(report)
        return report

    def item_path(self, sku: str, seller: str | None = None) -> str:
        return f"/listings/2021-08-01/items/{seller or self.seller}/{quote(sku, safe='')}"

    def sim(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}/_sim/{path}", timeout=60, **kwargs)

    def listing(self, sku: str, marketplace_id: str = US) -> dict | None:
        response = self.sim("GET", "listings/item", params={"selling_partner_id": self.seller,
                                                            "marketplace_id": marketplace_id, "sku": sku})
        return response.json() if response.status_code == 200 else None


def fresh_api(sandbox, processing_seconds: float = 0) -> SellerApi:
    """A reset simulator whose feeds take `processing_seconds`, and the demo seller's session."""
    sandbox.reset()
    sandbox.state.feeds.processing_seconds = processing_seconds
    return SellerApi(sandbox)
