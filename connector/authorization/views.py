"""The popup: confirm, go to Seller Central, come back through the log-in URI hop and the callback."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request
from flask_babel import gettext

from ..accounts.models import AmazonAccount, AuthorizationAttempt
from ..amazon.marketplaces import seller_central_hosts
from ..clock import utcnow
from ..extensions import db
from ..i18n.labels import N_
from ..shops.session import shop_required
from ..synclog.operations import record
from . import state as flow_state
from .operations import AuthorizationFailed, complete_authorization, consent_url

bp = Blueprint("authorization", __name__, url_prefix="/amazon/authorize")


@bp.post("/ticket/<int:account_id>")
@shop_required(write=True)
def ticket(account_id: int):
    """Called by the account page (CSRF-checked fetch) right after it opened the popup."""
    account = db.get_or_404(AmazonAccount, account_id)
    if account.shop_id != g.shop.id:
        return jsonify(error=gettext("This Amazon account was not found.")), 404
    return jsonify(url=f"{current_app.config['PUBLIC_URL']}/amazon/authorize/start?"
                       + urlencode({"ticket": flow_state.issue_ticket(account)}))


@bp.get("/start")
def start():
    try:
        account = flow_state.read_ticket(request.args.get("ticket"))
    except flow_state.StateRejected as rejected:
        return _failure_page(rejected.reason, str(rejected))
    flow_state.browser_nonce()
    # CSP form-action also governs where the OK form's redirect may go: Seller Central.
    g.form_targets = [_origin(consent_url(account, ""))]
    return render_template("authorization/confirm.html", account=account, ticket=request.args["ticket"],
                           app_name=current_app.config["APP_NAME"])


@bp.post("/start")
def go_to_amazon():
    try:
        account = flow_state.read_ticket(request.form.get("ticket"))
    except flow_state.StateRejected as rejected:
        return _failure_page(rejected.reason, str(rejected))
    return redirect(consent_url(account, flow_state.issue_state(account)))


@bp.get("/login")
def login_hop():
    """Amazon's log-in URI step: send the seller back to Amazon with our state and Amazon's."""
    callback, amazon_state = request.args.get("amazon_callback_uri", ""), request.args.get("amazon_state")
    if not _is_seller_central(callback) or not amazon_state:
        return _failure_page("login_hop_invalid", N_("Amazon's sign-in step came back with an address we do not "
                                                     "recognise, so we stopped. Please start again from the "
                                                     "connector."))
    pending = flow_state.pending_state()
    if not pending:
        return _failure_page("login_hop_without_state", N_("To authorize or renew, open the connector from your "
                                                           "shop admin and click Request / Renew Token; it will bring "
                                                           "you back here."))
    query = {"amazon_state": amazon_state, "state": pending}
    if request.args.get("version"):
        query["version"] = request.args["version"]
    return redirect(f"{callback}?{urlencode(query)}")


@bp.get("/callback")
def callback():
    try:
        attempt = flow_state.consume_state(request.args.get("state"))
    except flow_state.StateRejected as rejected:
        return _failure_page(rejected.reason, str(rejected), rejected.attempt)
    account = db.session.get(AmazonAccount, attempt.account_id)
    if request.args.get("error"):
        return _finish(attempt, "cancelled",
                       N_("You cancelled the authorization in Seller Central. Nothing was changed."))
    seller, code = request.args.get("selling_partner_id"), request.args.get("spapi_oauth_code")
    if not seller or not code:
        return _finish(attempt, "failed",
                       N_("Amazon came back without a seller ID or authorization code. Please start again."))
    try:
        complete_authorization(attempt, seller, code)
    except AuthorizationFailed as failed:
        return _finish(attempt, "failed", str(failed), failed)
    attempt.outcome, attempt.message = "connected", "Connected"
    db.session.commit()
    return render_template("authorization/result.html", ok=True, account=account,
                           message=gettext("Connected. You may close this window."))


def _finish(attempt: AuthorizationAttempt, outcome: str, message: str, failure: AuthorizationFailed | None = None):
    attempt.outcome, attempt.message, attempt.finished_at = outcome, message, utcnow()
    db.session.commit()
    record("warning" if outcome == "cancelled" else "error", "authorization", message,
           shop_id=attempt.shop_id, account_id=attempt.account_id,
           error_code=failure.code if failure else outcome,
           amazon_request_id=failure.request_id if failure else None,
           http_status=failure.http_status if failure else None)
    account = db.session.get(AmazonAccount, attempt.account_id)
    # The log keeps the English message; the window shows it in the admin's language when we know it.
    return render_template("authorization/result.html", ok=False, account=account, message=gettext(message)), 400


def _failure_page(reason: str, message: str, attempt: AuthorizationAttempt | None = None):
    record("error", "authorization", f"Authorization stopped ({reason}): {message}",
           shop_id=attempt.shop_id if attempt else None, account_id=attempt.account_id if attempt else None,
           error_code=reason)
    return render_template("authorization/result.html", ok=False, account=None, message=gettext(message)), 400


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_seller_central(url: str) -> bool:
    """Only Amazon's (or the configured simulator's) Seller Central may receive the seller after the hop."""
    parts = urlsplit(url)
    endpoints = current_app.config["AMAZON_ENDPOINTS"]
    if endpoints.seller_central_base:
        return url.startswith(endpoints.seller_central_base + "/") and ".." not in parts.path
    return parts.scheme == "https" and parts.hostname in seller_central_hosts() and not parts.username


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
