"""What receiving a webhook needs to know about a shop (its number, cart kind and webhook secret), kept for a few
seconds per process: every delivery would otherwise cost a query and a decryption.

A signature that fails against a remembered secret is checked once more against the database, so a secret changed
in another process is honoured at once; the old one keeps working for at most RECEIVER_TTL there.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import load_only

from ..extensions import db
from ..shops.models import Shop

RECEIVER_TTL = 10.0  # seconds
UNKNOWN_TTL = 2.0  # unknown keys are remembered briefly too: a flood of made-up keys then costs no queries


@dataclass(frozen=True)
class Receiver:
    id: int
    shop_key: str
    host_kind: str
    webhook_secret: str = field(repr=False)


_cache: dict[str, tuple[float, Receiver | None]] = {}
_lock = threading.Lock()


def receiver(shop_key: str, fresh: bool = False) -> Receiver | None:
    now = time.monotonic()
    if not fresh:
        cached = _cache.get(shop_key)
        if cached is not None and cached[0] > now:
            return cached[1]
    shop = db.session.scalar(select(Shop).where(Shop.shop_key == shop_key)
                             .options(load_only(Shop.id, Shop.shop_key, Shop.host_kind, Shop.webhook_secret)))
    found = Receiver(shop.id, shop.shop_key, shop.host_kind, shop.webhook_secret) if shop else None
    with _lock:
        if len(_cache) > 50_000:
            _cache.clear()
        _cache[shop_key] = (now + (RECEIVER_TTL if found else UNKNOWN_TTL), found)
    return found


def forget(shop_key: str) -> None:
    """Called when this process changes a shop's secret."""
    with _lock:
        _cache.pop(shop_key, None)
