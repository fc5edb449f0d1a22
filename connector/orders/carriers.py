"""Carrier names as carts write them, mapped to Amazon's carrier codes (matched exactly by Amazon: "PUROLATOR" is
not "Purolator"). Built-in names cover the usual carriers and the slugs of WooCommerce Shipment Tracking; each shop
adds or overrides entries in its carrier table. A carrier nobody mapped goes as "Other" with its name."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from .models import CarrierMapping

OTHER = "Other"
AMAZON_CARRIER_CODES = (
    "USPS", "UPS", "UPS Mail Innovations", "FedEx", "FedEx SmartPost", "OnTrac", "DHL", "DHL Express",
    "DHL eCommerce", "Amazon Shipping", "Canada Post", "Purolator", "Estafeta", "Royal Mail", "Parcelforce", "Yodel",
    "Evri", "Deutsche Post", "Hermes", "DPD", "GLS", "UPS Germany", "La Poste", "Colissimo", "Chronopost",
    "Poste Italiane", "BRT", "Correos", "SEUR", "Japan Post", "Yamato Transport", "Sagawa Express", "Australia Post",
    OTHER,
)
_BUILT_IN = {
    "united states postal service": "USPS", "usps": "USPS", "ups": "UPS", "united parcel service": "UPS",
    "fedex": "FedEx", "federal express": "FedEx", "fedex smartpost": "FedEx SmartPost", "ontrac": "OnTrac",
    "dhl": "DHL", "dhl us": "DHL", "dhl express": "DHL Express", "dhl ecommerce": "DHL eCommerce",
    "amazon shipping": "Amazon Shipping", "canada post": "Canada Post", "purolator": "Purolator",
    "royal mail": "Royal Mail", "parcelforce": "Parcelforce", "parcel force": "Parcelforce", "yodel": "Yodel",
    "evri": "Evri", "hermes uk": "Evri", "deutsche post": "Deutsche Post", "dhl paket": "DHL", "hermes": "Hermes",
    "dpd": "DPD", "dpd uk": "DPD", "dpd de": "DPD", "gls": "GLS", "la poste": "La Poste", "colissimo": "Colissimo",
    "chronopost": "Chronopost", "poste italiane": "Poste Italiane", "brt": "BRT", "correos": "Correos",
    "seur": "SEUR", "japan post": "Japan Post", "yamato": "Yamato Transport", "yamato transport": "Yamato Transport",
    "sagawa": "Sagawa Express", "australia post": "Australia Post", "estafeta": "Estafeta",
}


def normalise(name: str) -> str:
    """"DHL-eCommerce", "dhl_ecommerce" and "DHL  eCommerce" are one carrier."""
    return re.sub(r"[\s_\-]+", " ", name).strip().lower()


@dataclass(frozen=True)
class AmazonCarrier:
    code: str
    name: str | None  # carrierName, only with "Other"

    @property
    def label(self) -> str:
        return f"{self.code} ({self.name})" if self.name else self.code


@dataclass(frozen=True)
class CarrierRow:
    cart_name: str
    amazon_code: str
    amazon_name: str | None
    shop_entry_id: int | None  # None for a built-in entry


def amazon_carrier(shop_id: int, cart_carrier: str) -> AmazonCarrier:
    key = normalise(cart_carrier)
    entry = db.session.scalar(select(CarrierMapping).where(CarrierMapping.shop_id == shop_id,
                                                           CarrierMapping.cart_name == key))
    if entry is not None:
        return AmazonCarrier(entry.amazon_code, entry.amazon_name or (cart_carrier if entry.amazon_code == OTHER
                                                                      else None))
    code = _BUILT_IN.get(key) or next((code for code in AMAZON_CARRIER_CODES if code.lower() == key), None)
    if code is None or code == OTHER:
        return AmazonCarrier(OTHER, cart_carrier.strip() or "Unknown carrier")
    return AmazonCarrier(code, None)


def carrier_table(shop_id: int) -> list[CarrierRow]:
    """The shop's entries first, then the built-in ones they do not override."""
    own = db.session.scalars(select(CarrierMapping).where(CarrierMapping.shop_id == shop_id)
                             .order_by(CarrierMapping.cart_name)).all()
    rows = [CarrierRow(entry.cart_name, entry.amazon_code, entry.amazon_name, entry.id) for entry in own]
    overridden = {entry.cart_name for entry in own}
    rows += [CarrierRow(name, code, None, None) for name, code in sorted(_BUILT_IN.items()) if name not in overridden]
    return rows


class CarrierInvalid(ValueError):
    pass


def save_entry(shop_id: int, cart_name: str, amazon_code: str, amazon_name: str | None) -> CarrierMapping:
    key = normalise(cart_name)
    if not key:
        raise CarrierInvalid("Enter the carrier name as your cart writes it.")
    if amazon_code not in AMAZON_CARRIER_CODES:
        raise CarrierInvalid(f"{amazon_code!r} is not one of Amazon's carrier codes.")
    entry = db.session.scalar(select(CarrierMapping).where(CarrierMapping.shop_id == shop_id,
                                                           CarrierMapping.cart_name == key))
    if entry is None:
        entry = CarrierMapping(shop_id=shop_id, cart_name=key)
        db.session.add(entry)
    entry.amazon_code = amazon_code
    entry.amazon_name = ((amazon_name or "").strip() or None) if amazon_code == OTHER else None
    db.session.commit()
    return entry


def delete_entry(shop_id: int, entry_id: int) -> CarrierMapping | None:
    entry = db.session.scalar(select(CarrierMapping).where(CarrierMapping.shop_id == shop_id,
                                                           CarrierMapping.id == entry_id))
    if entry is not None:
        db.session.delete(entry)
        db.session.commit()
    return entry
