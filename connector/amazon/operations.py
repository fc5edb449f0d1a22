"""SP-API operations the connector may call, with their default usage plans
(/work/shared/reference/amazon-sp-api.md section 3, taken from the models' "Usage Plan" tables)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str  # template with {placeholders}
    rate: float  # requests per second restored to the bucket
    burst: int  # bucket size
    deprecated: bool = False

    def render_path(self, path_params: Mapping[str, Any]) -> str:
        # SKUs may contain "/" and spaces; Amazon wants every path segment value fully encoded.
        return self.path.format(**{key: quote(str(value), safe="") for key, value in path_params.items()})


_LISTING = "/listings/2021-08-01/items/{sellerId}/{sku}"
_NOTIFICATIONS = "/notifications/v1"

_TABLE: tuple[Operation, ...] = (
    Operation("getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations", 0.016, 15),
    Operation("getAccount", "GET", "/sellers/v1/account", 0.016, 15),
    # Orders v0: reads are deprecated (migrate by 2027-03-27); the v2026 getOrder takes the plain name.
    Operation("getOrders", "GET", "/orders/v0/orders", 0.0167, 20, deprecated=True),
    Operation("getOrderV0", "GET", "/orders/v0/orders/{orderId}", 0.5, 30, deprecated=True),
    Operation("getOrderItems", "GET", "/orders/v0/orders/{orderId}/orderItems", 0.5, 30, deprecated=True),
    Operation("getOrderAddress", "GET", "/orders/v0/orders/{orderId}/address", 0.5, 30, deprecated=True),
    Operation("getOrderBuyerInfo", "GET", "/orders/v0/orders/{orderId}/buyerInfo", 0.5, 30, deprecated=True),
    Operation("getOrderItemsBuyerInfo", "GET", "/orders/v0/orders/{orderId}/orderItems/buyerInfo", 0.5, 30,
              deprecated=True),
    Operation("confirmShipment", "POST", "/orders/v0/orders/{orderId}/shipmentConfirmation", 2, 10),
    Operation("updateShipmentStatus", "POST", "/orders/v0/orders/{orderId}/shipment", 5, 15),
    Operation("searchOrders", "GET", "/orders/2026-01-01/orders", 0.0056, 20),
    Operation("getOrder", "GET", "/orders/2026-01-01/orders/{orderId}", 0.5, 30),
    Operation("getFeeds", "GET", "/feeds/2021-06-30/feeds", 0.0222, 10),
    Operation("createFeed", "POST", "/feeds/2021-06-30/feeds", 0.0083, 15),
    Operation("cancelFeed", "DELETE", "/feeds/2021-06-30/feeds/{feedId}", 2, 15),
    Operation("getFeed", "GET", "/feeds/2021-06-30/feeds/{feedId}", 2, 15),
    Operation("createFeedDocument", "POST", "/feeds/2021-06-30/documents", 0.5, 15),
    Operation("getFeedDocument", "GET", "/feeds/2021-06-30/documents/{feedDocumentId}", 0.0222, 10),
    Operation("getListingsItem", "GET", _LISTING, 5, 10),
    Operation("patchListingsItem", "PATCH", _LISTING, 5, 5),
    Operation("putListingsItem", "PUT", _LISTING, 5, 10),
    Operation("deleteListingsItem", "DELETE", _LISTING, 5, 5),
    Operation("searchListingsItems", "GET", "/listings/2021-08-01/items/{sellerId}", 5, 5),
    Operation("getSubscriptions", "GET", _NOTIFICATIONS + "/subscriptions", 1, 5),
    Operation("getSubscription", "GET", _NOTIFICATIONS + "/subscriptions/{notificationType}", 1, 5),
    Operation("createSubscription", "POST", _NOTIFICATIONS + "/subscriptions/{notificationType}", 1, 5),
    Operation("getSubscriptionById", "GET",
              _NOTIFICATIONS + "/subscriptions/{notificationType}/{subscriptionId}", 1, 5),
    Operation("deleteSubscriptionById", "DELETE",
              _NOTIFICATIONS + "/subscriptions/{notificationType}/{subscriptionId}", 1, 5),
    Operation("sendTestNotification", "POST",
              _NOTIFICATIONS + "/subscriptions/{notificationType}/testNotification", 1, 5),
    Operation("getDestinations", "GET", _NOTIFICATIONS + "/destinations", 1, 5),
    Operation("createDestination", "POST", _NOTIFICATIONS + "/destinations", 1, 5),
    Operation("getDestination", "GET", _NOTIFICATIONS + "/destinations/{destinationId}", 1, 5),
    Operation("deleteDestination", "DELETE", _NOTIFICATIONS + "/destinations/{destinationId}", 1, 5),
    Operation("createRestrictedDataToken", "POST", "/tokens/2021-03-01/restrictedDataToken", 1, 10),
    Operation("rotateApplicationClientSecret", "POST", "/applications/2023-11-30/clientSecret", 0.0167, 1),
    Operation("searchDefinitionsProductTypes", "GET", "/definitions/2020-09-01/productTypes", 5, 10),
    Operation("getDefinitionsProductType", "GET", "/definitions/2020-09-01/productTypes/{productType}", 5, 10),
)

OPERATIONS: dict[str, Operation] = {operation.name: operation for operation in _TABLE}


@dataclass(frozen=True)
class SubmissionWindow:
    """A limit on top of an operation's usage plan: at most `limit` accepted calls per `seconds`, counted per
    selling partner and region over a sliding window."""

    name: str
    limit: int
    seconds: float
    margin: float = 2.0  # our clock and Amazon's see a call at slightly different moments

    def key(self, selling_partner_id: str, region: str) -> str:
        return f"{selling_partner_id}:{region}:{self.name}"

    @property
    def window(self) -> float:
        return self.seconds + self.margin


# createFeed with feedType JSON_LISTINGS_FEED: 5 submissions per 5 minutes per region (changelog 2025-05-06,
# reference section 3.2), besides createFeed's own plan.
LISTINGS_FEED_SUBMISSIONS = SubmissionWindow("JSON_LISTINGS_FEED", 5, 300.0)
