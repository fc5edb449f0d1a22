"""Log pagination at 1,000,000 rows: time of the first and the last page, unfiltered and with each kind of filter,
on SQLite and on PostgreSQL. Writes a Markdown table to stdout (copied into docs/performance.md).

    .venv/bin/python bench/log_pages.py                    # SQLite file in a temporary folder
    .venv/bin/python bench/log_pages.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from connector import create_app
from connector.extensions import db
from connector.shops.models import Shop
from connector.synclog import queries
from connector.synclog.models import LogEntry

KINDS = ("stock_push", "order_import", "webhook_processing", "shipment_confirmation", "order_create")
LEVELS = ("info",) * 17 + ("warning",) * 2 + ("error",)
REPEATS = 7


def build_rows(shop_id: int, count: int, start: datetime) -> list[dict]:
    rng = random.Random(7)
    rows = []
    for number in range(count):
        rows.append({
            "created_at": start + timedelta(seconds=number * 8),  # a million rows over about three months
            "level": rng.choice(LEVELS), "kind": rng.choice(KINDS), "shop_id": shop_id,
            "account_id": rng.choice((1, 2, 3)), "message": f"Pushed SKU SKU-{number % 100_000:06d} to Amazon.",
            "sku": f"SKU-{number % 100_000:06d}", "amazon_request_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "feed_id": str(50_000_000 + number // 25_000) if number % 5 == 0 else None,
            "http_status": 429 if number % 997 == 0 else None,
        })
    return rows


def fill(app, rows_wanted: int) -> int:
    with app.app_context():
        db.create_all()
        shop = Shop(name="Benchmark shop", host_kind="woocommerce", admin_origins="https://shop.example")
        other = Shop(name="Another shop", host_kind="shopify", admin_origins="https://other.example")
        db.session.add_all([shop, other])
        db.session.commit()
        start = datetime(2026, 8, 1, tzinfo=timezone.utc)
        chunk = 20_000
        for offset in range(0, rows_wanted, chunk):
            rows = build_rows(shop.id, min(chunk, rows_wanted - offset), start + timedelta(seconds=offset * 8))
            db.session.execute(insert(LogEntry), rows)
            db.session.commit()
        db.session.execute(insert(LogEntry), build_rows(other.id, 20_000, start))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE log_entries"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return shop.id


def timed(function) -> float:
    samples = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure(app, shop_id: int) -> list[tuple[str, float, float, float]]:
    cases = {
        "no filter": queries.LogFilter(),
        "level = error": queries.LogFilter(level="error"),
        "warnings and errors": queries.LogFilter(level="problems"),
        "kind = order_import": queries.LogFilter(kind="order_import"),
        "account = 2": queries.LogFilter(account_id=2),
        "one week": queries.LogFilter(since=datetime(2026, 9, 1, tzinfo=timezone.utc),
                                      until=datetime(2026, 9, 8, tzinfo=timezone.utc)),
        "search SKU": queries.LogFilter(search="SKU-004711"),
        "search HTTP 429": queries.LogFilter(search="429"),
    }
    results = []
    with app.app_context():
        client = app.test_client()
        with client.session_transaction() as session:
            session["shop_id"], session["role"] = shop_id, "owner"
        for name, log_filter in cases.items():
            first = timed(lambda: queries.page(shop_id, log_filter))
            last = timed(lambda: queries.page(shop_id, log_filter, last=True))
            args = log_filter.as_args(queries.ZoneInfo("UTC"))
            page_ms = timed(lambda: client.get("/admin/log", query_string={**args, "page": "last"}))
            results.append((name, first, last, page_ms))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a throwaway database is created there")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="log-bench-"))
    drop = None
    if options.postgres:
        name = f"log_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(options.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = options.postgres.rsplit("/", 1)[0] + "/" + name

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        url = f"sqlite:///{folder / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HUEY_IMMEDIATE": True, "TESTING": True,
                      "PUBLIC_URL": "http://bench.local"}, instance_path=str(folder / "instance"))
    began = time.perf_counter()
    shop_id = fill(app, options.rows)
    print(f"Filled {options.rows:,} rows ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}) "
          f"in {time.perf_counter() - began:.0f} s; median of {REPEATS} runs each.\n")
    print("| Filter | First page (ms) | Last page (ms) | Last page, whole HTTP request (ms) |")
    print("|---|---:|---:|---:|")
    for name, first, last, page_ms in measure(app, shop_id):
        print(f"| {name} | {first:.1f} | {last:.1f} | {page_ms:.1f} |")
    with app.app_context():
        db.engine.dispose()
    if drop:
        drop()


if __name__ == "__main__":
    main()
