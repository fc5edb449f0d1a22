"""Generic carts: Standard Webhooks signed stock and price events, one item or a batch of them."""
from __future__ import annotations

import pytest
from hostwebhooks import generic
from stockhelpers import connect_account, listing, on_amazon, push_and_settle, seed, US

from connector.extensions import db
from connector.webhooks.models import DeliveryStatus, WebhookDelivery


@pytest.fixture
def account(app, sandbox, feeds, generic_shop):
    seed(sandbox, US, *({"sku": f"GEN-{n}", "quantity": 0, "price": "5.00"} for n in range(1, 4)))
    return connect_account(sandbox, generic_shop)


def test_single_and_batched_events(app, sandbox, generic_shop, account):
    client = app.test_client()
    response = generic(client, generic_shop, "product.updated",
                       {"sku": "GEN-1", "quantity": 7, "price": "12.50", "currency": "USD",
                        "updated_at": "2026-05-01T10:00:00Z"})
    assert response.json["status"] == "accepted"
    generic(client, generic_shop, "stock.updated", [
        {"sku": "GEN-2", "quantity": 3, "updated_at": "2026-05-01T10:00:00Z"},
        {"sku": "GEN-3", "quantity": 0, "updated_at": "2026-05-01T10:00:00Z"},
    ])
    generic(client, generic_shop, "price.updated", [{"sku": "GEN-2", "price": 8, "updated_at": "2026-05-01T10:00:01Z"}])
    # Older than what we hold: refused, field by field.
    generic(client, generic_shop, "stock.updated",
            {"sku": "GEN-1", "quantity": 99, "updated_at": "2026-05-01T09:00:00Z"})
    push_and_settle(sandbox, account.id)
    assert [(on_amazon(sandbox, f"GEN-{n}")["quantity"], on_amazon(sandbox, f"GEN-{n}")["price"]) for n in (1, 2, 3)] \
        == [(7, "12.50"), (3, "8.00"), (0, "5.00")]


def test_a_bad_item_fails_its_delivery_and_applies_nothing(app, generic_shop, account):
    client = app.test_client()
    generic(client, generic_shop, "stock.updated", [{"sku": "GEN-1", "quantity": 4},
                                                     {"sku": "GEN-2", "quantity": "many"}])
    delivery = db.session.query(WebhookDelivery).one()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert "quantity of GEN-2 must be a whole number" in delivery.problem
    assert "Nothing of this delivery was applied" in delivery.problem
    assert listing(account.id, "GEN-1") is None


def test_a_price_in_another_currency_is_not_sent(app, sandbox, generic_shop, account):
    generic(app.test_client(), generic_shop, "product.updated", {"sku": "GEN-1", "quantity": 2, "price": "9.00",
                                                                "currency": "EUR"})
    state = listing(account.id, "GEN-1")
    assert (state.desired_quantity, state.desired_price) == (2, None)
    from connector.synclog.models import LogEntry
    assert db.session.query(LogEntry).filter(LogEntry.message.contains("price is in EUR")).count() == 1
