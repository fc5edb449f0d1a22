"""`connector logs`: the shop's log on the command line, with the admin page's filters, for operators."""
from __future__ import annotations

import sys
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import with_appcontext

from ..accounts.models import AmazonAccount
from ..extensions import db
from ..shops.operations import find_shop
from . import export, queries

@click.command("logs")
@click.argument("shop")
@click.option("--account", "account_id", type=int, help="Only this Amazon account (its number).")
@click.option("--kind", help="Only this kind, e.g. stock_push, order_import, webhook_processing.")
@click.option("--level", type=click.Choice([*queries.LEVELS, queries.PROBLEMS]))
@click.option("--since", help="From this day (YYYY-MM-DD, in the shop's time zone).")
@click.option("--until", help="Up to and including this day.")
@click.option("--search", "-q", help="A reference: SKU, Amazon order ID, cart order ID, feed ID, request ID, HTTP status…")
@click.option("--run", "run_id", type=int, help="Only entries of this sync run.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many entries (0: all).")
@click.option("--format", "output", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@with_appcontext
def logs_command(shop, account_id, kind, level, since, until, search, run_id, limit, output):
    """Print SHOP's log entries (its key or number), newest first."""
    found = find_shop(shop)
    if found is None:
        raise click.BadParameter(f"no shop {shop!r}", param_hint="SHOP")
    zone = ZoneInfo(found.timezone or "UTC")
    log_filter = queries.parse_filter({"account": account_id, "kind": kind, "level": level, "since": since,
                                       "until": until, "q": search, "run": run_id}, zone)
    entries = queries.iterate(found.id, log_filter)
    if limit:
        entries = (entry for _, entry in zip(range(limit), entries))
    aliases = dict(db.session.execute(db.select(AmazonAccount.id, AmazonAccount.alias)
                                      .where(AmazonAccount.shop_id == found.id)).all())
    if output == "csv":
        sys.stdout.writelines(export.csv_lines(entries, aliases))
    elif output == "json":
        sys.stdout.writelines(export.json_chunks(entries, aliases))
    else:
        for entry in entries:
            row = export.as_row(entry, aliases)
            refs = " ".join(f"{name}={row[name]}" for name in export.COLUMNS[6:] if row[name] is not None)
            local = entry.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            click.echo(f"{local} {entry.level.upper():7} {entry.kind:<20} {entry.message}" + (f"  [{refs}]" if refs else ""))


def init_app(app: Flask) -> None:
    app.cli.add_command(logs_command)
