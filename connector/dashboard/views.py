"""The admin's home page: one card per Amazon account, the actions to take, 30-day charts and what runs now."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, g, jsonify, render_template
from flask_babel import format_date

from ..accounts.operations import accounts_of
from ..clock import utcnow
from ..shops.session import shop_required
from .actions import actions_for
from .cards import cards_of
from .charts import charts_for
from .running import operations_of

bp = Blueprint("dashboard", __name__, url_prefix="/admin")


@bp.get("/")
@shop_required
def index():
    cards = cards_of(g.shop)
    aliases = {card.account.id: card.account.alias for card in cards}
    return render_template("dashboard/index.html", cards=cards, actions=actions_for(cards),
                           charts=charts_for(g.shop.id, list(aliases), utcnow().date()),
                           operations=operations_of(g.shop.id, aliases))


@bp.get("/dashboard/running")
@shop_required
def running():
    """What the Running now section polls."""
    aliases = {account.id: account.alias for account in accounts_of(g.shop)}
    return jsonify(operations=[operation.as_json() for operation in operations_of(g.shop.id, aliases)])


def chart_day(day: date) -> str:
    """A chart axis end: day and short month in the admin's language (2 Jan / 2. Jan.)."""
    return format_date(day, "d MMM")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(chart_day, "chartday")
