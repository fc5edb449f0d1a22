"""Simulated Seller Central: the consent page, the log-in URI hop and the confirm step of website authorization."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from ..amazon.marketplaces import MARKETPLACES

bp = Blueprint("sandbox_consent", __name__, url_prefix="/seller-central/<sc_host>/apps/authorize")

REGION_OF_HOST = {m.seller_central_url.split("://", 1)[1]: m.region for m in MARKETPLACES}


def _world():
    return current_app.extensions["sandbox_state"]


def _error_page(code: str, message: str, status: int = 400) -> tuple[str, int]:
    return render_template("sandbox/error.html", code=code, message=message), status


def _check_request(sc_host: str, args) -> tuple[str, int] | None:
    settings = _world().settings
    if sc_host not in REGION_OF_HOST:
        abort(404)
    if args.get("application_id") != settings.application_id:
        return _error_page("MD9100", "We could not find the application you are trying to authorize.")
    if settings.draft and args.get("version") != "beta":
        return _error_page("MD1000", "This application is in draft status; add version=beta to authorize it.")
    if args.get("redirect_uri") and args["redirect_uri"] not in settings.redirect_uris:
        return _error_page("MD5101", "The redirect URI is not registered for this application.")
    return None


@bp.route("/consent", methods=["GET", "POST"])
def consent(sc_host: str):
    args = request.args if request.method == "GET" else request.form
    problem = _check_request(sc_host, args)
    if problem:
        return problem
    world = _world()
    sellers = [s for s in world.settings.sellers if s.region == REGION_OF_HOST[sc_host]]
    carried = {key: args[key] for key in ("application_id", "state", "redirect_uri", "version") if args.get(key)}
    if request.method == "GET":
        return render_template("sandbox/consent.html", sellers=sellers, carried=carried, app=world.settings,
                               host=sc_host, error=None)
    redirect_uri = args.get("redirect_uri") or world.settings.redirect_uris[0]
    if args.get("decision") == "cancel":
        # What Amazon sends back on Cancel is not documented; an OAuth-style access_denied is the plausible shape.
        return redirect(f"{redirect_uri}?" + urlencode({"state": args.get("state", ""), "error": "access_denied",
                                                      "error_description": "The seller cancelled the authorization"}))
    seller = world.settings.seller(args.get("selling_partner_id", ""))
    if seller is None or seller not in sellers:
        return _error_page("MD9200", "Sign in with a seller account of this region.")
    if not args.get("authorize"):
        return render_template("sandbox/consent.html", sellers=sellers, carried=carried, app=world.settings,
                               host=sc_host, error="Tick the box to authorize the application, or press Cancel."), 400
    if world.settings.login_uri:
        query = {
            "amazon_callback_uri": f"{request.host_url}seller-central/{sc_host}/apps/authorize/confirm/"
                                   f"{world.settings.application_id}",
            "amazon_state": world.issue_amazon_state(seller.selling_partner_id),
            "selling_partner_id": seller.selling_partner_id,
        }
        if world.settings.draft:
            query["version"] = "beta"
        return redirect(f"{world.settings.login_uri}?{urlencode(query)}")
    return _back_to_app(redirect_uri, args.get("state", ""), seller.selling_partner_id)


@bp.get("/confirm/<application_id>")
def confirm(sc_host: str, application_id: str) -> Response | tuple[str, int]:
    world = _world()
    if sc_host not in REGION_OF_HOST:
        abort(404)
    if application_id != world.settings.application_id:
        return _error_page("MD9100", "We could not find the application you are trying to authorize.")
    redirect_uri = request.args.get("redirect_uri") or world.settings.redirect_uris[0]
    if redirect_uri not in world.settings.redirect_uris:
        return _error_page("MD5101", "The redirect URI is not registered for this application.")
    seller_id = world.take_amazon_state(request.args.get("amazon_state", ""))
    if seller_id is None:
        return _error_page("MD9300", "This authorization request expired or was already used. Start again from the app.")
    return _back_to_app(redirect_uri, request.args.get("state", ""), seller_id)


def _back_to_app(redirect_uri: str, state: str, seller_id: str) -> Response:
    code = _world().issue_code(seller_id, redirect_uri)
    query = {"state": state, "selling_partner_id": seller_id, "spapi_oauth_code": code}
    return redirect(f"{redirect_uri}?{urlencode(query)}")
