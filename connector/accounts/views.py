"""Admin pages for a shop's Amazon accounts; thin wrappers over accounts.operations and authorization.operations."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from ..amazon.marketplaces import BY_ID
from ..authorization.operations import AuthorizationFailed, check_connection, disconnect, save_self_authorized
from ..shops.formatting import shop_time
from ..shops.session import shop_required
from ..synclog.operations import record
from .forms import AccountForm, ManualTokenForm
from .models import AmazonAccount
from .operations import (
    ForbiddenCredential,
    account_of,
    create_account,
    delete_account,
    refuse_forbidden_credentials,
    update_account,
)
from .status import account_status

bp = Blueprint("accounts", __name__, url_prefix="/admin")


@bp.before_request
def refuse_aws_keys_and_mws_tokens():
    """Checked before any form handling, so such values are never stored, logged or echoed back."""
    if request.method == "POST":
        try:
            refuse_forbidden_credentials(request.form.to_dict())
        except ForbiddenCredential as refused:
            return render_template("errors/refused_credential.html", explanation=gettext(str(refused))), 422


def account_or_404(account_id: int) -> AmazonAccount:
    """The session shop's account with this number; 404 for any other, another shop's included."""
    account = account_of(g.shop, account_id)
    if account is None:
        abort(404)
    return account


@bp.get("/accounts")
@shop_required
def index():
    """The accounts are the dashboard's cards; the old address and endpoint lead there."""
    return redirect(url_for("dashboard.index"))


@bp.route("/accounts/new", methods=["GET", "POST"])
@shop_required(write=True)
def new():
    form = AccountForm()
    if form.validate_on_submit():
        account = create_account(g.shop, form)
        flash(gettext("Account %(alias)s added. Next: click Request / Renew Token to authorize it.",
                      alias=account.alias), "success")
        return redirect(url_for(".detail", account_id=account.id))
    return render_template("accounts/form.html", form=form, account=None), 400 if form.errors else 200


@bp.get("/accounts/<int:account_id>")
@shop_required
def detail(account_id: int):
    account = account_or_404(account_id)
    return render_template("accounts/detail.html", account=account, status=account_status(account),
                           token_form=ManualTokenForm())


@bp.get("/accounts/<int:account_id>/status")
@shop_required
def status(account_id: int):
    account = account_or_404(account_id)
    return jsonify(account_id=account.id, selling_partner_id=account.selling_partner_id,
                   authorized_at=account.authorized_at.isoformat() if account.authorized_at else None,
                   authorized_text=shop_time(account.authorized_at),  # as the page writes it
                   status=account_status(account).as_json(),
                   last_check={"ok": account.last_check_ok, "message": account.last_check_message,
                               "request_id": account.last_check_request_id})


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@shop_required(write=True)
def edit(account_id: int):
    account = account_or_404(account_id)
    form = AccountForm(obj=account)
    if request.method == "GET":
        form.load_ship_from(account.ship_from or {})
    if form.validate_on_submit():
        try:
            update_account(account, form)
        except ValueError as refused:
            form.region.errors = [*form.region.errors, str(refused)]
        else:
            flash(gettext("Settings saved."), "success")
            return redirect(url_for(".detail", account_id=account.id))
    return render_template("accounts/form.html", form=form, account=account), 400 if form.errors else 200


@bp.post("/accounts/<int:account_id>/test")
@shop_required(write=True)
def test_connection(account_id: int):
    account = account_or_404(account_id)
    if not account.refresh_token:
        flash(gettext("Connect the account first: click Request / Renew Token."), "error")
        return redirect(url_for(".detail", account_id=account.id))
    result = check_connection(account)
    record("info" if result.ok else "error", "connection_test", f"Test connection for {account.alias}: {result.message}",
           shop_id=g.shop.id, account_id=account.id, amazon_request_id=result.request_id)
    flash(gettext("%(result)s (Amazon request ID %(id)s)", result=result.message,
                  id=result.request_id or gettext("none")), "success" if result.ok else "error")
    return redirect(url_for(".detail", account_id=account.id))


@bp.post("/accounts/<int:account_id>/token")
@shop_required(write=True)
def manual_token(account_id: int):
    account = account_or_404(account_id)
    form = ManualTokenForm()
    if form.validate_on_submit():
        try:
            result = save_self_authorized(account, form.selling_partner_id.data.strip(), form.refresh_token.data.strip())
        except AuthorizationFailed as failed:
            record("error", "authorization", f"Manual token for {account.alias} refused: {failed}",
                   shop_id=g.shop.id, account_id=account.id, error_code=failed.code,
                   amazon_request_id=failed.request_id)
            form.refresh_token.errors = [gettext(str(failed))]
        else:
            flash(gettext("Token saved. %(result)s", result=result.message), "success")
            return redirect(url_for(".detail", account_id=account.id))
    form.refresh_token.data = ""  # never render a token back
    return render_template("accounts/detail.html", account=account, status=account_status(account),
                           token_form=form), 400


@bp.post("/accounts/<int:account_id>/disconnect")
@shop_required(write=True)
def disconnect_account(account_id: int):
    account = account_or_404(account_id)
    disconnect(account)
    flash(gettext("%(alias)s disconnected. Its settings and history are kept.", alias=account.alias), "success")
    return redirect(url_for(".detail", account_id=account.id))


@bp.post("/accounts/<int:account_id>/delete")
@shop_required(write=True)
def delete(account_id: int):
    account = account_or_404(account_id)
    alias = account.alias
    delete_account(account)
    flash(gettext("%(alias)s deleted.", alias=alias), "success")
    return redirect(url_for(".index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(lambda: {"marketplaces": BY_ID})
