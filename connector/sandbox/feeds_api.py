"""Feeds API 2021-06-30, registered with spapi's operation() so access tokens, usage plans, faults and the call log
apply. Answers follow feeds_2021-06-30.json; input checks answer 400 InvalidInput as Amazon does."""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from flask import Response, request

from .feed_lifecycle import advance
from .feeds import LISTINGS_FEED, RETENTION, Feed
from .presigned import presign
from .responses import QUOTA_EXCEEDED, amazon_json, errors
from .spapi import operation, state

STATUSES = ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE")


def invalid(message: str) -> Response:
    return errors(400, {"code": "InvalidInput", "message": message, "details": ""})


def not_found(message: str) -> Response:
    return errors(404, {"code": "NotFound", "message": message, "details": ""})


def _body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@operation("createFeedDocument", "POST", "/feeds/2021-06-30/documents")
def create_feed_document(seller) -> Response:
    body = _body()
    if body is None or not isinstance(body.get("contentType"), str) or not body["contentType"].strip():
        return invalid("The request body must be a CreateFeedDocumentSpecification with a contentType.")
    world = state()
    document = world.feeds.new_document(seller.selling_partner_id, seller.region, body["contentType"], world.now())
    url = presign(world.feeds.signing_key, "PUT", document.document_id, world.now())
    return amazon_json({"feedDocumentId": document.document_id, "url": url}, 201)


@operation("createFeed", "POST", "/feeds/2021-06-30/feeds")
def create_feed(seller) -> Response:
    body, world = _body(), state()
    problem = _specification_problem(body, seller)
    if problem:
        return invalid(problem)
    document = world.feeds.document(seller.selling_partner_id, body["inputFeedDocumentId"])
    if document is None or document.content is None:
        return invalid(f"The feed document {body['inputFeedDocumentId']} does not exist or has not been uploaded.")
    if body["feedType"] == LISTINGS_FEED and not world.feeds.take_listings_feed_slot(
            seller.selling_partner_id, seller.region, world.monotonic()):
        return errors(429, QUOTA_EXCEEDED)
    feed = world.feeds.new_feed(seller.selling_partner_id, body["feedType"], list(body["marketplaceIds"]),
                                body["inputFeedDocumentId"], dict(body.get("feedOptions") or {}), world.now())
    return amazon_json({"feedId": feed.feed_id}, 202)


def _specification_problem(body: dict | None, seller) -> str | None:
    if body is None:
        return "The request body must be a JSON CreateFeedSpecification."
    if not isinstance(body.get("feedType"), str) or not body["feedType"]:
        return "feedType is required."
    marketplace_ids = body.get("marketplaceIds")
    if not isinstance(marketplace_ids, list) or not 1 <= len(marketplace_ids) <= 25:
        return "marketplaceIds must list 1 to 25 marketplace identifiers."
    foreign = [m for m in marketplace_ids if m not in seller.marketplace_ids]
    if foreign:
        return f"The seller does not participate in marketplace(s) {', '.join(map(str, foreign))}."
    if not isinstance(body.get("inputFeedDocumentId"), str) or not body["inputFeedDocumentId"]:
        return "inputFeedDocumentId is required."
    options = body.get("feedOptions")
    if options is not None and (not isinstance(options, dict) or not all(isinstance(v, str) for v in options.values())):
        return "feedOptions must map option names to string values."
    return None


@operation("getFeed", "GET", "/feeds/2021-06-30/feeds/<feedId>")
def get_feed(seller, feedId: str) -> Response:
    world = state()
    advance(world)
    feed = world.feeds.feed(seller.selling_partner_id, feedId)
    if feed is None:
        return not_found(f"The feed {feedId} was not found.")
    return amazon_json(feed.as_json())


@operation("cancelFeed", "DELETE", "/feeds/2021-06-30/feeds/<feedId>")
def cancel_feed(seller, feedId: str) -> Response:
    world = state()
    advance(world)
    with world.feeds.lock:
        feed = world.feeds.feed(seller.selling_partner_id, feedId)
        if feed is None:
            return not_found(f"The feed {feedId} was not found.")
        if feed.status != "IN_QUEUE":
            return invalid(f"Only feeds with processingStatus IN_QUEUE can be cancelled; feed {feedId} is "
                           f"{feed.status}.")
        feed.status = "CANCELLED"
    return Response(status=200, headers={"x-amzn-RequestId": str(uuid.uuid4())})  # the model's 200 has no body


@operation("getFeeds", "GET", "/feeds/2021-06-30/feeds")
def get_feeds(seller) -> Response:
    world = state()
    advance(world)
    query = request.args.to_dict(flat=False)
    if "nextToken" in query:
        if len(query) > 1:
            return invalid("nextToken must be the only parameter when it is given.")
        try:
            query, offset = _read_token(query["nextToken"][0])
        except ValueError:
            return invalid("The nextToken is not valid.")
    else:
        offset = 0
    filters, problem = _filters(query, world.now())
    if problem:
        return invalid(problem)
    matching = [feed for feed in world.feeds.feeds_of(seller.selling_partner_id, world.now()) if _matches(feed, filters)]
    page = matching[offset:offset + filters["pageSize"]]
    body: dict = {"feeds": [feed.as_json() for feed in page]}
    if offset + len(page) < len(matching):
        body["nextToken"] = _token(query, offset + len(page))
    return amazon_json(body)


def _filters(query: dict, now: datetime) -> tuple[dict, str | None]:
    def listed(name: str) -> list[str]:
        return [item for value in query.get(name, []) for item in value.split(",") if item]

    filters = {"feedTypes": listed("feedTypes"), "marketplaceIds": listed("marketplaceIds"),
               "processingStatuses": listed("processingStatuses")}
    if not 1 <= len(filters["feedTypes"]) <= 10:
        return filters, "Either feedTypes (1 to 10 of them) or nextToken is required."
    if len(filters["marketplaceIds"]) > 10 or any(s not in STATUSES for s in filters["processingStatuses"]):
        return filters, "marketplaceIds allows up to 10 values; processingStatuses allows " + ", ".join(STATUSES) + "."
    try:
        filters["pageSize"] = int(query.get("pageSize", ["10"])[0])
        filters["createdSince"] = _moment(query.get("createdSince"), now - RETENTION)
        filters["createdUntil"] = _moment(query.get("createdUntil"), now)
    except ValueError:
        return filters, "pageSize must be a number and createdSince/createdUntil ISO 8601 date-times."
    if not 1 <= filters["pageSize"] <= 100:
        return filters, "pageSize must be between 1 and 100."
    return filters, None


def _moment(values: list[str] | None, default: datetime) -> datetime:
    if not values:
        return default
    moment = datetime.fromisoformat(values[0].replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment


def _matches(feed: Feed, filters: dict) -> bool:
    return (feed.feed_type in filters["feedTypes"]
            and (not filters["marketplaceIds"] or bool(set(feed.marketplace_ids) & set(filters["marketplaceIds"])))
            and (not filters["processingStatuses"] or feed.status in filters["processingStatuses"])
            and filters["createdSince"] <= feed.created <= filters["createdUntil"])


def _token(query: dict, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"query": query, "offset": offset}).encode()).decode()


def _read_token(token: str) -> tuple[dict, int]:
    try:
        content = json.loads(base64.urlsafe_b64decode(token.encode()))
        return dict(content["query"]), int(content["offset"])
    except (binascii.Error, KeyError, TypeError, UnicodeDecodeError) as broken:
        raise ValueError("bad token") from broken


@operation("getFeedDocument", "GET", "/feeds/2021-06-30/documents/<feedDocumentId>")
def get_feed_document(seller, feedDocumentId: str) -> Response:
    world = state()
    advance(world)
    document = world.feeds.document(seller.selling_partner_id, feedDocumentId)
    if document is None or document.content is None:
        return not_found(f"The feed document {feedDocumentId} was not found.")
    encoding = "gzip" if document.gzipped and request.args.get("enableContentEncodingUrlHeader") == "true" else None
    body = {"feedDocumentId": document.document_id,
            "url": presign(world.feeds.signing_key, "GET", document.document_id, world.now(), encoding)}
    if document.gzipped:
        body["compressionAlgorithm"] = "GZIP"
    return amazon_json(body)
