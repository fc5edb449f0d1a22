"""Times in the admin are shown in the shop's time zone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g


def shop_time(value: datetime | None, with_seconds: bool = False) -> str:
    if value is None:
        return ""
    shop = getattr(g, "shop", None)
    local = value.astimezone(ZoneInfo(shop.timezone if shop and shop.timezone else "UTC"))
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if with_seconds else "%Y-%m-%d %H:%M %Z")


def init_app(app: Flask) -> None:
    app.add_template_filter(shop_time, "shoptime")
