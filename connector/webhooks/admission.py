"""Who may deliver how much: per address, per shop, and a short stop for an address whose deliveries keep being
refused (wrong secret, unknown shop), decided before any database work."""
from __future__ import annotations

from ..security.inbound import limit, limiter, too_many
from ..shops.models import Shop


def refuse_address(address: str):
    """A 429 response when this address is over its limits, else None."""
    if wait := limiter().available(f"webhook-refused:{address}", limit("webhook_refused")):
        return too_many(wait, "refused deliveries from your address")
    if wait := limiter().take(f"webhook-address:{address}", limit("webhook_address")):
        return too_many(wait, "deliveries from your address")
    return None


def refuse_shop(shop: Shop):
    if wait := limiter().take(f"webhook-shop:{shop.id}", limit("webhook_shop")):
        return too_many(wait, "deliveries for this shop")
    return None


def note_refused(address: str) -> None:
    limiter().take(f"webhook-refused:{address}", limit("webhook_refused"))
