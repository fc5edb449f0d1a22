"""Secrets at rest: MultiFernet over the configured keys, the first key encrypting, all keys decrypting."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from ..config import keys_file_stamp, read_keys_file


class SecretUnreadable(RuntimeError):
    """A stored secret could not be decrypted with any configured key."""


def fernet(keys: list[str] | None = None) -> MultiFernet:
    keys = keys if keys is not None else configured_keys()
    return MultiFernet([Fernet(key.encode()) for key in keys])


def configured_keys() -> list[str]:
    """The keys in use. In the embedded default they live in the instance folder, and `connector keys rotate` (another
    process) rewrites that file: a running process follows it at once, so it neither fails to read the rotated
    secrets nor writes new ones under a key about to be dropped."""
    config = current_app.config
    stamp = None if config.get("ENCRYPTION_KEYS_FROM_ENV", True) else keys_file_stamp(current_app.instance_path)
    if stamp is not None and stamp != config.get("ENCRYPTION_KEYS_FILE_STAMP"):
        keys = read_keys_file(current_app.instance_path)
        if keys:
            config["ENCRYPTION_KEYS"], config["ENCRYPTION_KEYS_FILE_STAMP"] = keys, stamp
    return config["ENCRYPTION_KEYS"]


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with the configured CONNECTOR_ENCRYPTION_KEYS; "
            "was a key removed before `connector keys rotate` finished?"
        ) from exc


class EncryptedText(TypeDecorator):
    """A column whose value is encrypted before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return None if value is None else decrypt(value)


def mask(secret: str | None, visible: int = 4) -> str:
    """What a page may show of a secret: its last few characters."""
    if not secret:
        return ""
    return "••••" + secret[-visible:] if len(secret) > 2 * visible else "••••"
