"""searchOrders allows one call every three minutes after a burst of 20: the import takes a slot when one is free,
and otherwise saves its place (the page token) and comes back when a slot frees, instead of holding a worker."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy import update

from connector.amazon.models import RateLimitBucket
from connector.extensions import db
from connector.jobs import huey
from connector.orders.importing import SLOT_WAIT_LIMIT
from connector.orders.models import OrderImportState
from connector.orders.tasks import import_job
from connector.sandbox.orders import OrderMix
from connector.synclog.models import SyncRun
from orderhelpers import SELLER, imported, log_messages

PLAIN = OrderMix(multi_item=0, amazon_fulfilled=0, pending=0, cancel_unshipped=0, late=0)
SEARCH_BUCKET = f"{SELLER}:searchOrders"


def set_quota(tokens: float) -> None:
    """What the shared bucket holds, as if other consumers had used it."""
    bucket = db.session.get(RateLimitBucket, SEARCH_BUCKET)
    if bucket is None:
        db.session.add(RateLimitBucket(key=SEARCH_BUCKET, tokens=tokens, updated_at=time.time()))
    else:
        db.session.execute(update(RateLimitBucket).where(RateLimitBucket.key == SEARCH_BUCKET)
                           .values(tokens=tokens, updated_at=time.time()))
    db.session.commit()


def scheduled_imports() -> list:
    return [task for task in huey.scheduled() if task.name == "orders.import"]


def test_without_a_free_slot_the_import_saves_its_place_and_comes_back(amazon, woo, woo_account):
    amazon.order("SKU-A")
    amazon.settle()
    set_quota(-0.5)  # the last slot was just taken by another consumer

    started = datetime.now(timezone.utc)
    import_job(woo_account.id)

    assert amazon.calls("searchOrders") == []
    state = db.session.get(OrderImportState, woo_account.id)
    wait = (state.resume_at - started).total_seconds()
    assert SLOT_WAIT_LIMIT < wait < 300
    [comeback] = scheduled_imports()
    assert comeback.args == (woo_account.id, "schedule") and comeback.eta is not None
    run = db.session.scalars(db.select(SyncRun)).one()
    assert "waiting" in run.summary and "quota" in run.summary

    set_quota(20)
    import_job(woo_account.id)
    assert len(imported(woo_account.id)) == 1 and db.session.get(OrderImportState, woo_account.id).resume_at is None


def test_a_long_import_continues_with_its_saved_page_and_restarts_when_the_token_expired(amazon, woo, woo_account):
    woo.misbehave.down = True  # the cart side is tested elsewhere; here only Amazon's side counts
    orders = amazon.world.generate(SELLER, 350, days=1, skus=("SKU-A",), mix=PLAIN, seed=7)
    amazon.settle()
    set_quota(1)  # one slot now, the next in three minutes

    import_job(woo_account.id)
    state = db.session.get(OrderImportState, woo_account.id)
    assert len(imported(woo_account.id)) == 100 and state.page_token and state.window_pages == 1
    first_page_cursor = state.cursor
    assert state.window_after < first_page_cursor < state.window_before

    set_quota(1)
    import_job(woo_account.id)  # continues with the saved token: the second page, not the first again
    assert len(imported(woo_account.id)) == 200 and len(amazon.calls("searchOrders")) == 2

    amazon.advance(hours=25)  # the saved token expires
    set_quota(20)
    import_job(woo_account.id)

    assert set(imported(woo_account.id)) == {order.order_id for order in orders}
    # 25 hours later the access token is refused once (and renewed) before Amazon refuses the page token.
    statuses = [call.status for call in amazon.calls("searchOrders") if call.status != 403]
    assert statuses[:3] == [200, 200, 400] and statuses[3:] == [200] * (len(statuses) - 3)
    assert any("no longer accepts the saved page" in m for m in log_messages())
    state = db.session.get(OrderImportState, woo_account.id)
    assert state.window_after is None and state.cursor > first_page_cursor
