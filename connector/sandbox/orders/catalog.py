"""What simulated orders are made of: products behind SKUs, buyers and their addresses, money, Amazon's identifiers.

A SKU always maps to the same ASIN, title and price, so repeated orders of one SKU look like one listing.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ...amazon.marketplaces import BY_ID
from ..spapi import domain_suffix

DEMO_SKUS: tuple[str, ...] = tuple(f"DEMO-SKU-{n:03d}" for n in range(1, 41))

_NOUNS = ("Cutting Board", "Water Bottle", "Desk Lamp", "Phone Stand", "Yoga Mat", "Tea Kettle", "Notebook Set",
          "Travel Mug", "Plant Pot", "Wall Clock", "Bike Light", "Cable Organizer", "Wool Socks", "Backpack")
_ADJECTIVES = ("Bamboo", "Stainless", "Compact", "Classic", "Foldable", "Recycled", "Premium", "Everyday")

# Rough exchange rates from a US-dollar list price; zero-decimal currencies are rounded to whole units.
_PER_USD = {"USD": "1", "CAD": "1.35", "MXN": "17.5", "BRL": "5", "GBP": "0.8", "EUR": "0.92", "SEK": "10.5",
            "PLN": "4", "TRY": "32", "AED": "3.67", "SAR": "3.75", "EGP": "48", "ZAR": "18.5", "INR": "83",
            "JPY": "150", "AUD": "1.5", "SGD": "1.35"}
_ZERO_DECIMALS = {"JPY"}

# First group of the 3-7-7 order id by country, as real orders start (e.g. 111- in the US, 028- in Germany).
_ORDER_PREFIXES = {"US": ("111", "112", "113", "114"), "CA": ("701", "702"), "MX": ("701", "702"),
                   "GB": ("202", "203", "204", "026"), "DE": ("028", "302", "303", "304"), "FR": ("402", "403", "404"),
                   "IT": ("405", "406", "407"), "ES": ("406", "407", "408"), "JP": ("249", "250", "503")}

_PEOPLE = {
    "US": [("Jane Miller", "123 Pine Street", "Seattle", "WA", "98101"),
           ("Carlos Ramirez", "4021 Elm Avenue Apt 5", "Austin", "TX", "78704")],
    "CA": [("Émilie Tremblay", "88 Rue Sainte-Catherine", "Montréal", "QC", "H2X 1K4"),
           ("Liam Wilson", "250 King Street W", "Toronto", "ON", "M5V 3J1")],
    "MX": [("Sofía Hernández", "Av. Reforma 222", "Ciudad de México", "CDMX", "06600")],
    "GB": [("Sarah Thompson", "45 Oak Avenue", "London", "England", "SW1A 1AA"),
           ("Owen Davies", "12 Castle Street", "Cardiff", "Wales", "CF10 1BS")],
    "DE": [("Lena Schmidt", "Hauptstraße 12", "Berlin", "Berlin", "10115"),
           ("Jonas Weber", "Marienplatz 3", "München", "Bayern", "80331")],
    "FR": [("Camille Martin", "10 Rue de Rivoli", "Paris", "Île-de-France", "75001")],
    "IT": [("Giulia Rossi", "Via Roma 15", "Milano", "MI", "20121")],
    "ES": [("Lucía García", "Calle Mayor 7", "Madrid", "Madrid", "28013")],
    "JP": [("山田 花子", "渋谷2-1-1", "渋谷区", "東京都", "150-0002")],
}
_GENERIC_PERSON = ("Alex Example", "1 Market Square", "Capital City", "", "10000")


@dataclass(frozen=True)
class Product:
    sku: str
    asin: str
    title: str
    usd_price: Decimal


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def product(sku: str) -> Product:
    digest = _digest(sku)
    asin = "B0" + "".join("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[b % 36] for b in digest[:8])
    title = f"{_ADJECTIVES[digest[8] % len(_ADJECTIVES)]} {_NOUNS[digest[9] % len(_NOUNS)]}"
    usd_price = Decimal(8 + digest[10] % 60) + Decimal("0.99")
    return Product(sku, asin, title, usd_price)


def currency_of(marketplace_id: str) -> str:
    return BY_ID[marketplace_id].currency


def country_of(marketplace_id: str) -> str:
    return BY_ID[marketplace_id].country


def marketplace_name(marketplace_id: str) -> str:
    return f"Amazon.{domain_suffix(country_of(marketplace_id))}"


def quantize(amount: Decimal, currency: str) -> Decimal:
    step = Decimal("1") if currency in _ZERO_DECIMALS else Decimal("0.01")
    return amount.quantize(step, rounding=ROUND_HALF_UP)


def price_in(usd_amount: Decimal, currency: str) -> Decimal:
    return quantize(usd_amount * Decimal(_PER_USD.get(currency, "1")), currency)


def money(amount: Decimal, currency: str) -> dict:
    return {"amount": str(quantize(amount, currency)), "currencyCode": currency}


def order_id(rng: random.Random, marketplace_id: str) -> str:
    prefix = rng.choice(_ORDER_PREFIXES.get(country_of(marketplace_id), ("171",)))
    return f"{prefix}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"


def order_item_id(rng: random.Random) -> str:
    return f"{rng.randrange(10**13, 10**14)}"


def buyer_and_address(rng: random.Random, marketplace_id: str) -> tuple[dict, dict]:
    """A buyer and the delivery address, as Amazon's CustomerAddress names the fields."""
    country = country_of(marketplace_id)
    name, line1, city, region, postal_code = rng.choice(_PEOPLE.get(country, [_GENERIC_PERSON]))
    buyer = {"buyerName": name,
             "buyerEmail": f"{rng.randrange(16**12):012x}@marketplace.amazon.{domain_suffix(country)}"}
    address = {"name": name, "addressLine1": line1, "city": city, "stateOrRegion": region, "postalCode": postal_code,
               "countryCode": country, "phone": f"+{rng.randrange(10**9, 10**10)}", "addressType": "RESIDENTIAL"}
    return buyer, {key: value for key, value in address.items() if value}
