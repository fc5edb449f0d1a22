"""The cart admin's way in: GET /admin/launch turns a signed launch into a session."""
from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext

from ..security.inbound import limit, limiter
from .launch import LaunchRefused, consume_launch_token, consume_shopify_session_token
from .session import SUPPORT_READ_ONLY, start_session

bp = Blueprint("shops", __name__, url_prefix="/admin")


@bp.get("/launch")
def launch():
    if wait := limiter().take(f"launch:{request.remote_addr}", limit("launch_address")):
        seconds = max(1, int(wait + 0.999))
        reason = ngettext("Too many attempts to open the connector from your address. Try again in %(num)s second.",
                          "Too many attempts to open the connector from your address. Try again in %(num)s seconds.",
                          seconds)
        return render_template("errors/not_launched.html", reason=reason), 429, {"Retry-After": str(seconds)}
    try:
        if request.args.get("token"):
            result = consume_launch_token(request.args["token"])
        elif request.args.get("id_token") or request.headers.get("Authorization", "").startswith("Bearer "):
            token = request.args.get("id_token") or request.headers["Authorization"].removeprefix("Bearer ")
            result = consume_shopify_session_token(request.args.get("shop", ""), token)
        else:
            raise LaunchRefused(gettext("Open the connector from your shop admin: this page needs a launch link."))
    except LaunchRefused as refused:
        return render_template("errors/not_launched.html", reason=str(refused)), 401
    start_session(result)
    g.frame_ancestors = result.shop.frame_ancestors
    return redirect(url_for("accounts.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def support_reads_only():
        """Defence in depth beside shop_required(write=True): a support session changes nothing, anywhere."""
        if request.method not in ("GET", "HEAD", "OPTIONS") and session.get("role") == "support":
            return render_template("errors/forbidden.html", message=SUPPORT_READ_ONLY), 403
        return None

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/forbidden.html", message=error.description), 403
