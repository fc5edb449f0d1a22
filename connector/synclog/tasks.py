"""The daily retention job: count yesterday, purge what is older than the retention period."""
from __future__ import annotations

from datetime import timedelta

from huey import crontab

from ..jobs import huey, with_app_context
from ..jobs.leases import held
from .retention import purge
from .runs import sync_run


@huey.periodic_task(crontab(minute="17", hour="3"))
@with_app_context
def daily_retention() -> None:
    with held("retention", timedelta(minutes=30)) as lease:
        if lease is None:
            return
        with sync_run("retention", shop_id=None, lease=lease) as run:
            result = purge()
            run.count(seen=len(result.counted_days), changed=sum(result.deleted.values()))
            run.run.summary = (f"Counted {len(result.counted_days)} day(s); deleted "
                               + ", ".join(f"{number} {what.replace('_', ' ')}" for what, number in result.deleted.items())
                               + ".")
