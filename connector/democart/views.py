from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, g, render_template, request

from ..shops.launch import launch_url
from ..shops.operations import find_shop

bp = Blueprint("democart", __name__, url_prefix="/demo-cart")


@bp.get("/<shop_key>")
def cart_admin(shop_key: str):
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(404)
    shop = find_shop(shop_key)
    if shop is None:
        abort(404)
    url = launch_url(shop)
    g.frame_sources = [current_app.config["PUBLIC_URL"]]
    return render_template("democart/cart_admin.html", shop=shop, launch=url)


def init_app(app: Flask) -> None:
    if app.config["ENV_NAME"] != "production":
        app.register_blueprint(bp)
