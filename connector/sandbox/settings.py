"""What the simulated Amazon knows about our app and its sellers."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SellerSpec:
    selling_partner_id: str
    name: str
    region: str
    marketplace_ids: list[str]


DEMO_SELLERS = [
    SellerSpec("A1DEMOSELLERNA", "Demo Seller US", "NA", ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]),
    SellerSpec("A4OTHERSELLERNA", "Another Seller US", "NA", ["ATVPDKIKX0DER"]),
    SellerSpec("A2DEMOSELLEREU", "Demo Seller Europe", "EU",
               ["A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS"]),
    SellerSpec("A3DEMOSELLERFE", "Demo Seller Japan", "FE", ["A1VC38T7YXB528", "A39IBJ37TRP1C6"]),
]


@dataclass
class SandboxSettings:
    application_id: str
    client_id: str
    client_secret: str
    app_name: str
    draft: bool
    redirect_uris: list[str]
    login_uri: str | None
    sellers: list[SellerSpec] = field(default_factory=lambda: list(DEMO_SELLERS))
    feed_processing_seconds: float = 3.0  # from createFeed to DONE; half of it IN_QUEUE, half IN_PROGRESS

    @classmethod
    def from_connector_config(cls, config: Mapping) -> SandboxSettings:
        """Register the connector's app exactly as its configuration describes it."""
        public_url = config["PUBLIC_URL"].rstrip("/")
        return cls(
            application_id=config["SPAPI_APPLICATION_ID"],
            client_id=config["LWA_CLIENT_ID"],
            client_secret=config["LWA_CLIENT_SECRET"],
            app_name=config["APP_NAME"],
            draft=bool(config["SPAPI_APP_DRAFT"]),
            redirect_uris=[f"{public_url}/amazon/authorize/callback"],
            login_uri=f"{public_url}/amazon/authorize/login",
        )

    @classmethod
    def for_tests(cls) -> SandboxSettings:
        return cls.from_connector_config({
            "SPAPI_APPLICATION_ID": "amzn1.sp.solution.test-app",
            "LWA_CLIENT_ID": "amzn1.application-oa2-client.test",
            "LWA_CLIENT_SECRET": "test-client-secret-0123456789",
            "APP_NAME": "Cart Connector",
            "SPAPI_APP_DRAFT": True,
            "PUBLIC_URL": "http://connector.test",
        })

    def connector_overrides(self) -> dict:
        """The connector settings that must match this registration."""
        return {
            "SPAPI_APPLICATION_ID": self.application_id,
            "LWA_CLIENT_ID": self.client_id,
            "LWA_CLIENT_SECRET": self.client_secret,
            "APP_NAME": self.app_name,
            "SPAPI_APP_DRAFT": self.draft,
        }

    def seller(self, selling_partner_id: str) -> SellerSpec | None:
        return next((s for s in self.sellers if s.selling_partner_id == selling_partner_id), None)
