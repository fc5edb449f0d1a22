"""`connector keys generate|rotate`: encryption keys for secrets at rest."""
from __future__ import annotations

import os
from pathlib import Path

import click
from cryptography.fernet import Fernet
from flask import Flask, current_app
from flask.cli import AppGroup

from ..config import encryption_keys_file
from ..synclog.runs import sync_run
from .crypto import configured_keys
from .key_rotation import rotate_all, secrets_per_column

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
    total = _rotate_with_progress(keys)
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


def _rotate_with_progress(keys: list[str]) -> int:
    """Rotate under a progress bar (secrets done of the total, the column being worked on), recorded as a sync run
    of no shop, so every shop's dashboard shows that it is running."""
    expected = secrets_per_column()
    total = sum(expected.values())
    click.echo(f"Re-encrypting {total} stored secrets: "
               + (", ".join(f"{column} {number}" for column, number in expected.items() if number) or "none") + ".")
    done_per_column = dict.fromkeys(expected, 0)
    with sync_run("key_rotation", shop_id=None, triggered_by="operator") as run, click.progressbar(
            length=max(total, 1), label="Re-encrypting", show_pos=True, show_percent=True,
            item_show_func=lambda item: item) as bar:
        run.progress(0, total)

        def advance(column: str, column_done: int, done: int) -> None:
            done_per_column[column] = column_done
            bar.update(min(done, total) - bar.pos, f"{column} {column_done}/{expected.get(column, column_done)}")
            run.progress(done, max(total, done))

        rewritten = rotate_all(keys, progress=advance)
        run.count(seen=total, changed=rewritten)
        run.run.summary = f"Re-encrypted {rewritten} stored secrets under the new key."
    for column, number in done_per_column.items():
        if number:
            click.echo(f"  {column}: {number} re-encrypted")
    return rewritten


def _replace_file(path: Path, keys: list[str]) -> None:
    """Written beside and renamed over: a process reading the file never sees half of it."""
    partial = path.with_name(path.name + ".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
    os.replace(partial, path)


def init_app(app: Flask) -> None:
    app.cli.add_command(keys_cli)
