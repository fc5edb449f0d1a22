"""The log and the sync runs inside the admin: filter, search by reference, page, export, follow a run live."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, abort, g, jsonify, render_template, request, stream_with_context
from sqlalchemy import select

from ..accounts.operations import accounts_of
from ..extensions import db
from ..i18n.labels import progress_text
from ..shops.session import shop_required
from . import export, queries
from .links import link
from .models import RunStatus, SyncRun
from .runs import KIND_LABELS

bp = Blueprint("synclog", __name__, url_prefix="/admin")
RUNS_PAGE_SIZE = 50


def _zone() -> ZoneInfo:
    return ZoneInfo(g.shop.timezone or "UTC")


def _aliases() -> dict[int, str]:
    return {account.id: account.alias for account in accounts_of(g.shop)}


@bp.get("/log")
@shop_required
def log():
    log_filter = queries.parse_filter(request.args, _zone())
    current = queries.page(g.shop.id, log_filter, after=request.args.get("after"), before=request.args.get("before"),
                           last=request.args.get("page") == "last")
    return render_template("synclog/log.html", page=current, log_filter=log_filter,
                           filter_args=log_filter.as_args(_zone()), aliases=_aliases(), kinds=list(KIND_LABELS),
                           levels=queries.LEVELS, link=link, kind_labels=KIND_LABELS)


@bp.get("/log/export.<fmt>")
@shop_required
def export_log(fmt: str):
    if fmt not in ("csv", "json"):
        abort(404)
    log_filter = queries.parse_filter(request.args, _zone())
    aliases = _aliases()
    entries = queries.iterate(g.shop.id, log_filter)
    chunks = export.csv_lines(entries, aliases) if fmt == "csv" else export.json_chunks(entries, aliases)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(stream_with_context(chunks), mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="connector-log.{fmt}"'})


@bp.get("/runs")
@shop_required
def runs():
    query = select(SyncRun).where(SyncRun.shop_id == g.shop.id)
    account_id, kind, status = queries.optional_int(request.args.get("account")), request.args.get("kind"), request.args.get("status")
    if account_id is not None:
        query = query.where(SyncRun.account_id == account_id)
    if kind:
        query = query.where(SyncRun.kind == kind)
    if status in (RunStatus.RUNNING, *RunStatus.FINISHED):
        query = query.where(SyncRun.status == status)
    before = queries.optional_int(request.args.get("before"))
    if before is not None:
        query = query.where(SyncRun.id < before)
    rows = db.session.scalars(query.order_by(SyncRun.id.desc()).limit(RUNS_PAGE_SIZE + 1)).all()
    older = rows[RUNS_PAGE_SIZE - 1].id if len(rows) > RUNS_PAGE_SIZE else None
    return render_template("synclog/runs.html", runs=rows[:RUNS_PAGE_SIZE], older=older, aliases=_aliases(),
                           kind_labels=KIND_LABELS, statuses=(RunStatus.RUNNING, *RunStatus.FINISHED),
                           args=request.args)


def _run_or_404(run_id: int) -> SyncRun:
    run = db.session.get(SyncRun, run_id)
    if run is None or run.shop_id != g.shop.id:
        abort(404)
    return run


@bp.get("/runs/<int:run_id>")
@shop_required
def run(run_id: int):
    current = _run_or_404(run_id)
    entries = queries.page(g.shop.id, queries.LogFilter(run_id=run_id), after=request.args.get("after"))
    return render_template("synclog/run.html", run=current, page=entries, aliases=_aliases(),
                           kind_labels=KIND_LABELS, link=link)


@bp.get("/runs/<int:run_id>/progress")
@shop_required
def run_progress(run_id: int):
    """What a live progress bar polls."""
    current = _run_or_404(run_id)
    return jsonify(id=current.id, status=current.status, running=current.running, summary=current.summary,
                   done=current.progress_done, total=current.progress_total, percent=current.progress_percent,
                   text=progress_text(current.progress_done, current.progress_total, current.status, current.running),
                   counts={name: getattr(current, name) for name in SyncRun.COUNTERS})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
