"""Amazon's usage plans: a token bucket per (selling partner, operation), refilled on the simulator's clock
(real time plus whatever tests advanced it), so moving the clock also refills quotas as waiting would."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

# (rate per second, burst) from the usage-plan tables of the official models (reference section 3).
USAGE_PLANS: dict[str, tuple[float, int]] = {
    "getMarketplaceParticipations": (0.016, 15),
    "getAccount": (0.016, 15),
    "getOrders": (0.0167, 20),
    "getOrderV0": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "updateShipmentStatus": (5.0, 15),
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "getFeeds": (0.0222, 10),
    "createFeed": (0.0083, 15),
    "cancelFeed": (2.0, 15),
    "getFeed": (2.0, 15),
    "createFeedDocument": (0.5, 15),
    "getFeedDocument": (0.0222, 10),
    "getListingsItem": (5.0, 10),
    "patchListingsItem": (5.0, 5),
    "putListingsItem": (5.0, 10),
    "deleteListingsItem": (5.0, 5),
    "searchListingsItems": (5.0, 5),
    "createRestrictedDataToken": (1.0, 10),
    "rotateApplicationClientSecret": (0.0167, 1),
}


@dataclass
class TokenBuckets:
    levels: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str, operation: str, now: float) -> bool:
        """Take one token at monotonic time `now`; False means Amazon would answer 429."""
        rate, burst = USAGE_PLANS[operation]
        with self.lock:
            tokens, updated = self.levels.get((key, operation), (float(burst), now))
            tokens = min(float(burst), tokens + (now - updated) * rate)
            if tokens < 1.0:
                self.levels[(key, operation)] = (tokens, now)
                return False
            self.levels[(key, operation)] = (tokens - 1.0, now)
            return True
