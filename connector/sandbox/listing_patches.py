"""What one listings submission (a JSON_LISTINGS_FEED message or a patchListingsItem body) does to one listing in
one marketplace, by Amazon's attribute rules for stock and price, and the issues Amazon reports when it cannot.

Planning changes nothing; `apply` then makes a valid plan true, so a message that is invalid in any marketplace
can be refused as a whole."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..amazon.marketplaces import BY_ID
from .listings import Listing, price_text

# 4002008, 99022 and 4000001 (and their wording) appear in Amazon's processing reports; the others are this
# simulator's own, named so a connector can tell them apart.
SCHEMA_INVALID = "4002008"
MISSING_VALUE = "99022"
INVALID_VALUE = "4000001"
NOT_FOUND = "NOT_FOUND"
FBA_QUANTITY = "FBA_QUANTITY_NOT_ALLOWED"
NESTED_PATH = "INVALID_PATCH_PATH"
TOP_LEVEL_ATTRIBUTE = re.compile(r"^/attributes/([^/]+)$")
AVAILABILITY_KEYS = {"fulfillment_channel_code", "quantity", "marketplace_id"}


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    attribute: str | None = None
    severity: str = "ERROR"
    category: str | None = "INVALID_ATTRIBUTE"


@dataclass
class Plan:
    sku: str
    marketplace_id: str
    listing: Listing | None
    changes: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    create: bool = False
    delete: bool = False

    @property
    def valid(self) -> bool:
        return not any(issue.severity == "ERROR" for issue in self.issues)

    def refuse(self, code: str, message: str, attribute: str | None = None,
               category: str | None = "INVALID_ATTRIBUTE") -> None:
        self.issues.append(Issue(code, message, attribute, category=category))


def plan(catalog: dict[str, Listing], marketplace_id: str, sku: str, operation: str, now: datetime,
         product_type: str | None = None, patches: list | None = None, attributes: dict | None = None) -> Plan:
    """Plan one operation (PATCH, PARTIAL_UPDATE, UPDATE or DELETE) on `sku`; the caller holds the store's lock."""
    listing = catalog.get(sku)
    result = Plan(sku, marketplace_id, listing)
    if operation == "UPDATE":
        if listing is None:
            result.listing = Listing(sku, product_type or "PRODUCT", None, None, BY_ID[marketplace_id].currency, now, now)
            result.create = True
        # A full update replaces everything the seller controls; Amazon keeps FBA quantities.
        result.changes.update(product_type=product_type, extra_attributes={}, price=None)
        if not result.listing.is_fba:
            result.changes.update(quantity=None, availability_extras={})
        patches = _as_replacements(result, attributes or {})
    elif listing is None:
        result.refuse(NOT_FOUND, f"SKU '{sku}' not found in marketplace {marketplace_id}", category=None)
        return result
    elif operation == "DELETE":
        result.delete = True
        return result
    elif operation == "PARTIAL_UPDATE":
        patches = _as_replacements(result, attributes or {})
    for patch in patches or []:
        _plan_patch(result, patch)
    return result


def apply(catalog: dict[str, Listing], plan_: Plan, now: datetime) -> dict:
    """Make a valid plan true; returns what changed, for the applied-changes log."""
    if plan_.delete:
        del catalog[plan_.sku]
        return {"deleted": True}
    listing = plan_.listing
    if plan_.create:
        catalog[plan_.sku] = listing
    for name, value in plan_.changes.items():
        setattr(listing, name, value)
    listing.updated = now
    logged = {"created": True} if plan_.create else {}
    if "quantity" in plan_.changes:
        logged["quantity"] = listing.quantity
    if "price" in plan_.changes:
        logged["price"] = price_text(listing.price)
    return logged


def _as_replacements(result: Plan, attributes: dict) -> list[dict]:
    patches = []
    for name, value in attributes.items():
        if isinstance(value, list):
            patches.append({"op": "replace", "path": f"/attributes/{name}", "value": value})
        else:
            result.refuse(INVALID_VALUE, f"The provided value for '{name}' is invalid: attribute values are arrays.",
                          name)
    return patches


def _plan_patch(result: Plan, patch: dict) -> None:
    op, path, value = patch["op"], patch["path"], patch.get("value")
    match = TOP_LEVEL_ATTRIBUTE.match(path)
    if match is None:
        result.refuse(NESTED_PATH, f"The patch path '{path}' is not allowed: only top-level listings item attributes "
                                   "(/attributes/<name>) can be patched.")
        return
    name = match.group(1)
    if op != "delete" and not isinstance(value, list):
        result.refuse(MISSING_VALUE, f"The field 'value' for the attribute '{name}' does not have enough values. "
                                     "The required minimum is '1' value(s).", name, "MISSING_ATTRIBUTE")
        return
    entries = [entry for entry in value or [] if isinstance(entry, dict)
               and entry.get("marketplace_id") in (None, result.marketplace_id)]
    {"fulfillment_availability": _availability, "purchasable_offer": _offer}.get(name, _other)(result, op, entries, name)


def _availability(result: Plan, op: str, entries: list[dict], name: str) -> None:
    listing = result.listing
    if op == "delete":
        if listing.is_fba:
            result.refuse(FBA_QUANTITY, _fba_message(result), name)
        else:
            result.changes.update(quantity=None, availability_extras={})
        return
    for entry in entries:
        code = entry.get("fulfillment_channel_code")
        if not isinstance(code, str) or not code:
            result.refuse(MISSING_VALUE, "The field 'fulfillment_channel_code' for the attribute "
                                         "'fulfillment_availability' does not have enough values. The required "
                                         "minimum is '1' value(s).", name, "MISSING_ATTRIBUTE")
        elif code.startswith("AMAZON_"):
            if "quantity" in entry:  # Amazon counts FBA stock itself; a channel entry without quantity changes nothing
                result.refuse(FBA_QUANTITY, _fba_message(result), name)
        elif code != "DEFAULT":
            result.refuse(INVALID_VALUE, f"The provided value for 'fulfillment_channel_code' is invalid: '{code}'.", name)
        elif listing.is_fba:
            result.refuse(FBA_QUANTITY, _fba_message(result), name)
        else:
            _merchant_quantity(result, op, entry, name)


def _merchant_quantity(result: Plan, op: str, entry: dict, name: str) -> None:
    extras = {key: value for key, value in entry.items() if key not in AVAILABILITY_KEYS}
    if "quantity" in entry:
        quantity = entry["quantity"]
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            result.refuse(INVALID_VALUE, f"The provided value for 'quantity' is invalid: {quantity!r}. It must be a "
                                         "whole number of at least 0.", name)
            return
        result.changes["quantity"] = quantity
    elif op != "merge":
        result.changes["quantity"] = None
    if op == "merge":
        extras = {**result.changes.get("availability_extras", result.listing.availability_extras), **extras}
    result.changes["availability_extras"] = extras


def _fba_message(result: Plan) -> str:
    return (f"SKU '{result.sku}' is fulfilled by Amazon ({result.listing.fulfillment_channel}) in marketplace "
            f"{result.marketplace_id}: Amazon manages its quantity, which cannot be set with fulfillment_availability.")


def _offer(result: Plan, op: str, entries: list[dict], name: str) -> None:
    if op == "delete":
        result.changes["price"] = None
        return
    expected = BY_ID[result.marketplace_id].currency
    for entry in entries:
        if entry.get("audience", "ALL") != "ALL":
            continue  # business (B2B) prices are accepted but not tracked
        currency, our_price = entry.get("currency"), entry.get("our_price")
        if currency is None and our_price is not None:
            result.refuse(MISSING_VALUE, "The field 'currency' for the attribute 'purchasable_offer' does not have "
                                         "enough values. The required minimum is '1' value(s).", name,
                          "MISSING_ATTRIBUTE")
        elif currency is not None and currency != expected:
            result.refuse(INVALID_VALUE, f"The provided value for 'currency' is invalid: '{currency}'. Marketplace "
                                         f"{result.marketplace_id} sells in {expected}.", f"{name}.currency")
        elif our_price is not None:
            price = _schedule_price(our_price)
            if price is None:
                result.refuse(INVALID_VALUE, "The provided value for 'our_price' is invalid: it needs "
                                             "[{\"schedule\": [{\"value_with_tax\": <positive number>}]}].",
                              f"{name}.our_price")
            else:
                result.changes["price"] = price
        elif op != "merge":
            result.changes["price"] = None


def _schedule_price(our_price: object) -> Decimal | None:
    try:
        value = our_price[0]["schedule"][0]["value_with_tax"]
    except (TypeError, KeyError, IndexError):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return Decimal(str(value))


def _other(result: Plan, op: str, entries: list[dict], name: str) -> None:
    extras = result.changes.setdefault("extra_attributes", dict(result.listing.extra_attributes))
    if op == "delete":
        extras.pop(name, None)
    else:
        extras[name] = entries
