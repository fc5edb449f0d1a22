"""What the orders panel of an account page shows, and the import status its progress bar polls. Read-only:
showing a page never creates rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from ..accounts.models import AmazonAccount
from ..accounts.status import account_status
from ..clock import utcnow
from ..extensions import db
from ..jobs.models import Schedule
from ..shops.formatting import shop_time
from ..synclog.models import RunStatus, SyncRun
from .models import (DEFAULT_FIRST_IMPORT_DAYS, DEFAULT_INTERVAL_MINUTES, DEFAULT_RECHECK_TIMEZONE, DEFAULT_STATUSES,
                     CartState, ImportedOrder, OrderImportSettings, OrderImportState, Shipment, ShipmentState)
from .recheck import flagged_orders
from .schedules import import_key

LIST_LIMIT = 20


@dataclass(frozen=True)
class ImportStatus:
    running: bool
    percent: int | None
    message: str
    last_success_at: datetime | None
    next_run_at: datetime | None

    def as_json(self) -> dict:
        return {"running": self.running, "percent": self.percent, "message": self.message,
                "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
                "last_success_text": _when(self.last_success_at, gettext("No successful import yet"))}


@dataclass(frozen=True)
class OrdersPanel:
    account: AmazonAccount
    settings: OrderImportSettings
    status: ImportStatus
    next_import: str
    counts: dict[str, int]
    attention: list[ImportedOrder]
    unconfirmed: list[Shipment]
    flagged: list[ImportedOrder]


def _when(moment: datetime | None, otherwise: str) -> str:
    return shop_time(moment) if moment else otherwise


def import_status(account: AmazonAccount) -> ImportStatus:
    state = db.session.get(OrderImportState, account.id)
    run = db.session.scalar(select(SyncRun).where(
        SyncRun.account_id == account.id, SyncRun.kind == "order_import", SyncRun.status == RunStatus.RUNNING)
        .order_by(SyncRun.id.desc()).limit(1))
    schedule = db.session.scalar(select(Schedule).where(Schedule.key == import_key(account.id)))
    in_window = state is not None and state.window_after is not None
    percent = None
    if in_window and state.window_before is not None and state.cursor is not None:
        span = (state.window_before - state.window_after).total_seconds()
        percent = max(0, min(100, int(100 * (state.cursor - state.window_after).total_seconds() / span))) if span else 0
    if run is not None:
        read = state.window_orders if state else 0
        message = ngettext("Importing: %(num)s order read from Amazon so far.",
                           "Importing: %(num)s orders read from Amazon so far.", read)
    elif in_window and state.resume_at and state.resume_at > utcnow():
        message = ngettext("Waiting for Amazon's order search quota until %(time)s; %(num)s order read so far.",
                           "Waiting for Amazon's order search quota until %(time)s; %(num)s orders read so far.",
                           state.window_orders, time=shop_time(state.resume_at, with_seconds=True))
    elif in_window:
        message = ngettext("Import under way: %(num)s order read so far.",
                           "Import under way: %(num)s orders read so far.", state.window_orders)
    else:
        message = gettext("No import running.")
    return ImportStatus(run is not None or in_window, percent, message, state.last_success_at if state else None,
                        schedule.next_run_at if schedule and schedule.enabled else None)


def panel_for(account: AmazonAccount) -> OrdersPanel:
    settings = db.session.get(OrderImportSettings, account.id) or OrderImportSettings(
        account_id=account.id, statuses=list(DEFAULT_STATUSES), interval_minutes=DEFAULT_INTERVAL_MINUTES,
        first_import_days=DEFAULT_FIRST_IMPORT_DAYS, recheck_timezone=DEFAULT_RECHECK_TIMEZONE,
        unknown_sku_as_custom_line=False)
    counts = dict(db.session.execute(select(ImportedOrder.cart_state, func.count()).where(
        ImportedOrder.account_id == account.id).group_by(ImportedOrder.cart_state)).all())
    attention = db.session.scalars(select(ImportedOrder).where(
        ImportedOrder.account_id == account.id, ImportedOrder.cart_state.in_(CartState.ATTENTION))
        .order_by(ImportedOrder.id).limit(LIST_LIMIT)).all()
    failing = (Shipment.state == ShipmentState.PENDING) & (Shipment.attempts > 0)
    unconfirmed = db.session.scalars(select(Shipment).where(
        Shipment.account_id == account.id, (Shipment.state == ShipmentState.REFUSED) | failing)
        .order_by(Shipment.id).limit(LIST_LIMIT)).all()
    status = import_status(account)
    return OrdersPanel(account, settings, status, _next_import(account, status), counts, list(attention),
                       list(unconfirmed), flagged_orders(account.id)[:LIST_LIMIT])


def _next_import(account: AmazonAccount, status: ImportStatus) -> str:
    if not account.import_orders:
        return gettext("Order import is off for this account")
    if not account_status(account).can_sync:
        return gettext("Once the account is connected")
    return _when(status.next_run_at, gettext("Scheduled within a minute"))
