"""Amazon's marketplaces and regions (../shared/reference/amazon-sp-api.md, section 2)."""
from __future__ import annotations

from dataclasses import dataclass

REGIONS = {"NA": "North America", "EU": "Europe", "FE": "Far East"}


@dataclass(frozen=True)
class Marketplace:
    id: str
    country: str
    name: str
    region: str
    seller_central_url: str
    currency: str


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Canada", "NA", "https://sellercentral.amazon.ca", "CAD"),
    Marketplace("ATVPDKIKX0DER", "US", "United States", "NA", "https://sellercentral.amazon.com", "USD"),
    Marketplace("A1AM78C64UM0Y8", "MX", "Mexico", "NA", "https://sellercentral.amazon.com.mx", "MXN"),
    Marketplace("A2Q3Y263D00KWC", "BR", "Brazil", "NA", "https://sellercentral.amazon.com.br", "BRL"),
    Marketplace("A28R8C7NBKEWEA", "IE", "Ireland", "EU", "https://sellercentral.amazon.ie", "EUR"),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Spain", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
    Marketplace("A1F83G8C2ARO7P", "GB", "United Kingdom", "EU", "https://sellercentral-europe.amazon.com", "GBP"),
    Marketplace("A13V1IB3VIYZZH", "FR", "France", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
    Marketplace("AMEN7PMS3EDWL", "BE", "Belgium", "EU", "https://sellercentral.amazon.com.be", "EUR"),
    Marketplace("A1805IZSGTT6HS", "NL", "Netherlands", "EU", "https://sellercentral.amazon.nl", "EUR"),
    Marketplace("A1PA6795UKMFR9", "DE", "Germany", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
    Marketplace("APJ6JRA9NG5V4", "IT", "Italy", "EU", "https://sellercentral-europe.amazon.com", "EUR"),
    Marketplace("A2NODRKZP88ZB9", "SE", "Sweden", "EU", "https://sellercentral.amazon.se", "SEK"),
    Marketplace("AE08WJ6YKNBMC", "ZA", "South Africa", "EU", "https://sellercentral.amazon.co.za", "ZAR"),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Poland", "EU", "https://sellercentral.amazon.pl", "PLN"),
    Marketplace("ARBP9OOSHTCHU", "EG", "Egypt", "EU", "https://sellercentral.amazon.eg", "EGP"),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Turkey", "EU", "https://sellercentral.amazon.com.tr", "TRY"),
    Marketplace("A17E79C6D8DWNP", "SA", "Saudi Arabia", "EU", "https://sellercentral.amazon.sa", "SAR"),
    Marketplace("A2VIGQ35RCS4UG", "AE", "United Arab Emirates", "EU", "https://sellercentral.amazon.ae", "AED"),
    Marketplace("A21TJRUUN4KGV", "IN", "India", "EU", "https://sellercentral.amazon.in", "INR"),
    Marketplace("A19VAU5U5O7RUS", "SG", "Singapore", "FE", "https://sellercentral.amazon.sg", "SGD"),
    Marketplace("A39IBJ37TRP1C6", "AU", "Australia", "FE", "https://sellercentral.amazon.com.au", "AUD"),
    Marketplace("A1VC38T7YXB528", "JP", "Japan", "FE", "https://sellercentral.amazon.co.jp", "JPY"),
)

BY_ID = {marketplace.id: marketplace for marketplace in MARKETPLACES}

# Authorization is regional; the consent page of the region's main Seller Central serves every marketplace in it.
REGION_SELLER_CENTRAL = {
    "NA": "https://sellercentral.amazon.com",
    "EU": "https://sellercentral-europe.amazon.com",
    "FE": "https://sellercentral.amazon.co.jp",
}


def in_region(region: str) -> list[Marketplace]:
    return [marketplace for marketplace in MARKETPLACES if marketplace.region == region]


def seller_central_hosts() -> set[str]:
    return {marketplace.seller_central_url.split("://", 1)[1] for marketplace in MARKETPLACES}
