"""The SP-API client: every call waits for its rate-limit slot, retries what is worth retrying, renews an expired
access token once, and fails with an AmazonError that names Amazon's request ID."""
from __future__ import annotations

import logging
import platform
import time
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Callable, Mapping, Protocol

import requests
from flask import current_app

from ..accounts.models import AmazonAccount
from ..clock import utcnow
from . import token_cache
from .errors import AmazonAccessDenied, AmazonConnectionError, error_from_response
from .operations import OPERATIONS, Operation
from .ratelimit import Buckets, buckets_for_app
from .retry import RetryPolicy

logger = logging.getLogger(__name__)

USER_AGENT_LIMIT = 500  # Amazon rejects longer user-agent headers


class SlotNotFree(Exception):
    """The operation's next rate-limit slot is further away than the caller would wait; nothing was sent or
    reserved. `seconds` says when to come back."""

    def __init__(self, operation: str, seconds: float) -> None:
        super().__init__(f"{operation}: the next rate-limit slot is free in {seconds:.1f} s")
        self.operation = operation
        self.seconds = seconds


@dataclass(frozen=True)
class Response:
    status: int
    json: Any
    request_id: str | None
    headers: Mapping[str, str]


class TokenSource(Protocol):
    def get(self) -> str: ...

    def renew(self, stale: str) -> bool:
        """Drop a token Amazon called expired; False when there is no way to get another one."""


class _AccountTokens:
    def __init__(self, account: AmazonAccount) -> None:
        self.account = account

    def get(self) -> str:
        return token_cache.get_access_token(self.account)

    def renew(self, stale: str) -> bool:
        token_cache.invalidate(self.account, stale)
        return True


class _FixedToken:
    """A token fresh from an authorization, before the account row holds the refresh token."""

    def __init__(self, access_token: str) -> None:
        self.access_token = access_token

    def get(self) -> str:
        return self.access_token

    def renew(self, stale: str) -> bool:
        return False


def user_agent(app_name: str) -> str:
    try:
        version = metadata.version("amazon-cart-connector")
    except metadata.PackageNotFoundError:  # running from a checkout
        version = "dev"
    agent = (f"{app_name}/{version} (Language=Python/{platform.python_version()}; "
             f"Platform={platform.system()}/{platform.release()})")
    return agent[:USER_AGENT_LIMIT]


class SPAPIClient:
    def __init__(
        self,
        region: str,
        selling_partner_id: str,
        tokens: TokenSource,
        *,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy | None = None,
        buckets: Buckets | None = None,
        operations: Mapping[str, Operation] = OPERATIONS,
        http: requests.Session | None = None,
    ) -> None:
        config = current_app.config
        self.region = region
        self.selling_partner_id = selling_partner_id
        self.tokens = tokens
        self.sleep = sleep
        self.retry = retry or RetryPolicy.from_config(config, sleep=sleep)
        self.buckets = buckets or buckets_for_app()
        self.operations = operations
        self.http = http or requests.Session()
        self.base_url = config["AMAZON_ENDPOINTS"].spapi[region]
        self.timeout = float(config["HTTP_TIMEOUT"])
        self.user_agent = user_agent(config["APP_NAME"])

    @classmethod
    def for_account(cls, account: AmazonAccount, **options: Any) -> SPAPIClient:
        """A client whose access tokens come from the account's cached and refreshed tokens."""
        return cls(account.region, account.selling_partner_id or f"account-{account.id}", _AccountTokens(account),
                   **options)

    @classmethod
    def with_access_token(cls, region: str, selling_partner_id: str, access_token: str,
                          **options: Any) -> SPAPIClient:
        return cls(region, selling_partner_id, _FixedToken(access_token), **options)

    def call(self, operation: str, path_params: Mapping[str, Any] | None = None,
             params: Mapping[str, Any] | None = None, json: Any = None, *,
             max_wait: float | None = None) -> Response:
        """Call the operation; with `max_wait`, raise SlotNotFree instead of waiting longer for a rate-limit slot."""
        op = self.operations[operation]
        url = self.base_url + op.render_path(path_params or {})
        query = {key: ",".join(map(str, value)) if isinstance(value, (list, tuple)) else value
                 for key, value in (params or {}).items()}
        renewed = False

        def attempt(number: int) -> Response:
            nonlocal renewed
            self._wait_for_slot(op, max_wait)
            token = self.tokens.get()
            try:
                return self._send(op, url, token, query, json, number)
            except AmazonAccessDenied as error:
                # Tokens can die before their hour is up (clock skew, a revoked authorization): renew once, not
                # forever. If the authorization behind it is gone, the renewal itself says so (invalid_grant).
                if renewed or not error.access_token_rejected or not self.tokens.renew(token):
                    raise
                renewed = True
                logger.info("%s: access token refused (request id %s); renewing it once", op.name, error.request_id)
                self._wait_for_slot(op, max_wait)
                return self._send(op, url, self.tokens.get(), query, json, number)

        return self.retry.run(attempt)

    def get_marketplace_participations(self) -> tuple[list[dict], str | None]:
        """The marketplaces the seller takes part in, and the request ID of the answer."""
        response = self.call("getMarketplaceParticipations")
        return list((response.json or {}).get("payload") or []), response.request_id

    def _wait_for_slot(self, op: Operation, max_wait: float | None) -> None:
        wait = self.buckets.acquire(f"{self.selling_partner_id}:{op.name}", op.rate, op.burst, max_wait)
        if max_wait is not None and wait > max_wait:
            raise SlotNotFree(op.name, wait)
        if wait > 0:
            logger.info("%s: waiting %.2f s for a rate-limit slot", op.name, wait)
            self.sleep(wait)

    def _send(self, op: Operation, url: str, token: str, query: Mapping[str, Any], body: Any,
              attempt: int) -> Response:
        headers = {
            "x-amz-access-token": token,
            "user-agent": self.user_agent,
            "x-amz-date": utcnow().strftime("%Y%m%dT%H%M%SZ"),
            "accept": "application/json",
        }
        try:
            response = self.http.request(op.method, url, params=query, json=body, headers=headers,
                                         timeout=self.timeout)
        except requests.RequestException as error:
            logger.warning("%s attempt %d: no answer from Amazon (%s)", op.name, attempt, type(error).__name__)
            raise AmazonConnectionError(f"{op.name} got no answer ({type(error).__name__})") from error
        request_id = response.headers.get("x-amzn-RequestId")
        logger.info("%s attempt %d: HTTP %s (request id %s)", op.name, attempt, response.status_code, request_id)
        if not response.ok:
            raise error_from_response(response)
        try:
            payload = response.json() if response.content else None
        except ValueError:
            payload = response.text
        return Response(response.status_code, payload, request_id, response.headers)
