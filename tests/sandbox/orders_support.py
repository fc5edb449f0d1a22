"""What the order tests share: the simulator seen as one seller's SP-API client, on a frozen clock that only the
test moves, and validation against Amazon's official Orders models."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import jsonschema
import pytest
import requests

from connector.sandbox.orders.factory import ItemSpec
from connector.sandbox.orders.model import SimOrder
from connector.sandbox.orders.world import OrderWorld
from connector.sandbox.state import SandboxState
from helpers import AMAZON_MODELS_DIR

SELLER = "A1DEMOSELLERNA"
OTHER_SELLER = "A4OTHERSELLERNA"
US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"
ORDERS_2026 = "orders-api-model/orders_2026-01-01.json"
ORDERS_V0 = "orders-api-model/ordersV0.json"
ALL_DATA = "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,CANCELLATION,PACKAGES"


@cache
def _definitions(model: str) -> dict:
    return json.loads((AMAZON_MODELS_DIR / "models" / model).read_text())["definitions"]


def assert_valid(model: str, definition: str, instance: object) -> None:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": _definitions(model)}
    jsonschema.Draft4Validator(schema).validate(instance)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Amazon:
    url: str
    state: SandboxState
    seller: str
    token: str

    @property
    def world(self) -> OrderWorld:
        return self.state.orders

    def now(self) -> datetime:
        return self.state.now()

    def advance(self, **delta: float) -> None:
        """Move the clock, renewing the access token as a client would when it expires meanwhile."""
        self.state.advance_clock(timedelta(**delta).total_seconds())
        self.token = self.state.issue_access_token(self.seller)

    def _get(self, path: str, params: dict) -> requests.Response:
        return requests.get(f"{self.url}/sp-api/na{path}", params=params, timeout=10,
                            headers={"x-amz-access-token": self.token})

    def search(self, **params: object) -> requests.Response:
        return self._get("/orders/2026-01-01/orders", params)

    def search_ok(self, **params: object) -> dict:
        response = self.search(**params)
        assert response.status_code == 200, response.text
        assert_valid(ORDERS_2026, "SearchOrdersResponse", response.json())
        return response.json()

    def get_order(self, order_id: str, **params: object) -> requests.Response:
        return self._get(f"/orders/2026-01-01/orders/{order_id}", params)

    def confirm(self, order_id: str, body: object) -> requests.Response:
        return requests.post(f"{self.url}/sp-api/na/orders/v0/orders/{order_id}/shipmentConfirmation", json=body,
                             headers={"x-amz-access-token": self.token}, timeout=10)

    def order(self, skus: tuple[str, ...] = ("SKU-A",), **options: object) -> SimOrder:
        return self.world.create(self.seller, [ItemSpec(sku) for sku in skus], **options)


def signed_in(url: str, state: SandboxState, seller: str = SELLER) -> Amazon:
    """The simulator as `seller` calls it once it has authorized the app."""
    state.issue_code(seller, "http://connector.test/amazon/authorize/callback")
    return Amazon(url, state, seller, state.issue_access_token(seller))


@pytest.fixture
def amazon(sandbox) -> Amazon:
    sandbox.reset()
    sandbox.state.set_clock_speed(0)
    return signed_in(sandbox.url, sandbox.state)


def ids(body: dict) -> list[str]:
    return [order["orderId"] for order in body["orders"]]
