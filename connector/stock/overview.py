"""What the admin pages show about an account's stock sync: pending changes, pushes and their progress, feed
submissions and per-SKU results. Read-only queries; the views only render them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import case, func, select

from ..accounts.models import AmazonAccount
from ..clock import utcnow
from ..extensions import db
from ..i18n.labels import progress_text, status_word, translated
from ..shops.formatting import number, shop_time
from ..synclog.models import RunStatus, SyncRun
from ..synclog.runs import KIND_LABELS
from .models import ItemStatus, ListingState, SkuMapping, StockSettings, Submission, SubmissionItem
from .push import why_paused
from .settings import current_settings

RUN_KINDS = ("listings_push", "full_resync", "rederive", "feed_check")
PAGE_SIZE = 50
ITEMS_PAGE_SIZE = 200


@dataclass
class Counts:
    pending: int = 0
    quantity: int = 0
    price: int = 0
    in_flight: int = 0
    held: int = 0
    errors: int = 0


@dataclass
class Overview:
    account: AmazonAccount
    settings: StockSettings
    counts: Counts
    paused: str | None
    last_push: SyncRun | None
    running: list[SyncRun] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)

    def as_json(self) -> dict:
        settings = self.settings
        return {
            "pending": vars(self.counts), "paused": self.paused, "auto_submit": settings.auto_submit,
            "next_push_at": _iso(settings.next_push_at), "waiting_for": settings.waiting_for,
            # The same facts written for the page, in the admin's language and the shop's time zone.
            "texts": {name: number(value) for name, value in vars(self.counts).items()} | {
                "next_push": (f"{shop_time(settings.next_push_at, with_seconds=True)} ({settings.waiting_for or ''})"
                              if settings.next_push_at else gettext("As soon as something changes")),
                "last_push": (f"{shop_time(self.last_push.finished_at, with_seconds=True)}: "
                              f"{self.last_push.summary or status_word(self.last_push.status)}"
                              if self.last_push else gettext("Never"))},
            "last_push": _run_json(self.last_push) if self.last_push else None,
            "running": [_run_json(run) for run in self.running],
        }


def overview(account: AmazonAccount, recent: int = 5) -> Overview:
    settings = current_settings(account.id)
    runs = db.session.scalars(select(SyncRun).where(SyncRun.account_id == account.id, SyncRun.kind.in_(RUN_KINDS))
                              .order_by(SyncRun.id.desc()).limit(20)).all()
    return Overview(
        account=account, settings=settings, counts=counts(account.id),
        paused=why_paused(account, settings, False, utcnow(), translate=True),
        last_push=next((run for run in runs if run.kind == "listings_push" and not run.running), None),
        running=[run for run in runs if run.running],
        submissions=list(db.session.scalars(select(Submission).where(Submission.account_id == account.id)
                                            .order_by(Submission.id.desc()).limit(recent))),
    )


def counts(account_id: int) -> Counts:
    table = ListingState.__table__
    waiting = table.c.pending.is_(True) & table.c.hold.is_(None) & table.c.submission_id.is_(None)

    def number(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(select(
        number(waiting), number(waiting & table.c.quantity_pending.is_(True)),
        number(waiting & table.c.price_pending.is_(True)), number(table.c.submission_id.is_not(None)),
        number(table.c.pending.is_(True) & table.c.hold.is_not(None)), number(table.c.error_code.is_not(None)),
    ).where(table.c.account_id == account_id)).one()
    return Counts(*(int(value) for value in row))


def submissions(account_id: int, before: int | None = None) -> list[Submission]:
    query = select(Submission).where(Submission.account_id == account_id)
    if before:
        query = query.where(Submission.id < before)
    return list(db.session.scalars(query.order_by(Submission.id.desc()).limit(PAGE_SIZE)))


def submission_of(account_id: int, submission_id: int) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.id == submission_id,
                                                      Submission.account_id == account_id))


def submission_items(submission: Submission, page: int = 1) -> list[SubmissionItem]:
    """Rejected SKUs first, then the rest in message order."""
    rejected_first = case((SubmissionItem.status == ItemStatus.REJECTED, 0), else_=1)
    return list(db.session.scalars(
        select(SubmissionItem).where(SubmissionItem.submission_id == submission.id)
        .order_by(rejected_first, SubmissionItem.message_id)
        .offset((page - 1) * ITEMS_PAGE_SIZE).limit(ITEMS_PAGE_SIZE)))


def sku_errors(account_id: int, page: int = 1) -> list[tuple[ListingState, Submission | None]]:
    return list(db.session.execute(
        select(ListingState, Submission).outerjoin(Submission, Submission.id == ListingState.error_submission_id)
        .where(ListingState.account_id == account_id, ListingState.error_code.is_not(None))
        .order_by(ListingState.error_at.desc(), ListingState.id)
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all())


def _run_json(run: SyncRun) -> dict:
    return {"id": run.id, "kind": run.kind, "label": translated(KIND_LABELS.get(run.kind, run.kind)),
            "status": run.status,
            "text": progress_text(run.progress_done, run.progress_total, run.status, run.status == RunStatus.RUNNING),
            "running": run.status == RunStatus.RUNNING, "done": run.progress_done, "total": run.progress_total,
            "percent": run.progress_percent, "summary": run.summary, "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at)}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def mappings(account_id: int, search: str = "", page: int = 1) -> list[SkuMapping]:
    query = select(SkuMapping).where(SkuMapping.account_id == account_id)
    if search:
        pattern = f"%{search}%"
        query = query.where(SkuMapping.host_sku.ilike(pattern) | SkuMapping.seller_sku.ilike(pattern))
    return list(db.session.scalars(query.order_by(SkuMapping.host_sku, SkuMapping.marketplace_id)
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
