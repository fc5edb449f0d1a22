"""Processing a JSON_LISTINGS_FEED document as Amazon does: the whole document must be JSON matching the feed
schema's envelope (else FATAL); each message is validated on its own against the message schema, planned in every
marketplace of the feed and applied only when valid everywhere; the processing report follows Amazon's schema."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import fastjsonschema

from . import listing_patches
from .listing_items import render_item
from .listings import Application, ListingsStore

SCHEMAS = Path(__file__).parent / "amazon_models" / "schemas" / "feeds"


def _compile_validators() -> tuple:
    """Compiled once from Amazon's feed schema: the envelope (header, 1..25,000 messages), one message, and one
    message per operationType. The branches of the message's oneOf differ by their operationType constant, so the
    branch of the message's own operationType is the same test, twice as fast and with a precise error."""
    feed_schema = json.loads((SCHEMAS / "listings-feed-schema-v2.json").read_text())
    message_schema = {"$schema": feed_schema["$schema"], **feed_schema["properties"]["messages"]["items"]}
    envelope = json.loads(json.dumps(feed_schema))
    del envelope["properties"]["messages"]["items"]
    common = {key: value for key, value in message_schema.items() if key != "oneOf"}
    by_operation = {branch["properties"]["operationType"]["const"]: _compile({**common, "allOf": [branch]})
                    for branch in message_schema["oneOf"]}
    return _compile(envelope), _compile(message_schema), by_operation


def _compile(schema: dict):
    return fastjsonschema.compile(schema, use_default=False)  # defaults would be written into the messages


VALIDATE_ENVELOPE, VALIDATE_ANY_MESSAGE, VALIDATE_BY_OPERATION = _compile_validators()
SCHEMA_MESSAGE = "The provided message did not meet the schema validation requirements for a feed message."


@dataclass
class Outcome:
    status: str  # DONE or FATAL
    report: dict
    applied_message_ids: list[int] = field(default_factory=list)


def process_listings_feed(listings: ListingsStore, selling_partner_id: str, feed_id: str, marketplace_ids: list[str],
                          content: bytes, now: datetime) -> Outcome:
    try:
        document = json.loads(content.decode("utf-8"))
        VALIDATE_ENVELOPE(document)
    except (UnicodeDecodeError, ValueError) as invalid:  # JSONDecodeError and JsonSchemaException are ValueErrors
        return _fatal(selling_partner_id, feed_id, "INVALID_FEED",
                      f"The feed document is not a valid JSON listings feed: {_reason(invalid)}")
    if document["header"]["sellerId"] != selling_partner_id:
        return _fatal(selling_partner_id, feed_id, "INVALID_SELLER",
                      f"The sellerId '{document['header']['sellerId']}' in the feed header is not the selling partner "
                      f"'{selling_partner_id}' that submitted the feed.")
    report = _Report(selling_partner_id, feed_id, document["header"].get("report"))
    messages = document["messages"]
    repeated = {key for key, times in Counter(_message_id(m) for m in messages).items() if times > 1 and key is not None}
    source = f"feed:{feed_id}"
    with listings.lock:
        catalogs = {marketplace_id: listings.catalog(selling_partner_id, marketplace_id)
                    for marketplace_id in marketplace_ids}
        for message in messages:
            if _refused_by_schema(message, repeated, report):
                continue
            plans = [listing_patches.plan(catalog, marketplace_id, message["sku"], message["operationType"], now,
                                          message.get("productType"), message.get("patches"), message.get("attributes"))
                     for marketplace_id, catalog in catalogs.items()]
            report.issues_of(message, [issue for p in plans for issue in p.issues])
            if not all(p.valid for p in plans):
                report.invalid += 1
                continue
            report.accept(message)
            applications = [Application(source, selling_partner_id, p.marketplace_id, p.sku, message["messageId"],
                                        listing_patches.apply(catalogs[p.marketplace_id], p, now), now) for p in plans]
            listings.record(applications)
            report.add_items(message["sku"], catalogs)
    return Outcome("DONE", report.as_dict(len(messages)), report.accepted_ids)


def _refused_by_schema(message: object, repeated: set, report: _Report) -> bool:
    if _message_id(message) in repeated:
        report.refuse(message, listing_patches.SCHEMA_INVALID,
                      f"The messageId {message['messageId']} is used by more than one message in the feed.")
        return True
    operation = message.get("operationType") if isinstance(message, dict) else None
    validate = VALIDATE_BY_OPERATION.get(operation, VALIDATE_ANY_MESSAGE) if isinstance(operation, str) \
        else VALIDATE_ANY_MESSAGE
    try:
        validate(message)
    except fastjsonschema.JsonSchemaException as invalid:
        report.refuse(message, listing_patches.SCHEMA_INVALID, f"{SCHEMA_MESSAGE} {_reason(invalid)}")
        return True
    return False


def _message_id(message: object) -> int | None:
    value = message.get("messageId") if isinstance(message, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _reason(error: Exception) -> str:
    text = getattr(error, "message", None) or str(error)
    if "exactly by one definition" in text:
        return ("Its operationType must be UPDATE or PARTIAL_UPDATE (with productType and attributes), PATCH (with "
                "productType and patches) or DELETE (with none of them).")
    if text.startswith("data "):
        return "It" + text.removeprefix("data") + "."
    return text.removeprefix("data.") + "."


def _fatal(selling_partner_id: str, feed_id: str, code: str, message: str) -> Outcome:
    report = _Report(selling_partner_id, feed_id, None)
    report.issues.append({"code": code, "severity": "ERROR", "message": message})
    return Outcome("FATAL", report.as_dict(0))


class _Report:
    def __init__(self, selling_partner_id: str, feed_id: str, wanted: dict | None) -> None:
        self.header = {"sellerId": selling_partner_id, "version": "2.0", "feedId": feed_id}
        if wanted:
            self.header["report"] = wanted
        self.included = wanted["includedData"] if wanted else None
        self.issues: list[dict] = []
        self.items: list[dict] = []
        self.accepted_ids: list[int] = []
        self.invalid = 0

    def refuse(self, message: object, code: str, text: str) -> None:
        self.invalid += 1
        self.issues.append({**_identity(message), "code": code, "severity": "ERROR", "message": text})

    def issues_of(self, message: dict, issues: list) -> None:
        for issue in issues:
            entry = {**_identity(message), "code": issue.code, "severity": issue.severity, "message": issue.message}
            if issue.attribute:
                entry["attributeName"] = issue.attribute
            self.issues.append(entry)

    def accept(self, message: dict) -> None:
        self.accepted_ids.append(message["messageId"])

    def add_items(self, sku: str, catalogs: dict) -> None:
        if self.included:
            found = {marketplace_id: catalog[sku] for marketplace_id, catalog in catalogs.items() if sku in catalog}
            if found:
                self.items.append(render_item(sku, found, self.included))

    def as_dict(self, processed: int) -> dict:
        summary = {"errors": sum(1 for i in self.issues if i["severity"] == "ERROR"),
                   "warnings": sum(1 for i in self.issues if i["severity"] == "WARNING"),
                   "messagesProcessed": processed, "messagesAccepted": len(self.accepted_ids),
                   "messagesInvalid": self.invalid}
        report = {"header": self.header, "issues": self.issues, "summary": summary}
        if self.included:
            summary["itemSummary"] = {"items": len(self.items), "errors": 0, "warnings": 0}
            report["items"] = self.items
        return report


def _identity(message: object) -> dict:
    identity = {}
    if _message_id(message) is not None:
        identity["messageId"] = message["messageId"]
    sku = message.get("sku") if isinstance(message, dict) else None
    if isinstance(sku, str) and sku:
        identity["sku"] = sku
    return identity
