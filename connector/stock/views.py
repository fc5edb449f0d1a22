"""Admin pages of stock and price sync: the account panel's actions and live progress, rules per marketplace, SKU
mappings, feed submissions with per-SKU results, and SKU errors. Thin: operations live in admin.py, queries in
overview.py. The support role sees everything and changes nothing."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from ..accounts.models import AmazonAccount
from ..accounts.views import account_or_404
from ..amazon.marketplaces import BY_ID
from ..i18n.labels import marketplace_name
from ..shops.session import actor_name, require_owner, shop_required, wants_json
from ..synclog.runs import KIND_LABELS
from . import admin
from .forms import MappingForm, RulesForm, SwitchForm
from .models import ALL_MARKETPLACES
from .overview import mappings, overview, sku_errors, submission_items, submission_of, submissions
from .rules import Rules
from .settings import current_settings

bp = Blueprint("stock", __name__, url_prefix="/admin/stock/accounts/<int:account_id>")


def _page() -> int:
    return max(request.args.get("page", 1, type=int), 1)


def _done(account: AmazonAccount, message: str, to: str | None = None):
    if wants_json():
        return jsonify(ok=True, message=message)
    flash(message, "success")
    return redirect(to or url_for("accounts.detail", account_id=account.id))


@bp.get("/progress")
@shop_required
def progress(account_id: int):
    return jsonify(overview(account_or_404(account_id)).as_json())


@bp.post("/push")
@shop_required(write=True)
def push_now(account_id: int):
    account = account_or_404(account_id)
    admin.push_now(account, actor_name())
    return _done(account, gettext("Push started: the pending changes go to Amazon now (as Amazon's quotas allow)."))


@bp.post("/resync")
@shop_required(write=True)
def full_resync(account_id: int):
    account = account_or_404(account_id)
    admin.start_full_resync(account, actor_name())
    return _done(account, gettext("Full resync started: every mapped SKU is sent to Amazon again."))


@bp.post("/auto-submit")
@shop_required(write=True)
def auto_submit(account_id: int):
    account = account_or_404(account_id)
    enabled = bool(SwitchForm().enabled.data)
    admin.set_auto_submit(account, enabled, actor_name())
    return _done(account, gettext("Auto-submit is on.") if enabled else gettext("Auto-submit is off."))


@bp.post("/retry")
@shop_required(write=True)
def retry(account_id: int):
    account = account_or_404(account_id)
    released = admin.retry(account, actor_name())
    return _done(account, ngettext("%(num)s rejected SKU is sent again with the next push.",
                                   "%(num)s rejected SKUs are sent again with the next push.", released),
                 url_for(".errors", account_id=account.id))


@bp.route("/rules", methods=["GET", "POST"])
@shop_required
def rules(account_id: int):
    account = account_or_404(account_id)
    marketplace_id = request.args.get("marketplace") or account.marketplace_ids[0]
    if marketplace_id not in account.marketplace_ids:
        abort(404)
    stored = admin.rules_of(account, marketplace_id)
    form = RulesForm(obj=stored)
    if form.is_submitted():
        require_owner()
        if form.validate():
            admin.save_rules(account, marketplace_id, form, actor_name())
            flash(gettext("Rules for %(marketplace)s saved. What Amazon should show is recalculated now; the "
                          "changes go out with the next push.",
                          marketplace=marketplace_name(BY_ID[marketplace_id])), "success")
            return redirect(url_for(".rules", account_id=account.id, marketplace=marketplace_id))
    saved = Rules.of(stored, marketplace_id)
    preview = {"quantity": saved.quantity(10, True), "price": saved.price(Decimal("19.00"), None)[0],
               "currency": saved.currency}
    return render_template("stock/rules.html", account=account, form=form, marketplace_id=marketplace_id,
                           preview=preview), 400 if form.errors else 200


@bp.route("/mappings", methods=["GET", "POST"])
@shop_required
def sku_mappings(account_id: int):
    account = account_or_404(account_id)
    form = MappingForm()
    form.marketplace_id.choices = [(ALL_MARKETPLACES, gettext("Every marketplace of this account"))] + [
        (m, f"{marketplace_name(BY_ID[m])} ({BY_ID[m].country})") for m in account.marketplace_ids]
    if form.is_submitted():
        require_owner()
        if form.validate():
            mapping = admin.save_mapping(account, form, actor_name())
            flash(gettext("Mapping of %(sku)s saved.", sku=mapping.host_sku), "success")
            return redirect(url_for(".sku_mappings", account_id=account.id))
    search = request.args.get("q", "").strip()
    return render_template("stock/mappings.html", account=account, form=form, search=search, page=_page(),
                           mappings=mappings(account.id, search, _page()), switch=SwitchForm(),
                           settings=current_settings(account.id)), 400 if form.errors else 200


@bp.post("/mappings/<int:mapping_id>/delete")
@shop_required(write=True)
def delete_mapping(account_id: int, mapping_id: int):
    account = account_or_404(account_id)
    if not admin.delete_mapping(account, mapping_id, actor_name()):
        abort(404)
    return _done(account, gettext("Mapping removed."), url_for(".sku_mappings", account_id=account.id))


@bp.post("/mapped-only")
@shop_required(write=True)
def mapped_only(account_id: int):
    account = account_or_404(account_id)
    enabled = bool(SwitchForm().enabled.data)
    admin.set_mapped_only(account, enabled, actor_name())
    message = (gettext("Only mapped SKUs are sent.") if enabled
               else gettext("Every cart SKU is sent under its own SKU unless mapped otherwise."))
    return _done(account, message, url_for(".sku_mappings", account_id=account.id))


@bp.get("/feeds")
@shop_required
def feeds(account_id: int):
    account = account_or_404(account_id)
    return render_template("stock/feeds.html", account=account, switch=SwitchForm(),
                           submissions=submissions(account.id, request.args.get("before", type=int)))


@bp.post("/feeds/refresh")
@shop_required(write=True)
def refresh_feeds(account_id: int):
    account = account_or_404(account_id)
    admin.refresh_feeds(account, actor_name())
    return _done(account, gettext("Asked Amazon for the status of the open feeds."),
                 url_for(".feeds", account_id=account.id))


@bp.get("/feeds/<int:submission_id>")
@shop_required
def submission(account_id: int, submission_id: int):
    account = account_or_404(account_id)
    found = submission_of(account.id, submission_id)
    if found is None:
        abort(404)
    return render_template("stock/submission.html", account=account, submission=found, page=_page(),
                           items=submission_items(found, _page()))


@bp.get("/errors")
@shop_required
def errors(account_id: int):
    account = account_or_404(account_id)
    return render_template("stock/errors.html", account=account, page=_page(), switch=SwitchForm(),
                           rows=sku_errors(account.id, _page()))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(lambda: {"stock_overview": overview, "run_labels": KIND_LABELS})
