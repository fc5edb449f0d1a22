"""Amazon's side of the world, in memory: a clock that tests can move and speed up, authorizations, codes, tokens,
faults, the sellers' orders, and a log of every call so tests and benchmarks can count what reached Amazon."""
from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .clock import SimulatorClock
from .feeds import FeedStore
from .listings import ListingsStore
from .orders.world import OrderWorld
from .ratelimit import TokenBuckets
from .settings import SandboxSettings, SellerSpec

AUTHORIZATION_LIFETIME = timedelta(days=365)
CODE_LIFETIME = timedelta(minutes=5)
AMAZON_STATE_LIFETIME = timedelta(minutes=10)
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)


@dataclass
class Authorization:
    selling_partner_id: str
    authorized_at: datetime
    expires_at: datetime
    revoked: bool = False


@dataclass
class Code:
    selling_partner_id: str
    redirect_uri: str
    expires_at: datetime
    used: bool = False


@dataclass
class AccessToken:
    selling_partner_id: str | None  # None for grantless (client_credentials) tokens
    expires_at: datetime


FAULT_KINDS = ("500", "503", "timeout", "throttle", "late")


@dataclass
class Fault:
    operation: str
    kind: str  # one of FAULT_KINDS
    remaining: int
    delay_seconds: float = 0.0

    @property
    def answers_late(self) -> bool:
        """Amazon does the work and only its answer is held back, as when the connection drops on the way back."""
        return self.kind == "late"


@dataclass
class Call:
    operation: str
    selling_partner_id: str | None
    monotonic: float
    at: datetime
    status: int


@dataclass
class SandboxState:
    settings: SandboxSettings
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: SimulatorClock = field(default_factory=SimulatorClock)
    authorizations: dict[str, Authorization] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    amazon_states: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    call_log: list[Call] = field(default_factory=list)
    buckets: TokenBuckets = field(default_factory=TokenBuckets)
    # Bumped by reset(): a request that started before it (a slow, injected timeout) must not log into the new run.
    generation: int = 0
    orders: OrderWorld = field(init=False)
    listings: ListingsStore = field(default_factory=ListingsStore)
    feeds: FeedStore = field(init=False)

    def __post_init__(self) -> None:
        self.clock.set_speed(self.settings.clock_speed)
        self.orders = OrderWorld(self.clock, self.settings)
        self.feeds = FeedStore(self.settings.feed_processing_seconds)
        self.listings.reset(self.now())

    def now(self) -> datetime:
        return self.clock.now()

    def monotonic(self) -> float:
        return self.clock.monotonic()

    def take_quota(self, selling_partner_id: str, operation: str) -> bool:
        return self.buckets.take(selling_partner_id, operation, self.monotonic())

    def reset(self) -> None:
        with self.lock:
            self.clock.reset(self.settings.clock_speed)
            for table in (self.authorizations, self.codes, self.amazon_states, self.refresh_tokens, self.access_tokens):
                table.clear()
            self.faults.clear()
            self.call_log.clear()
            self.buckets = TokenBuckets()
            self.orders.reset()
            self.generation += 1
        self.feeds.reset()
        self.listings.reset(self.now())

    # Controls used by tests (also exposed over HTTP under /_sim).
    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def set_clock_speed(self, speed: float) -> None:
        self.clock.set_speed(speed)

    def revoke(self, selling_partner_id: str) -> None:
        with self.lock:
            if selling_partner_id in self.authorizations:
                self.authorizations[selling_partner_id].revoked = True
            for token, access in list(self.access_tokens.items()):
                if access.selling_partner_id == selling_partner_id:
                    del self.access_tokens[token]

    def expire_access_tokens(self) -> None:
        with self.lock:
            past = self.now() - timedelta(seconds=1)
            for access in self.access_tokens.values():
                access.expires_at = past

    def add_fault(self, operation: str, kind: str, count: int = 1, delay_seconds: float = 0.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError("kind must be 500, 503, timeout, throttle or late")
        with self.lock:
            self.faults.append(Fault(operation, kind, count, delay_seconds))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def calls(self, operation: str | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.call_log if operation is None or c.operation == operation]

    def add_seller(self, seller: SellerSpec) -> None:
        with self.lock:
            self.settings.sellers.append(seller)

    # What the Amazon endpoints do.
    def take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.operation in (operation, "*"):
                    fault.remaining -= 1
                    return fault
        return None

    def record_call(self, operation: str, selling_partner_id: str | None, status: int, generation: int) -> None:
        with self.lock:
            if generation != self.generation:
                return
            self.call_log.append(Call(operation, selling_partner_id, self.monotonic(), self.now(), status))

    def issue_amazon_state(self, selling_partner_id: str) -> str:
        value = secrets.token_urlsafe(18)
        with self.lock:
            self.amazon_states[value] = (selling_partner_id, self.now() + AMAZON_STATE_LIFETIME)
        return value

    def take_amazon_state(self, value: str) -> str | None:
        with self.lock:
            entry = self.amazon_states.pop(value, None)
        if entry is None or entry[1] < self.now():
            return None
        return entry[0]

    def issue_code(self, selling_partner_id: str, redirect_uri: str) -> str:
        """Issuing the code is the moment the seller grants (or renews) the authorization."""
        code = "ANDB" + secrets.token_urlsafe(15)
        now = self.now()
        with self.lock:
            self.authorizations[selling_partner_id] = Authorization(selling_partner_id, now, now + AUTHORIZATION_LIFETIME)
            self.codes[code] = Code(selling_partner_id, redirect_uri, now + CODE_LIFETIME)
        return code

    def redeem_code(self, code: str, redirect_uri: str | None) -> str | None:
        with self.lock:
            entry = self.codes.get(code)
            if entry is None or entry.used or entry.expires_at < self.now():
                return None
            if redirect_uri is not None and redirect_uri != entry.redirect_uri:
                return None
            entry.used = True
            refresh_token = "Atzr|" + secrets.token_urlsafe(48)
            self.refresh_tokens[refresh_token] = entry.selling_partner_id
            return refresh_token

    def refresh_token_status(self, refresh_token: str) -> tuple[str | None, str]:
        """(seller, "ok") or (None, why): "unknown", "revoked", "expired"."""
        with self.lock:
            seller = self.refresh_tokens.get(refresh_token)
            if seller is None:
                return None, "unknown"
            authorization = self.authorizations.get(seller)
            if authorization is None or authorization.revoked:
                return None, "revoked"
            if authorization.expires_at <= self.now():
                return None, "expired"
            return seller, "ok"

    def issue_access_token(self, selling_partner_id: str | None) -> str:
        token = "Atza|" + secrets.token_urlsafe(64)
        with self.lock:
            self.access_tokens[token] = AccessToken(selling_partner_id, self.now() + ACCESS_TOKEN_LIFETIME)
        return token

    def access_token_status(self, token: str | None) -> tuple[str | None, str]:
        """(seller, "ok") or (None, why): "missing", "invalid", "expired"."""
        if not token:
            return None, "missing"
        with self.lock:
            access = self.access_tokens.get(token)
            if access is None or access.selling_partner_id is None:
                return None, "invalid"
            if access.expires_at <= self.now():
                return None, "expired"
            seller = access.selling_partner_id
        status = self.refresh_token_status_for_seller(seller)
        return (seller, "ok") if status == "ok" else (None, "invalid")

    def refresh_token_status_for_seller(self, selling_partner_id: str) -> str:
        with self.lock:
            authorization = self.authorizations.get(selling_partner_id)
            if authorization is None or authorization.revoked:
                return "revoked"
            return "ok"
