"""The rules that turn the cart's stock and price into Amazon's, as pure functions."""
from __future__ import annotations

from decimal import Decimal

from connector.stock.models import ListingRules
from connector.stock.rules import Rules

US, JP = "ATVPDKIKX0DER", "A1VC38T7YXB528"


def test_quantity_rules():
    rules = Rules(currency="USD", stock_buffer=2, max_quantity=10, out_of_stock_threshold=3, untracked_quantity=5)
    assert [rules.quantity(q, True) for q in (-4, 0, 3, 4, 6, 50)] == [0, 0, 0, 2, 4, 10]
    assert rules.quantity(None, True) == 5 and rules.quantity(None, False) == 0  # the cart does not count stock
    assert rules.quantity(None, True, known=False) is None  # the cart never said
    assert rules.quantity(20, True, deleted=True) == 0
    assert Rules(currency="USD").quantity(None, True) is None  # nothing set for uncounted stock: nothing sent


def test_price_rules():
    rules = Rules(currency="USD", markup_percent=Decimal("10"), markup_fixed=Decimal("1.00"),
                  price_ending=Decimal("0.99"))
    assert rules.price(Decimal("19.00"), "USD") == (Decimal("21.99"), None)  # 19 × 1.1 + 1 = 21.90 → 21.99
    assert rules.price(Decimal("19.08"), None) == (Decimal("21.99"), None)  # 21.988 is 21.99 already
    assert rules.price(Decimal("19.10"), None) == (Decimal("22.99"), None)  # 22.01 → up to the next .99
    assert Rules(currency="USD").price(Decimal("19.995"), None) == (Decimal("20.00"), None)
    assert Rules(currency="USD", price_ending=Decimal("0.99")).price(Decimal("22.00"), None)[0] == Decimal("22.99")
    assert Rules(currency="USD").price(None, None) == (None, None)
    price, problem = Rules(currency="USD").price(Decimal("10"), "EUR")
    assert price is None and "exchange rate" in problem
    converted = Rules(currency="JPY", exchange_rate=Decimal("151.2")).price(Decimal("10.00"), "USD")
    assert converted == (Decimal("1512"), None)  # yen have no cents
    assert Rules(currency="USD", markup_fixed=Decimal("-20")).price(Decimal("10"), None)[0] is None


def test_rules_rows_default_to_the_marketplace():
    assert Rules.of(None, JP).currency == "JPY"
    row = ListingRules(account_id=1, marketplace_id=US, stock_buffer=1, out_of_stock_threshold=0,
                       markup_percent=Decimal("5"), markup_fixed=Decimal("0"), currency=None)
    assert Rules.of(row, US) == Rules(currency="USD", stock_buffer=1, markup_percent=Decimal("5"))
