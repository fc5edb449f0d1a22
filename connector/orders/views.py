"""Admin pages of the order area: the account page's orders panel (its actions and the import status it polls),
the orders list, and the carrier table. Thin: the work is in the area's operations."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone

from flask import Blueprint, Flask, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import func, select

from ..accounts.models import AmazonAccount
from ..accounts.operations import accounts_of
from ..accounts.views import account_or_404
from ..extensions import db
from ..jobs.registry import enqueue
from ..shops.formatting import calendar_date
from ..shops.session import actor_name, require_owner, shop_required, wants_json
from .carriers import AMAZON_CARRIER_CODES, CarrierInvalid, carrier_table, delete_entry, save_entry
from .forms import CarrierForm, ImportByIdForm, ImportSettingsForm, ReimportForm
from .models import CartState, ImportedOrder, Shipment
from .panel import OrdersPanel, import_status, panel_for
from .schedules import sync_account_schedules
from .settings import SettingsInvalid, request_reimport, update_settings
from .support import import_order_by_id, retry_order, retry_shipment

bp = Blueprint("orders", __name__, url_prefix="/admin")
PAGE_SIZE = 50


def _back_to(account_id: int):
    return redirect(url_for("accounts.detail", account_id=account_id, _anchor="orders"))


@bp.post("/accounts/<int:account_id>/orders/import")
@shop_required(write=True)
def import_now(account_id: int):
    account = account_or_404(account_id)
    if not account.import_orders:
        message, queued = gettext("Order import is off for this account; switch it on in the account settings."), False
    else:
        enqueue("orders.import", account.id, f"user: {actor_name()}")
        message, queued = gettext("Import started."), True
    if wants_json():
        return jsonify(queued=queued, message=message, status=import_status(account).as_json())
    flash(message, "success" if queued else "error")
    return _back_to(account.id)


@bp.get("/accounts/<int:account_id>/orders/status")
@shop_required
def status(account_id: int):
    return jsonify(import_status(account_or_404(account_id)).as_json())


@bp.post("/accounts/<int:account_id>/orders/settings")
@shop_required(write=True)
def save_settings(account_id: int):
    account = account_or_404(account_id)
    form = ImportSettingsForm()
    if not form.validate():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        flash(gettext("Import settings not saved: %(problems)s", problems=problems), "error")
        return _back_to(account.id)
    try:
        update_settings(account, form.change(), actor_name())
    except SettingsInvalid as invalid:
        flash(gettext("Import settings not saved: %(problems)s", problems=invalid), "error")
    else:
        sync_account_schedules(account)
        flash(gettext("Import settings saved."), "success")
    return _back_to(account.id)


@bp.post("/accounts/<int:account_id>/orders/import-by-id")
@shop_required(write=True)
def import_by_id(account_id: int):
    account = account_or_404(account_id)
    form = ImportByIdForm()
    if form.validate():
        result = import_order_by_id(account, form.amazon_order_id.data, actor_name())
        flash(result.message, "success" if result.ok else "error")
    else:
        flash(gettext("Enter an Amazon order ID."), "error")
    return _back_to(account.id)


@bp.post("/accounts/<int:account_id>/orders/reimport")
@shop_required(write=True)
def reimport(account_id: int):
    account = account_or_404(account_id)
    form = ReimportForm()
    if not form.validate():
        flash(gettext("Choose the date to re-import from."), "error")
        return _back_to(account.id)
    try:
        request_reimport(account, datetime.combine(form.since.data, time(0), tzinfo=timezone.utc), actor_name())
    except SettingsInvalid as invalid:
        flash(str(invalid), "error")
    else:
        enqueue("orders.import", account.id, f"user: {actor_name()}")
        flash(gettext("Re-importing orders updated since %(date)s.", date=calendar_date(form.since.data)), "success")
    return _back_to(account.id)


@bp.post("/orders/<int:order_id>/retry")
@shop_required(write=True)
def retry(order_id: int):
    order = db.session.scalar(select(ImportedOrder).where(ImportedOrder.id == order_id,
                                                          ImportedOrder.shop_id == g.shop.id))
    if order is None:
        abort(404)
    result = retry_order(order, actor_name())
    flash(result.message, "success" if result.ok else "error")
    next_page = request.form.get("next", "")
    return redirect(next_page) if next_page.startswith("/admin/") else _back_to(order.account_id)


@bp.post("/shipments/<int:shipment_id>/retry")
@shop_required(write=True)
def retry_confirmation(shipment_id: int):
    shipment = db.session.scalar(select(Shipment).where(Shipment.id == shipment_id, Shipment.shop_id == g.shop.id))
    if shipment is None:
        abort(404)
    result = retry_shipment(shipment, actor_name())
    flash(result.message, "success" if result.ok else "error")
    return _back_to(shipment.account_id)


@bp.get("/orders")
@shop_required
def orders_list():
    accounts = {account.id: account for account in accounts_of(g.shop)}
    query = select(ImportedOrder).where(ImportedOrder.shop_id == g.shop.id)
    account_id = request.args.get("account", type=int)
    state = request.args.get("state")
    if account_id in accounts:
        query = query.where(ImportedOrder.account_id == account_id)
    if state:
        query = query.where(ImportedOrder.cart_state == state)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, request.args.get("page", 1, type=int))
    orders = db.session.scalars(query.order_by(ImportedOrder.purchased_at.desc(), ImportedOrder.id.desc())
                                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("orders/list.html", orders=orders, accounts=accounts, account_id=account_id, state=state,
                           states=[value for name, value in vars(CartState).items() if name.isupper()
                                   and isinstance(value, str)],
                           page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total)


@bp.route("/orders/carriers", methods=["GET", "POST"])
@shop_required
def carriers():
    form = CarrierForm()
    if request.method == "POST":
        require_owner()
        if form.validate():
            try:
                save_entry(g.shop.id, form.cart_name.data, form.amazon_code.data, form.amazon_name.data)
            except CarrierInvalid as invalid:
                flash(str(invalid), "error")
            else:
                flash(gettext("Carrier \"%(name)s\" now goes to Amazon as %(code)s.", name=form.cart_name.data,
                              code=form.amazon_code.data), "success")
                return redirect(url_for(".carriers"))
    return render_template("orders/carriers.html", rows=carrier_table(g.shop.id), form=form,
                           codes=AMAZON_CARRIER_CODES), 400 if form.errors else 200


@bp.post("/orders/carriers/<int:entry_id>/delete")
@shop_required(write=True)
def delete_carrier(entry_id: int):
    entry = delete_entry(g.shop.id, entry_id)
    if entry is None:
        abort(404)
    flash(gettext("Carrier \"%(name)s\" removed from your table.", name=entry.cart_name), "success")
    return redirect(url_for(".carriers"))


@dataclass(frozen=True)
class PanelPage:
    data: OrdersPanel
    settings_form: ImportSettingsForm
    by_id_form: ImportByIdForm
    reimport_form: ReimportForm


def orders_panel(account: AmazonAccount) -> PanelPage:
    """For templates/orders/panel.html, which the account page includes. The forms never take the request's data:
    the account page also answers other forms' posts."""
    data = panel_for(account)
    return PanelPage(data, ImportSettingsForm(obj=data.settings, formdata=None), ImportByIdForm(formdata=None),
                     ReimportForm(formdata=None))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["orders_panel"] = orders_panel
