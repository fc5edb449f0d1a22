"""`connector keys generate|rotate`: encryption keys for secrets at rest."""
from __future__ import annotations

import os
from pathlib import Path

import click
from cryptography.fernet import Fernet
from flask import Flask, current_app
from flask.cli import AppGroup

from ..config import encryption_keys_file
from .crypto import configured_keys
from .key_rotation import rotate_all

keys_cli = AppGroup("keys", help="Manage the keys that encrypt stored secrets.")


@keys_cli.command("generate")
def generate_command():
    """Print a new key for CONNECTOR_ENCRYPTION_KEYS."""
    click.echo(Fernet.generate_key().decode())


@keys_cli.command("rotate")
def rotate_command():
    """Re-encrypt every stored secret under a new key; old keys keep decrypting until it is done.

    With CONNECTOR_ENCRYPTION_KEYS set, put the new key first in that list before running this. In the embedded
    default a new key is generated in the instance folder, and the old one is dropped when every secret moved.
    """
    config = current_app.config
    keys = list(configured_keys())
    key_file = None
    if not config["ENCRYPTION_KEYS_FROM_ENV"]:
        key_file = encryption_keys_file(current_app.instance_path)
        keys = [Fernet.generate_key().decode(), *keys]
        _replace_file(key_file, keys)  # running processes now encrypt with the new key
        config["ENCRYPTION_KEYS"] = keys
    total = rotate_all(keys, progress=lambda column, done: click.echo(f"  {column}: {done} re-encrypted"))
    if key_file is not None:
        # Once more: a running process may have written a secret under the old key just before it saw the new file.
        rotate_all(keys)
        _replace_file(key_file, keys[:1])
        click.echo(f"Rotated {total} secrets to a new key; the old key was removed from {key_file}.")
    else:
        click.echo(
            f"Rotated {total} secrets to the first key of CONNECTOR_ENCRYPTION_KEYS. "
            "You can now remove the older keys from that variable and restart every process."
        )


def _replace_file(path: Path, keys: list[str]) -> None:
    """Written beside and renamed over: a process reading the file never sees half of it."""
    partial = path.with_name(path.name + ".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
    os.replace(partial, path)


def init_app(app: Flask) -> None:
    app.cli.add_command(keys_cli)
