"""`connector tokens remind`: run the reminder check now (the consumer also runs it every hour)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .operations import remind_operator_of_client_secret, send_due_reminders

tokens_cli = AppGroup("tokens", help="Amazon authorization lifecycle.")


@tokens_cli.command("remind")
def remind_command():
    """Send every expiry reminder that is due, and warn if the LWA client secret needs rotating."""
    sent = send_due_reminders()
    click.echo(f"{sent} expiry reminder(s) sent.")
    warning = remind_operator_of_client_secret()
    if warning:
        click.echo(warning)


def init_app(app: Flask) -> None:
    app.cli.add_command(tokens_cli)
