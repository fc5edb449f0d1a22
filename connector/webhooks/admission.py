"""Who may deliver how much: per address, per shop, and a short stop for an address whose deliveries keep being
refused (wrong secret, unknown shop), decided in one step before any database work."""
from __future__ import annotations

from ..security.inbound import Check, limit, limiter
from .receive import Answer

WHAT = ("refused deliveries from your address", "deliveries from your address", "deliveries for this shop")


def refuse(address: str, shop_id: int | None) -> Answer | None:
    """A 429 answer when the address or the shop is over its limits, else None."""
    checks = [Check(f"webhook-refused:{address}", limit("webhook_refused"), take=False),
              Check(f"webhook-address:{address}", limit("webhook_address"))]
    if shop_id is not None:
        checks.append(Check(f"webhook-shop:{shop_id}", limit("webhook_shop")))
    failed, wait = limiter().admit(checks)
    if failed < 0:
        return None
    seconds = max(1, int(wait + 0.999))
    return Answer(429, {"error": "rate limited", "detail": f"Too many {WHAT[failed]}; try again in {seconds} s.",
                        "retry_after": seconds}, headers={"Retry-After": str(seconds)})


def note_refused(address: str) -> None:
    limiter().take(f"webhook-refused:{address}", limit("webhook_refused"))
