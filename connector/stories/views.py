"""Stories in the admin: one SKU's or one order's whole history on a page, the search box that leads there, and
the feed ID the log links to. Thin: the stories are read by sku_story.py and order_story.py."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from ..accounts.operations import accounts_of
from ..shops.session import shop_required
from ..synclog.links import register_link
from .order_story import order_by_cart_id, order_story, ordered_items
from .search import cart_order_url, find, sku_url, submission_for_feed
from .sku_events import amount
from .sku_story import sku_story

bp = Blueprint("stories", __name__, url_prefix="/admin/stories")
QUERY_MAX = 200


def _query() -> str:
    return request.args.get("q", "").strip()[:QUERY_MAX]


def _sku_page(sku: str):
    account_id = request.args.get("account", type=int)
    aliases = {account.id: account.alias for account in accounts_of(g.shop)}
    if account_id is not None and account_id not in aliases:
        abort(404)
    story = sku_story(g.shop, sku, account_id)
    if not story.found:
        return render_template("stories/not_found.html", what="sku", value=sku), 404
    return render_template("stories/sku.html", story=story, account_id=account_id, aliases=aliases)


@bp.get("/sku/<path:sku>")
@shop_required
def sku(sku: str):
    return _sku_page(sku)


@bp.get("/sku")
@shop_required
def sku_by_query():
    value = request.args.get("sku", "")
    if not value:
        return redirect(url_for(".find_story"))
    return _sku_page(value)


@bp.get("/order/<amazon_order_id>")
@shop_required
def order(amazon_order_id: str):
    story = order_story(g.shop, amazon_order_id)
    if not story.found:
        return render_template("stories/not_found.html", what="order", value=amazon_order_id), 404
    return render_template("stories/order.html", story=story, ordered_items=ordered_items,
                           aliases={account.id: account.alias for account in accounts_of(g.shop)})


def _cart_order_page(cart_order_id: str):
    found = order_by_cart_id(g.shop, cart_order_id)
    if found is None:
        return render_template("stories/not_found.html", what="cart_order", value=cart_order_id), 404
    return redirect(url_for(".order", amazon_order_id=found.amazon_order_id))


@bp.get("/cart-order/<path:cart_order_id>")
@shop_required
def cart_order(cart_order_id: str):
    return _cart_order_page(cart_order_id)


@bp.get("/cart-order")
@shop_required
def cart_order_by_query():
    return _cart_order_page(request.args.get("id", ""))


@bp.get("/feed/<feed_id>")
@shop_required
def feed(feed_id: str):
    """Amazon's feed ID, as the log knows it, to the submission page of the shop's account that sent it."""
    submission = submission_for_feed(g.shop, feed_id)
    if submission is None:
        abort(404)
    return redirect(url_for("stock.submission", account_id=submission.account_id, submission_id=submission.id))


@bp.get("/find")
@shop_required
def find_story():
    text = _query()
    found = find(g.shop, text)
    if found.target:
        return redirect(found.target)
    return render_template("stories/find.html", query=text, found=found)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["sku_story_url"] = sku_url
    app.add_template_filter(amount, "story_amount")
    register_link("sku", lambda entry: sku_url(entry.sku))
    register_link("amazon_order_id", lambda entry: url_for("stories.order", amazon_order_id=entry.amazon_order_id))
    register_link("cart_order_id", lambda entry: cart_order_url(entry.cart_order_id))
    register_link("feed_id", lambda entry: url_for("stories.feed", feed_id=entry.feed_id))
