"""Jobs of stock and price sync. Each looks at the database to see what is still to do, so running one twice, or
one that recovery queued again, completes the work instead of doubling it."""
from __future__ import annotations

from huey import crontab

from ..jobs import huey, with_app_context
from ..jobs.registry import job
from .lookups import look_up_items
from .push import full_resync, push
from .resync import rederive
from .results import check_due
from .sweep import sweep


@job("stock.push")
def push_job(account_id: int, triggered_by: str = "webhook") -> None:
    push(account_id, triggered_by)


@job("stock.check_feeds")
def check_feeds_job(account_id: int, triggered_by: str = "schedule", everything: bool = False) -> None:
    check_due(account_id, triggered_by, everything)


@job("stock.rederive")
def rederive_job(account_id: int, triggered_by: str = "rules") -> None:
    rederive(account_id, triggered_by)


@job("stock.full_resync")
def full_resync_job(account_id: int) -> None:
    full_resync(account_id)


@job("stock.look_up_items")
def look_up_items_job(shop_id: int, triggered_by: str = "webhook") -> None:
    look_up_items(shop_id, triggered_by)


@huey.periodic_task(crontab(minute="*"))
@with_app_context
def sweep_stock() -> dict[str, list[int]]:
    return sweep()
