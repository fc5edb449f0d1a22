"""Configuration from ``CONNECTOR_*`` environment variables (documented in docs/configuration.md)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

DEFAULT_SIMULATOR_URL = "http://127.0.0.1:5050"


class ConfigurationError(RuntimeError):
    """The environment asks for something the connector refuses to run with."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"CONNECTOR_{name}")
    return value if value not in (None, "") else default


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class AmazonEndpoints:
    """Where the Login with Amazon token endpoint, SP-API and Seller Central live."""

    token_url: str
    spapi: dict[str, str]
    seller_central_base: str | None  # None: the marketplace's real Seller Central URL

    def seller_central_url(self, real_url: str) -> str:
        if self.seller_central_base is None:
            return real_url
        host = real_url.split("://", 1)[1].rstrip("/")
        return f"{self.seller_central_base}/{host}"


def amazon_endpoints(target: str, simulator_url: str) -> AmazonEndpoints:
    if target == "amazon":
        return AmazonEndpoints(
            token_url="https://api.amazon.com/auth/o2/token",
            spapi={
                "NA": "https://sellingpartnerapi-na.amazon.com",
                "EU": "https://sellingpartnerapi-eu.amazon.com",
                "FE": "https://sellingpartnerapi-fe.amazon.com",
            },
            seller_central_base=None,
        )
    if target == "simulator":
        base = simulator_url.rstrip("/")
        return AmazonEndpoints(
            token_url=f"{base}/auth/o2/token",
            spapi={region: f"{base}/sp-api/{region.lower()}" for region in ("NA", "EU", "FE")},
            seller_central_base=f"{base}/seller-central",
        )
    raise ConfigurationError(f"CONNECTOR_AMAZON_TARGET must be 'simulator' or 'amazon', not {target!r}")


def _instance_secret(path: Path, make: callable) -> str:
    """Embedded mode keeps its generated secrets in the instance folder, readable by the owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make() + "\n")
    return path.read_text().strip()


def encryption_keys_file(instance_path: str) -> Path:
    return Path(instance_path) / "encryption_keys"


def keys_file_stamp(instance_path: str) -> int | None:
    """When the embedded key file last changed (None without one): running processes follow `connector keys rotate`."""
    try:
        return encryption_keys_file(instance_path).stat().st_mtime_ns
    except FileNotFoundError:
        return None


def read_keys_file(instance_path: str) -> list[str]:
    return split_keys(encryption_keys_file(instance_path).read_text())


def load_config(instance_path: str) -> dict:
    """Read the environment into a Flask config mapping."""
    env = _env("ENV", "development")
    instance = Path(instance_path)
    target = _env("AMAZON_TARGET", "simulator")
    simulator_url = _env("SIMULATOR_URL", DEFAULT_SIMULATOR_URL)
    public_url = _env("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    config = {
        "ENV_NAME": env,
        "SECRET_KEY_FROM_ENV": _env("SECRET_KEY") is not None,
        "SECRET_KEY": _env("SECRET_KEY")
        or _instance_secret(instance / "secret_key", lambda: secrets.token_urlsafe(48)),
        "ENCRYPTION_KEYS_FROM_ENV": _env("ENCRYPTION_KEYS") is not None,
        "ENCRYPTION_KEYS": split_keys(
            _env("ENCRYPTION_KEYS")
            or _instance_secret(encryption_keys_file(instance_path), lambda: Fernet.generate_key().decode())
        ),
        "ENCRYPTION_KEYS_FILE_STAMP": keys_file_stamp(instance_path),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", f"sqlite:///{instance / 'connector.db'}"),
        "REDIS_URL": _env("REDIS_URL"),
        "HUEY_SQLITE_PATH": str(instance / "jobs.db"),
        "PUBLIC_URL": public_url,
        "APP_NAME": _env("APP_NAME", "Cart Connector"),
        "AMAZON_TARGET": target,
        "SIMULATOR_URL": simulator_url,
        # How fast the simulator's clock runs (it defaults to the speed `connector run` gives the simulator), so
        # the rate limiter spends Amazon's quotas per simulated second. Ignored when talking to real Amazon.
        "SIMULATOR_CLOCK_SPEED": float(_env("SIMULATOR_CLOCK_SPEED", _env("SANDBOX_CLOCK_SPEED", "1"))),
        "AMAZON_ENDPOINTS": amazon_endpoints(target, simulator_url),
        "SPAPI_APPLICATION_ID": _env("SPAPI_APPLICATION_ID", "amzn1.sp.solution.demo-cart-connector"),
        "SPAPI_APP_DRAFT": _flag("SPAPI_APP_DRAFT", True),
        "LWA_CLIENT_ID": _env("LWA_CLIENT_ID", "amzn1.application-oa2-client.democonnector"),
        "LWA_CLIENT_SECRET": _env("LWA_CLIENT_SECRET", "amzn1.oa2-cs.v1.demo-simulator-secret"),
        "LWA_CLIENT_SECRET_CREATED_ON": _env("LWA_CLIENT_SECRET_CREATED_ON"),
        "OPERATOR_EMAIL": _env("OPERATOR_EMAIL"),
        "SMTP_URL": _env("SMTP_URL"),
        "MAIL_FROM": _env("MAIL_FROM", "connector@localhost"),
        "LAUNCH_TOKEN_MAX_AGE": int(_env("LAUNCH_TOKEN_MAX_AGE", "300")),
        "AUTHORIZATION_STATE_MAX_AGE": 600,
        "HTTP_TIMEOUT": float(_env("HTTP_TIMEOUT", "20")),
        "CART_HTTP_TIMEOUT": float(_env("CART_HTTP_TIMEOUT", "15")),
        "INBOUND_LIMITS": _inbound_limits(),
        "PROXY_COUNT": int(_env("PROXY_COUNT", "0")),
        "LOG_RETENTION_DAYS": int(_env("LOG_RETENTION_DAYS", "90")),
        "WEBHOOK_MAX_BYTES": int(_env("WEBHOOK_MAX_BYTES", str(1024 * 1024))),
        "STOCK_MAX_LATENCY": float(_env("STOCK_MAX_LATENCY", "120")),
        "WEBHOOK_DRAIN_DELAY": float(_env("WEBHOOK_DRAIN_DELAY", "3")),
        "JOB_LEASE_SECONDS": float(_env("JOB_LEASE_SECONDS", "120")),
        "SCHEDULER_TICK_SECONDS": int(_env("SCHEDULER_TICK_SECONDS", "60")),
        # The session cookie must survive inside the cart admin's iframe (a third-party context).
        "SESSION_COOKIE_NAME": "connector_session",
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": int(_env("SESSION_LIFETIME", str(8 * 3600))),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_SSL_STRICT": False,  # Referer is stripped in the iframe; the token itself is the proof
    }
    return config


DEFAULT_INBOUND_LIMITS = {
    # name: (tokens per second, burst)
    "webhook_shop": (500.0, 20_000),  # a 10,000-delivery burst for one shop is still accepted
    "webhook_address": (1000.0, 30_000),
    "webhook_refused": (0.5, 60),  # refused deliveries (bad signature, unknown shop) per address
    "launch_address": (0.5, 30),  # admin launches per address
}


def _inbound_limits() -> dict[str, tuple[float, int]]:
    """CONNECTOR_LIMIT_WEBHOOK_SHOP=500/20000 and so on override the defaults."""
    limits = dict(DEFAULT_INBOUND_LIMITS)
    for name in limits:
        raw = _env(f"LIMIT_{name.upper()}")
        if raw:
            rate, _, burst = raw.partition("/")
            try:
                limits[name] = (float(rate), int(burst or rate))
            except ValueError:
                raise ConfigurationError(f"CONNECTOR_LIMIT_{name.upper()} must look like 500/20000") from None
    return limits


def split_keys(raw: str) -> list[str]:
    return [key.strip() for key in raw.replace("\n", ",").split(",") if key.strip()]


def check_production_safety(config: dict) -> None:
    if config["ENV_NAME"] != "production":
        return
    problems = []
    if not config["SECRET_KEY_FROM_ENV"] or len(config["SECRET_KEY"]) < 32:
        problems.append("CONNECTOR_SECRET_KEY must be set to at least 32 random characters")
    if not config["ENCRYPTION_KEYS_FROM_ENV"]:
        problems.append("CONNECTOR_ENCRYPTION_KEYS must be set (generate one with `connector keys generate`)")
    if config["AMAZON_TARGET"] == "amazon" and config["LWA_CLIENT_SECRET"].endswith("demo-simulator-secret"):
        problems.append("CONNECTOR_LWA_CLIENT_SECRET is not set")
    if not config["PUBLIC_URL"].startswith("https://"):
        problems.append("CONNECTOR_PUBLIC_URL must be an https:// URL")
    if problems:
        raise ConfigurationError("Refusing to start in production: " + "; ".join(problems))
