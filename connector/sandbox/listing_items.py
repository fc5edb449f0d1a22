"""A listing as the Listings Items API 2021-08-01 shows it (the model's `Item`), for getListingsItem and for the
`items` of a processing report that asked for them."""
from __future__ import annotations

from datetime import datetime

from .listings import Listing, price_text

INCLUDED_DATA = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability", "procurement",
                 "relationships", "productTypes")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def render_item(sku: str, listings: dict[str, Listing], included: list[str]) -> dict:
    """`listings` maps marketplace ID to that marketplace's listing of `sku`; the caller holds the store's lock."""
    item: dict = {"sku": sku}
    first = next(iter(listings.values()))
    sections = {
        "summaries": lambda: [_summary(marketplace_id, listing) for marketplace_id, listing in listings.items()],
        "attributes": lambda: _attributes(listings),
        "issues": lambda: [],
        "offers": lambda: [_offer(marketplace_id, listing) for marketplace_id, listing in listings.items()
                           if listing.price is not None],
        "fulfillmentAvailability": lambda: [_availability(first)],
        "procurement": lambda: [],
        "relationships": lambda: [{"marketplaceId": marketplace_id, "relationships": []} for marketplace_id in listings],
        "productTypes": lambda: [{"marketplaceId": marketplace_id, "productType": listing.product_type}
                                 for marketplace_id, listing in listings.items()],
    }
    for name in INCLUDED_DATA:
        if name in included:
            item[name] = sections[name]()
    return item


def _summary(marketplace_id: str, listing: Listing) -> dict:
    buyable = listing.price is not None and (listing.is_fba or (listing.quantity or 0) > 0)
    names = listing.extra_attributes.get("item_name") or [{}]
    return {
        "marketplaceId": marketplace_id, "asin": listing.asin, "productType": listing.product_type,
        "conditionType": "new_new", "status": ["BUYABLE", "DISCOVERABLE"] if buyable else ["DISCOVERABLE"],
        "itemName": str(names[0].get("value", listing.sku)),
        "createdDate": iso(listing.created), "lastUpdatedDate": iso(listing.updated),
    }


def _offer(marketplace_id: str, listing: Listing) -> dict:
    return {"marketplaceId": marketplace_id, "offerType": "B2C",
            "price": {"currencyCode": listing.currency, "amount": price_text(listing.price)},
            "audience": {"value": "ALL", "displayName": "Sell on Amazon"}}


def _availability(listing: Listing) -> dict:
    availability = {"fulfillmentChannelCode": listing.fulfillment_channel}
    if listing.quantity is not None:
        availability["quantity"] = listing.quantity
    return availability


def _attributes(listings: dict[str, Listing]) -> dict:
    attributes: dict[str, list] = {}
    for marketplace_id, listing in listings.items():
        for name, values in listing.extra_attributes.items():
            attributes.setdefault(name, []).extend({**value, "marketplace_id": marketplace_id} for value in values)
        availability = {"fulfillment_channel_code": listing.fulfillment_channel, **listing.availability_extras,
                        "marketplace_id": marketplace_id}
        if listing.quantity is not None:
            availability["quantity"] = listing.quantity
        attributes.setdefault("fulfillment_availability", []).append(availability)
        if listing.price is not None:
            attributes.setdefault("purchasable_offer", []).append({
                "currency": listing.currency, "audience": "ALL", "marketplace_id": marketplace_id,
                "our_price": [{"schedule": [{"value_with_tax": float(listing.price)}]}]})
    return attributes
