"""The one retry policy for Amazon calls: exponential backoff with full jitter, Retry-After wins when Amazon sends it."""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar

from .errors import AmazonConnectionError, AmazonError, AmazonServerError, AmazonThrottled, LWAUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

# LWAUnavailable is here because the token fetch is part of an SP-API call: a blip at the token endpoint
# is as transient as one at SP-API.
RETRYABLE: tuple[type[AmazonError], ...] = (AmazonConnectionError, AmazonServerError, AmazonThrottled, LWAUnavailable)

DEFAULT_MAX_ATTEMPTS = 5


@dataclass
class RetryPolicy:
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[float, float], float] = field(default=random.uniform)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **overrides: Any) -> RetryPolicy:
        return cls(max_attempts=int(config.get("AMAZON_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)), **overrides)

    def delay(self, attempt: int, error: AmazonError) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        if error.retry_after is not None:
            return error.retry_after
        return self.jitter(0.0, min(self.cap, self.base * 2 ** (attempt - 1)))

    def run(self, attempt_once: Callable[[int], T]) -> T:
        """Call `attempt_once(attempt)` until it succeeds, fails for good, or attempts run out."""
        attempt = 1
        while True:
            try:
                return attempt_once(attempt)
            except RETRYABLE as error:
                if attempt >= self.max_attempts:
                    logger.warning("Giving up after %d attempts: %s", attempt, error)
                    raise
                wait = self.delay(attempt, error)
                logger.info("Attempt %d failed (%s); retrying in %.2f s", attempt, error, wait)
                self.sleep(wait)
                attempt += 1
