"""Rules per account and marketplace: how the cart's stock and price become what Amazon shows. Pure functions,
so the admin page can preview them and tests can check them without a database."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from ..amazon.marketplaces import BY_ID
from .models import ListingRules

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})  # Amazon's marketplaces' currencies without minor units


@dataclass(frozen=True)
class Rules:
    currency: str  # what Amazon gets prices in (the marketplace's currency unless set)
    stock_buffer: int = 0  # held back from Amazon
    max_quantity: int | None = None  # never more than this
    out_of_stock_threshold: int = 0  # a cart quantity at or below this is sent as 0
    untracked_quantity: int | None = None  # sent for in-stock products whose stock the cart does not count
    markup_percent: Decimal = Decimal("0")
    markup_fixed: Decimal = Decimal("0")
    price_ending: Decimal | None = None  # round up to end in this (0.99: 21.37 becomes 21.99)
    exchange_rate: Decimal | None = None  # cart prices are multiplied by it when the cart uses another currency

    @classmethod
    def of(cls, row: ListingRules | None, marketplace_id: str) -> Rules:
        marketplace_currency = BY_ID[marketplace_id].currency
        if row is None:
            return cls(currency=marketplace_currency)
        return cls(
            currency=row.currency or marketplace_currency, stock_buffer=row.stock_buffer or 0,
            max_quantity=row.max_quantity, out_of_stock_threshold=row.out_of_stock_threshold or 0,
            untracked_quantity=row.untracked_quantity, markup_percent=Decimal(row.markup_percent or 0),
            markup_fixed=Decimal(row.markup_fixed or 0),
            price_ending=None if row.price_ending is None else Decimal(row.price_ending),
            exchange_rate=None if row.exchange_rate is None else Decimal(row.exchange_rate),
        )

    def quantity(self, quantity: int | None, in_stock: bool, known: bool = True, deleted: bool = False) -> int | None:
        """The quantity Amazon should show; None when there is nothing to send (the cart never told us, or it does
        not count stock and no quantity is set for that case)."""
        if deleted:
            return 0
        if not known:
            return None
        if quantity is None:
            return self.untracked_quantity if in_stock else 0
        if quantity <= self.out_of_stock_threshold:
            return 0
        sent = max(quantity - self.stock_buffer, 0)
        return sent if self.max_quantity is None else min(sent, self.max_quantity)

    def price(self, price: Decimal | None, cart_currency: str | None) -> tuple[Decimal | None, str | None]:
        """(the price Amazon should show, or None; a problem the shop owner must solve, or None)."""
        if price is None:
            return None, None
        if self.exchange_rate is not None:
            price = price * self.exchange_rate
        elif cart_currency and cart_currency != self.currency:
            return None, (f"the cart's price is in {cart_currency} but Amazon gets {self.currency}: set an exchange "
                          "rate in the rules")
        exponent = Decimal("1") if self.currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
        price = (price * (1 + self.markup_percent / 100) + self.markup_fixed).quantize(exponent, ROUND_HALF_UP)
        if self.price_ending is not None:
            price = ((price - self.price_ending).to_integral_value(ROUND_CEILING) + self.price_ending).quantize(
                exponent, ROUND_HALF_UP)  # yen have no cents: an ending of .99 rounds to the next yen
        if price <= 0:
            return None, f"the price after the rules is {price}, not above zero"
        return price, None
