"""Secrets at rest: MultiFernet over the configured keys, the first key encrypting, all keys decrypting."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class SecretUnreadable(RuntimeError):
    """A stored secret could not be decrypted with any configured key."""


def fernet(keys: list[str] | None = None) -> MultiFernet:
    keys = keys if keys is not None else current_app.config["ENCRYPTION_KEYS"]
    return MultiFernet([Fernet(key.encode()) for key in keys])


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
