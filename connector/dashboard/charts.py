"""The last 30 days of each account as bar charts (orders imported, SKUs pushed, errors), drawn on the server as SVG.

Days are UTC days, like the daily counts the retention job keeps. Days it has not counted yet (today, and yesterday
before its nightly run) are counted live from the runs and log entries, the same way the job counts them."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext
from sqlalchemy import func, select

from ..extensions import db
from ..synclog.models import DailyCount
from ..synclog.retention import Counts, count_between, day_bounds

DAYS = 30
WIDTH, HEIGHT = 300, 100  # the SVG's own units; CSS stretches it to the card's width
SLOT = WIDTH / DAYS
GAP = 2
SMALLEST_BAR = 2  # a day with anything at all stays visible next to days with hundreds


@dataclass(frozen=True)
class Series:
    key: str
    label: object  # lazy string
    kinds: tuple[str, ...] | None  # None: every kind
    counter: str


SERIES = (
    Series("orders", lazy_gettext("Orders imported"), ("order_import",), "changed"),
    Series("skus", lazy_gettext("SKUs pushed"), ("listings_push", "stock_push", "price_push"), "sent"),
    Series("errors", lazy_gettext("Errors"), None, "errors"),
)


@dataclass(frozen=True)
class Bar:
    day: date
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    key: str
    label: object
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def highest(self) -> int:
        return max((bar.value for bar in self.bars), default=0)

    @property
    def busiest(self) -> Bar | None:
        return max(self.bars, key=lambda bar: bar.value) if self.total else None


def window(today: date) -> list[date]:
    return [today - timedelta(days=DAYS - 1 - n) for n in range(DAYS)]


def charts_for(shop_id: int, account_ids: list[int], today: date) -> dict[int, list[Chart]]:
    """Per account: one chart per series, 30 bars each."""
    days = window(today)
    values = _daily_values(shop_id, set(account_ids), days)
    return {account_id: [Chart(series.key, series.label, _bars([values[(account_id, day)][series.key]
                                                                  for day in days], days))
                         for series in SERIES]
            for account_id in account_ids}


def _daily_values(shop_id: int, account_ids: set[int], days: list[date]) -> dict[tuple, dict[str, int]]:
    values: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if not account_ids:
        return values
    last_counted = db.session.scalar(select(func.max(DailyCount.day)))
    counted = [day for day in days if last_counted is not None and day <= last_counted]
    if counted:
        for row in db.session.scalars(select(DailyCount).where(
                DailyCount.shop_id == shop_id, DailyCount.account_id.in_(account_ids),
                DailyCount.day >= counted[0], DailyCount.day <= counted[-1])):
            _add(values[(row.account_id, row.day)], row.kind, row)
    for day in days[len(counted):]:
        for (_, account_id, kind), counts in count_between(*day_bounds(day), shop_id=shop_id).items():
            if account_id in account_ids:
                _add(values[(account_id, day)], kind, counts)
    return values


def _add(target: dict[str, int], kind: str, counts: DailyCount | Counts) -> None:
    for series in SERIES:
        if series.kinds is None or kind in series.kinds:
            target[series.key] += getattr(counts, series.counter) or 0


def _bars(numbers: list[int], days: list[date]) -> list[Bar]:
    highest = max(numbers) or 1
    bars = []
    for index, (day, value) in enumerate(zip(days, numbers)):
        height = 0.0 if value == 0 else max(SMALLEST_BAR, round(HEIGHT * value / highest, 2))
        bars.append(Bar(day, value, round(index * SLOT + GAP / 2, 2), round(HEIGHT - height, 2), SLOT - GAP, height))
    return bars
