"""`connector shops create|list|launch-url`."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from .launch import ROLES, launch_url
from .models import HOST_KINDS
from .operations import ShopInvalid, all_shops, create_shop, find_shop

shops_cli = AppGroup("shops", help="Create shops and launch their admin.")


@shops_cli.command("create")
@click.option("--host", "host_kind", type=click.Choice(HOST_KINDS), required=True)
@click.option("--name", required=True)
@click.option("--admin-origin", "admin_origins", multiple=True, required=True,
              help="Origin of the cart admin that frames the connector (repeatable).")
@click.option("--contact-email")
@click.option("--notification-url", help="Where reminders and notices are POSTed (Standard Webhooks signed).")
@click.option("--client-id", "host_client_id", help="Shopify: the app's client ID (session token audience).")
@click.option("--client-secret", "webhook_secret",
              help="Shopify: the app's client secret (signs webhooks and session tokens). Others get a new secret.")
@click.option("--shop-domain", help="Shopify: the shop's myshopify.com domain.")
@click.option("--json", "as_json", is_flag=True)
def create_command(host_kind, name, admin_origins, contact_email, notification_url, host_client_id, webhook_secret,
                   shop_domain, as_json):
    """Create a shop and print its key, webhook secret and launch URL."""
    try:
        shop = create_shop(
            name, host_kind, list(admin_origins), contact_email=contact_email, notification_url=notification_url,
            host_client_id=host_client_id, shop_domain=shop_domain, webhook_secret=webhook_secret,
        )
    except ShopInvalid as invalid:
        raise click.BadParameter(str(invalid))
    result = {
        "id": shop.id,
        "shop_key": shop.shop_key,
        "name": shop.name,
        "host": shop.host_kind,
        "admin_origins": shop.frame_ancestors,
        "webhook_secret": shop.webhook_secret,
        "launch_url": launch_url(shop),
    }
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            click.echo(f"{key}: {value}")


@shops_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_command(as_json):
    """List shops (never their secrets)."""
    rows = [
        {"id": s.id, "shop_key": s.shop_key, "name": s.name, "host": s.host_kind, "admin_origins": s.frame_ancestors}
        for s in all_shops()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No shops yet: create one with `connector shops create`.")
    for row in rows:
        click.echo(f"{row['id']:>4}  {row['shop_key']}  {row['host']:<11}  {row['name']}  {' '.join(row['admin_origins'])}")


@shops_cli.command("launch-url")
@click.argument("shop")
@click.option("--role", type=click.Choice(ROLES), default="owner", show_default=True)
@click.option("--locale")
@click.option("--user", help="Name of the person opening the admin, shown in the log next to what they change.")
def launch_url_command(shop, role, locale, user):
    """Print a fresh, single-use launch URL for SHOP (its key or id)."""
    found = find_shop(shop)
    if found is None:
        raise click.BadParameter(f"no shop {shop!r}", param_hint="SHOP")
    click.echo(launch_url(found, role, locale, user))


def init_app(app: Flask) -> None:
    app.cli.add_command(shops_cli)
