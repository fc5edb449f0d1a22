"""What is running now for a shop: its sync runs (full resync, order re-import, pushes, …) with their progress,
the ones that just finished, and the operator's key rotation, which runs for every shop at once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from flask_babel import gettext
from sqlalchemy import and_, or_, select

from ..clock import utcnow
from ..extensions import db
from ..i18n.labels import status_word
from ..shops.formatting import number, percent
from ..synclog.models import RunStatus, SyncRun
from ..synclog.runs import KIND_LABELS

JUST_FINISHED = timedelta(minutes=2)
GLOBAL_KINDS = ("key_rotation",)  # shop-independent runs a shop owner should know about while they run
# Long operations stay listed with their outcome for a moment after they finish; the many short runs (webhooks,
# pushes, feed checks) only show while they run.
LONG_KINDS = ("rederive", "order_import", "order_recheck", "key_rotation")
LIMIT = 20


@dataclass(frozen=True)
class Operation:
    run: SyncRun
    label: str
    account: str | None

    @property
    def progress_text(self) -> str:
        run = self.run
        if not run.running:
            return run.summary or status_word(run.status, capital=True)
        if not run.progress_total:
            return gettext("Working…")
        if run.kind == "order_import":  # its progress is Amazon's time window in seconds: only the share tells
            return gettext("%(percent)s done", percent=percent((run.progress_percent or 0) / 100))
        return gettext("%(done)s of %(total)s (%(percent)s)", done=number(run.progress_done or 0),
                       total=number(run.progress_total), percent=percent((run.progress_percent or 0) / 100))

    def as_json(self) -> dict:
        run = self.run
        return {"id": run.id, "label": self.label, "account": self.account, "running": run.running,
                "status": run.status, "done": run.progress_done, "total": run.progress_total,
                "percent": run.progress_percent, "text": self.progress_text,
                "url": url_for("synclog.run", run_id=run.id) if run.shop_id else None}


def operations_of(shop_id: int, aliases: dict[int, str]) -> list[Operation]:
    """Running runs of the shop and of the operator, then the shop's long operations that finished in the last two
    minutes."""
    recent = utcnow() - JUST_FINISHED
    ours = SyncRun.shop_id == shop_id
    shared = and_(SyncRun.shop_id.is_(None), SyncRun.kind.in_(GLOBAL_KINDS))
    runs = db.session.scalars(select(SyncRun).where(
        or_(and_(SyncRun.status == RunStatus.RUNNING, or_(ours, shared)),
            and_(ours, SyncRun.kind.in_(LONG_KINDS), SyncRun.finished_at >= recent)))
        .order_by(SyncRun.id.desc()).limit(LIMIT)).all()
    runs = sorted(runs, key=lambda run: not run.running)
    return [Operation(run, _label(run), aliases.get(run.account_id) if run.account_id else None) for run in runs]


def _label(run: SyncRun) -> str:
    if run.kind == "key_rotation":
        return gettext("Key rotation by the operator: stored secrets are encrypted again; syncing goes on")
    if run.kind == "rederive" and run.triggered_by == "full_resync":
        return gettext("Full resync")
    return gettext(KIND_LABELS.get(run.kind, run.kind))
