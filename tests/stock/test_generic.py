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


def test_a_batch_larger_than_one_bulk_statement_is_recorded_whole(app, generic_shop, account, monkeypatch):
    """Rows go to the database in several bulk statements; SKUs with quotes, backslashes, commas, braces and
    non-ASCII letters arrive exactly, with their quantities, prices and times."""
    from connector.stock import derive, sql
    from connector.stock.models import HostItem
    from connector.stories.models import SkuTouch

    monkeypatch.setattr(sql, "ROWS_PER_BULK_STATEMENT", 4)
    monkeypatch.setattr(derive, "ROWS_PER_BULK_STATEMENT", 4)
    skus = [f"ODD-{n}" for n in range(1, 8)] + ['Q"UOTE', "BACK\\SLASH", "A,B", "{BRACE}", "NULL", "Größe-ß", "x y"]
    items = [{"sku": sku, "quantity": number if number % 3 else None, "in_stock": number % 2 == 0,
              "price": f"{number}.05", "currency": "USD", "updated_at": f"2026-05-01T10:00:{number:02d}+02:00"}
             for number, sku in enumerate(skus, start=1)]
    assert generic(app.test_client(), generic_shop, "product.updated", items).json["status"] == "accepted"
    held = {item.sku: item for item in db.session.query(HostItem)}
    assert sorted(held) == sorted(skus)
    for number, sku in enumerate(skus, start=1):
        item, state = held[sku], listing(account.id, sku)
        assert (item.quantity, item.in_stock) == (number if number % 3 else None, number % 2 == 0)
        assert str(item.regular_price.normalize()) == f"{number}.05"
        assert item.quantity_at.isoformat() == f"2026-05-01T08:00:{number:02d}+00:00"
        assert state is not None and state.pending and str(state.desired_price) == f"{number}.05"
    assert sorted(touch.sku for touch in db.session.query(SkuTouch)) == sorted(skus)
