"""Login with Amazon: turning an authorization code or a refresh token into an access token.

authlib builds and authenticates the token requests. Its errors carry neither the HTTP status nor Amazon's request
ID, so a compliance hook looks at every token response first and raises our own error for a failed one.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app

from ..clock import utcnow
from .errors import LWAError, LWAUnavailable, error_from_response

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenGrant:
    # Tokens stay out of repr so a logged or printed grant reveals nothing.
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    request_id: str | None = None


def exchange_code(code: str, redirect_uri: str | None) -> TokenGrant:
    """Exchange an spapi_oauth_code (valid 5 minutes, single use) for a refresh and an access token."""
    return _request_token(lambda session, timeout: session.fetch_token(
        _token_url(), grant_type="authorization_code", code=code, redirect_uri=redirect_uri, timeout=timeout,
    ), "authorization_code")


def refresh_access_token(refresh_token: str) -> TokenGrant:
    """A fresh one-hour access token for a stored refresh token."""
    return _request_token(lambda session, timeout: session.refresh_token(
        _token_url(), refresh_token=refresh_token, timeout=timeout,
    ), "refresh_token")


def _token_url() -> str:
    return current_app.config["AMAZON_ENDPOINTS"].token_url


def _request_token(send: Callable[[OAuth2Session, float], dict], grant_type: str) -> TokenGrant:
    request_ids: list[str | None] = []

    def inspect(response: requests.Response) -> requests.Response:
        request_ids.append(response.headers.get("x-amzn-RequestId"))
        if not response.ok:
            raise error_from_response(response, token_endpoint=True)
        return response

    config = current_app.config
    with OAuth2Session(
        client_id=config["LWA_CLIENT_ID"],
        client_secret=config["LWA_CLIENT_SECRET"],
        token_endpoint_auth_method="client_secret_post",
    ) as session:
        session.register_compliance_hook("access_token_response", inspect)
        session.register_compliance_hook("refresh_token_response", inspect)
        try:
            token = send(session, config["HTTP_TIMEOUT"])
        except LWAError as error:
            logger.warning("LWA %s grant failed: %s", grant_type, error)
            raise
        except requests.RequestException as error:
            logger.warning("LWA token endpoint unreachable (%s grant): %s", grant_type, type(error).__name__)
            raise LWAUnavailable(f"the token endpoint could not be reached ({type(error).__name__})") from error
        except OAuthError as error:
            # A 200 whose JSON still says "error": rare, but authlib reports it this way.
            raise LWAError(error.description or error.error, code=error.error,
                           request_id=request_ids[-1] if request_ids else None) from error
        except ValueError as error:
            raise LWAUnavailable("the token endpoint answered with something that is not a token",
                                 request_id=request_ids[-1] if request_ids else None) from error
    request_id = request_ids[-1] if request_ids else None
    if not token.get("access_token"):
        raise LWAError("the token endpoint answered without an access token", request_id=request_id)
    logger.info("LWA %s grant succeeded (request id %s)", grant_type, request_id)
    return TokenGrant(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token") or "",
        # Our clock, not authlib's expires_at: tests move connector.clock to make tokens age.
        expires_at=utcnow() + timedelta(seconds=int(token.get("expires_in") or 3600)),
        request_id=request_id,
    )
