"""What goes to Amazon and what comes back, following Amazon's schemas: JSON_LISTINGS_FEED PATCH messages
(schemas/feeds/listings-feed-schema-v2.json), patchListingsItem bodies, and the processing report
(listings-feed-processing-report-schema-v2.json), GZIP-compressed or not."""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field

from .backlog import Reserved

FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
# Offer-only patches need a product type; "PRODUCT" is the generic one Amazon accepts for them.
PRODUCT_TYPE = "PRODUCT"
ISSUE_LOCALE = "en_US"


def patches(item: Reserved, marketplace_id: str) -> list[dict]:
    """Quantity as a merge (Amazon keeps the listing's other availability settings, such as handling time), price
    as the marketplace's offer."""
    result = []
    if item.quantity is not None:
        result.append({"op": "merge", "path": "/attributes/fulfillment_availability",
                       "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": item.quantity}]})
    if item.price is not None:
        result.append({"op": "replace", "path": "/attributes/purchasable_offer", "value": [{
            "marketplace_id": marketplace_id, "currency": item.currency,
            "our_price": [{"schedule": [{"value_with_tax": float(item.price)}]}],
        }]})
    return result


def feed_document(seller_id: str, marketplace_id: str, items: list[Reserved]) -> bytes:
    """The feed; message N carries items[N - 1]."""
    messages = [{"messageId": number, "sku": item.seller_sku, "operationType": "PATCH", "productType": PRODUCT_TYPE,
                 "patches": patches(item, marketplace_id)} for number, item in enumerate(items, start=1)]
    document = {"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": ISSUE_LOCALE},
                "messages": messages}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def patch_body(item: Reserved, marketplace_id: str) -> dict:
    return {"productType": PRODUCT_TYPE, "patches": patches(item, marketplace_id)}


class ReportUnreadable(ValueError):
    """The processing report is not the JSON Amazon's schema describes."""


@dataclass
class Report:
    processed: int = 0
    accepted: int = 0
    invalid: int = 0
    errors: int = 0
    warnings: int = 0
    issues_by_message: dict[int, list[dict]] = field(default_factory=dict)
    general_issues: list[dict] = field(default_factory=list)  # about the whole feed

    def rejected(self) -> dict[int, list[dict]]:
        return {message_id: issues for message_id, issues in self.issues_by_message.items()
                if any(issue.get("severity") == "ERROR" for issue in issues)}


def read_report(content: bytes, compression: str | None) -> Report:
    if compression == "GZIP" and content[:2] == b"\x1f\x8b":  # unless the download already undid it
        content = gzip.decompress(content)
    try:
        body = json.loads(content.decode("utf-8"))
        summary = body["summary"]
        report = Report(processed=int(summary["messagesProcessed"]), accepted=int(summary["messagesAccepted"]),
                        invalid=int(summary["messagesInvalid"]), errors=int(summary["errors"]),
                        warnings=int(summary["warnings"]))
        for issue in body.get("issues") or []:
            if isinstance(issue.get("messageId"), int):
                report.issues_by_message.setdefault(issue["messageId"], []).append(issue)
            else:
                report.general_issues.append(issue)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise ReportUnreadable(f"the processing report could not be read ({type(error).__name__})") from error
    return report
