"""searchOrders pagination: a token stands for the rest of a result set frozen when its first page was asked for,
so paging never skips or repeats an order while orders keep changing. Tokens expire after 24 hours."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import InvalidInput

TOKEN_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class Snapshot:
    seller_id: str
    filters: object  # the search parameters every later page must repeat
    order_ids: tuple[str, ...]
    bound: datetime  # the createdBefore / lastUpdatedBefore the search used


@dataclass(frozen=True)
class PageToken:
    snapshot: Snapshot
    offset: int
    expires_at: datetime


class PageStore:
    def __init__(self) -> None:
        self._tokens: dict[str, PageToken] = {}

    def issue(self, snapshot: Snapshot, offset: int, now: datetime) -> str:
        self._tokens = {token: page for token, page in self._tokens.items() if page.expires_at > now}
        token = secrets.token_urlsafe(24)
        self._tokens[token] = PageToken(snapshot, offset, now + TOKEN_LIFETIME)
        return token

    def redeem(self, token: str, seller_id: str, filters: object, now: datetime) -> PageToken:
        """The page a token stands for; the same token may be asked again (a retry gets the same page)."""
        page = self._tokens.get(token)
        if page is None or page.snapshot.seller_id != seller_id:
            raise InvalidInput("paginationToken is not valid. Use the nextToken of the previous page.")
        if page.expires_at <= now:
            raise InvalidInput("paginationToken has expired (tokens are valid for 24 hours). Start the search again "
                               "without it.")
        if page.snapshot.filters != filters:
            raise InvalidInput("paginationToken was issued for a search with other parameters. Repeat the original "
                               "parameters unchanged; only maxResultsPerPage and includedData may change.")
        return page
