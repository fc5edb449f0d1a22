"""An account's import settings (the shop owner's) and import state (the import job's), made on first use."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..accounts.models import AmazonAccount
from ..clock import utcnow
from ..extensions import db
from ..synclog.operations import record
from .amazon_orders import IMPORTABLE_STATUSES
from .models import OrderImportSettings, OrderImportState

INTERVAL_RANGE = (15, 60)
FIRST_IMPORT_DAYS_RANGE = (1, 30)
REIMPORT_MAX_DAYS = 365


class SettingsInvalid(ValueError):
    """The message says what to change; nothing was saved."""


def _row(model: type[OrderImportSettings] | type[OrderImportState], account_id: int):
    row = db.session.get(model, account_id)
    if row is None:
        row = model(account_id=account_id)
        db.session.add(row)
        db.session.flush()
    return row


def import_settings(account_id: int) -> OrderImportSettings:
    return _row(OrderImportSettings, account_id)


def import_state(account_id: int) -> OrderImportState:
    return _row(OrderImportState, account_id)


@dataclass(frozen=True)
class SettingsChange:
    statuses: list[str]
    interval_minutes: int
    first_import_days: int
    recheck_timezone: str
    unknown_sku_as_custom_line: bool

    def check(self) -> None:
        if not self.statuses or any(status not in IMPORTABLE_STATUSES for status in self.statuses):
            raise SettingsInvalid(f"Import orders with status {' and/or '.join(IMPORTABLE_STATUSES)}.")
        if not INTERVAL_RANGE[0] <= self.interval_minutes <= INTERVAL_RANGE[1]:
            raise SettingsInvalid("Import every 15 to 60 minutes.")
        if not FIRST_IMPORT_DAYS_RANGE[0] <= self.first_import_days <= FIRST_IMPORT_DAYS_RANGE[1]:
            raise SettingsInvalid("The first import reaches back 1 to 30 days.")
        try:
            ZoneInfo(self.recheck_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsInvalid(f"{self.recheck_timezone!r} is not a time zone such as Asia/Shanghai.") from None


def update_settings(account: AmazonAccount, change: SettingsChange, actor: str) -> OrderImportSettings:
    change.check()
    settings = import_settings(account.id)
    settings.statuses = list(change.statuses)
    settings.interval_minutes = change.interval_minutes
    settings.first_import_days = change.first_import_days
    settings.recheck_timezone = change.recheck_timezone
    settings.unknown_sku_as_custom_line = change.unknown_sku_as_custom_line
    db.session.commit()
    unknown = "as custom lines" if change.unknown_sku_as_custom_line else "held"
    record("info", "order_import", f"Order import settings of {account.alias} changed by {actor}: every "
           f"{change.interval_minutes} minutes, status {', '.join(change.statuses)}, daily re-check at 00:00 "
           f"{change.recheck_timezone}, unknown SKUs {unknown}.",
           shop_id=account.shop_id, account_id=account.id)
    return settings


def request_reimport(account: AmazonAccount, since: datetime, actor: str) -> None:
    """The next import run searches again from `since`; orders already imported are updated, never doubled."""
    now = utcnow()
    if since > now:
        raise SettingsInvalid("Choose a date in the past.")
    if (now - since).days > REIMPORT_MAX_DAYS:
        raise SettingsInvalid(f"Re-import reaches back at most {REIMPORT_MAX_DAYS} days.")
    import_settings(account.id).reimport_from = since
    db.session.commit()
    record("info", "order_import", f"{actor} asked to re-import the orders of {account.alias} updated since "
           f"{since:%Y-%m-%d %H:%M} UTC; orders already imported are updated, not created twice.",
           shop_id=account.shop_id, account_id=account.id)
