"""The one admin form that takes a page to go back to (an order's Retry, from the orders list): only our own admin
pages; anything else goes back to the account's orders, never to another site."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from connector.extensions import db
from connector.jobs.registry import enqueue
from connector.orders.models import ImportedOrder
from helpers import csrf_from, launch

sys.path.append(str(Path(__file__).resolve().parent.parent / "orders"))
from fakeorders import WooCommerceWithOrders  # noqa: E402
from orderhelpers import Amazon, connect_account, woo_shop  # noqa: E402


@pytest.fixture
def waiting_order(app, sandbox):
    sandbox.state.set_clock_speed(0)
    amazon = Amazon(sandbox.state)
    woo = WooCommerceWithOrders()
    woo.add_product("SKU-A")
    woo.misbehave.down = True
    shop = woo_shop(woo)
    account = connect_account(shop, sandbox.state)
    amazon.order("SKU-A")
    amazon.settle()
    enqueue("orders.import", account.id)
    yield shop, db.session.query(ImportedOrder).one()
    woo.stop()


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/admin/", "/\\evil.example", "javascript:alert(1)", "admin/orders",
    "/admin.evil.example", " /admin/orders", "https://connector.test.evil.example/admin/",
])
def test_retry_never_sends_the_owner_to_another_site(app, waiting_order, target):
    shop, order = waiting_order
    admin = launch(app.test_client(), shop)
    page = admin.get("/admin/orders").get_data(as_text=True)
    answer = admin.post(f"/admin/orders/{order.id}/retry", data={"csrf_token": csrf_from(page), "next": target})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("/admin/") or location.startswith("http://connector.test/admin/"), location
    assert "evil" not in location


def test_retry_goes_back_to_the_admin_page_it_came_from(app, waiting_order):
    shop, order = waiting_order
    admin = launch(app.test_client(), shop)
    page = admin.get("/admin/orders").get_data(as_text=True)
    answer = admin.post(f"/admin/orders/{order.id}/retry",
                        data={"csrf_token": csrf_from(page), "next": "/admin/orders?state=pending"})
    assert answer.headers["Location"].endswith("/admin/orders?state=pending")
