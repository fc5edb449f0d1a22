"""The peer figure of the order import benchmark: a naive loop that asks for each page as soon as the previous one
returned and, when Amazon answers 429, pauses one simulated second and asks again."""
from __future__ import annotations

import time
from datetime import timedelta

import requests

SIMULATED_PAUSE = 1.0  # seconds of the simulator's clock between a 429 and the next try


class NaivePeer:
    def __init__(self, sim, seller: str, marketplaces: list[str], days: float) -> None:
        self.sim = sim
        self.seller = seller
        self.marketplaces = marketplaces
        self.days = days
        self.orders_seen = 0
        self.renewals = 0
        self.seconds = 0.0

    def run(self) -> None:
        state = self.sim.state
        state.issue_code(self.seller, "http://connector.test/amazon/authorize/callback")
        session = requests.Session()
        url = f"{self.sim.url}/sp-api/na/orders/2026-01-01/orders"
        after = (state.now() - timedelta(days=self.days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        params = {"lastUpdatedAfter": after, "fulfillmentStatuses": "UNSHIPPED,PARTIALLY_SHIPPED",
                  "marketplaceIds": ",".join(self.marketplaces), "fulfilledBy": "MERCHANT", "maxResultsPerPage": 100}
        token, started = None, time.monotonic()
        access = state.issue_access_token(self.seller)
        while True:
            page = session.get(url, params={**params, **({"paginationToken": token} if token else {})},
                               headers={"x-amz-access-token": access}, timeout=30)
            if page.status_code == 403:
                access = state.issue_access_token(self.seller)
                self.renewals += 1
                continue
            if page.status_code == 429:
                time.sleep(SIMULATED_PAUSE / max(state.clock.speed, 1e-9))
                continue
            page.raise_for_status()
            body = page.json()
            self.orders_seen += len(body["orders"])
            token = (body.get("pagination") or {}).get("nextToken")
            if not token:
                break
        self.seconds = time.monotonic() - started
