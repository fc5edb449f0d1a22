"""Deliveries received at the same moment share one statement and one commit, and each request still gets its own
answer: its own ID, "duplicate", or an error that only it sees."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

import hostwebhooks as send
from connector.clock import utcnow
from connector.extensions import db
from connector.webhooks.group_commit import GroupCommit
from connector.webhooks.inbox_writer import InboxUnavailable, PostgresInbox
from connector.webhooks.models import InboxKick, WebhookDelivery
from helpers import make_shop


class SlowStore:
    """A write function whose first call waits until released, so the requests behind it queue up."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.first_call = threading.Event()

    def __call__(self, items: list[str]) -> list:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.first_call.set()
            assert self.release.wait(5)
        return [ValueError(f"refused {item}") if item.startswith("bad") else item.upper() for item in items]


def submit_while_first_write_waits(group: GroupCommit, store: SlowStore, first: str, others: list[str]) -> dict:
    outcomes: dict[str, object] = {}

    def submit(item: str) -> None:
        try:
            outcomes[item] = group.submit(item)
        except Exception as error:  # noqa: BLE001 - the test looks at what each request got
            outcomes[item] = error

    threads = [threading.Thread(target=submit, args=(first,))]
    threads[0].start()
    assert store.first_call.wait(5)
    for item in others:
        threads.append(threading.Thread(target=submit, args=(item,)))
        threads[-1].start()
    while len(group._queue) < len(others):  # every other request is waiting behind the first write
        threading.Event().wait(0.001)
    store.release.set()
    for thread in threads:
        thread.join(5)
    return outcomes


def test_requests_arriving_during_a_write_go_together_in_the_next_one():
    store = SlowStore()
    group = GroupCommit(store, max_batch=3)
    outcomes = submit_while_first_write_waits(group, store, "a", ["b", "c", "d", "e"])
    assert store.batches[0] == ["a"]
    assert sorted(len(batch) for batch in store.batches[1:]) == [1, 3]  # at most max_batch per statement
    assert sorted(item for batch in store.batches for item in batch) == ["a", "b", "c", "d", "e"]
    assert outcomes == {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}


def test_an_item_the_store_refuses_fails_only_its_own_request():
    store = SlowStore()
    outcomes = submit_while_first_write_waits(GroupCommit(store), store, "a", ["b", "bad-c", "d"])
    assert len(store.batches) == 2
    assert isinstance(outcomes.pop("bad-c"), ValueError)
    assert outcomes == {"a": "A", "b": "B", "d": "D"}


def test_a_failed_write_fails_every_request_of_its_batch_and_the_next_batch_goes_on():
    calls = []

    def failing_once(items):
        calls.append(items)
        if len(calls) == 1:
            raise ConnectionError("database down")
        return [item.upper() for item in items]

    group = GroupCommit(failing_once)
    with pytest.raises(ConnectionError):
        group.submit("a")
    assert group.submit("b") == "B"


def test_many_threads_each_get_their_own_outcome_and_every_item_is_written_once():
    written: list[str] = []
    sizes: list[int] = []

    def store(items):
        threading.Event().wait(0.0005)  # a statement's round trip: others queue meanwhile
        written.extend(items)
        sizes.append(len(items))
        return [item.upper() for item in items]

    group = GroupCommit(store, max_batch=8)
    wrong: list[tuple[str, object]] = []

    def requests(thread: int) -> None:
        for n in range(40):
            item = f"t{thread}-{n}"
            if (outcome := group.submit(item)) != item.upper():
                wrong.append((item, outcome))

    threads = [threading.Thread(target=requests, args=(number,)) for number in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads) and wrong == []
    assert sorted(written) == sorted(f"t{thread}-{n}" for thread in range(16) for n in range(40))
    assert group._queue == [] and not group._writing
    assert 1 < max(sizes) <= 8


def test_concurrent_deliveries_each_get_their_own_answer(app):
    """Run on PostgreSQL this goes through group commit; on SQLite through the single-writer path."""
    shop = make_shop("Busy shop", host="generic", origin="https://busy.example")
    repeated = f"msg_{uuid.uuid4().hex}"
    bodies = [(f"msg_{uuid.uuid4().hex}", {"sku": f"SKU-{n}", "quantity": n}) for n in range(24)]
    bodies += [(repeated, {"sku": "SKU-SAME", "quantity": 1})] * 6

    def deliver(message):
        message_id, data = message
        with app.app_context():
            return send.generic(app.test_client(), shop, "inventory.changed", data, message_id=message_id)

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(deliver, bodies))
    assert all(answer.status_code == 200 for answer in answers)
    statuses = [answer.json["status"] for answer in answers]
    assert statuses.count("ignored") == 25 and statuses.count("duplicate") == 5
    ids = [answer.json["id"] for answer in answers if "id" in answer.json]
    assert len(set(ids)) == 25
    stored = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.shop_id == shop.id))
    same = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.delivery_id == repeated))
    assert stored == 25 and same.duplicates == 5


@pytest.fixture
def postgres_inbox(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("group commit is the PostgreSQL writer; SQLite has one writer at a time")
    inbox = PostgresInbox(db.engine)
    yield inbox
    inbox.close()


def values(shop_id: int, dedupe_key: str, status: str = "received") -> dict:
    return {"shop_id": shop_id, "host_kind": "generic", "topic": "stock.updated", "dedupe_key": dedupe_key,
            "delivery_id": dedupe_key, "event_id": None, "received_at": utcnow(), "sent_at": None, "status": status,
            "body": b"{}", "body_sha256": "0" * 64, "body_size": 2, "remote_addr": "203.0.113.9"}


def test_one_statement_stores_a_batch_sets_each_shops_kick_once_and_counts_duplicates(app, postgres_inbox):
    first, second = make_shop("One", host="generic"), make_shop("Two", host="generic", origin="https://two.example")
    outcomes = postgres_inbox._write([values(first.id, "a"), values(first.id, "b"), values(second.id, "c", "ignored"),
                                      values(first.id, "a")])
    (a_id, a_kick), (b_id, b_kick), (c_id, c_kick), repeat = outcomes
    assert None not in (a_id, b_id, c_id) and len({a_id, b_id, c_id}) == 3
    assert (a_kick, b_kick, c_kick) == (True, False, False)  # only received deliveries kick, once per shop
    assert repeat == (None, False)
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, a_id).duplicates == 1
    assert db.session.scalars(select(InboxKick.shop_id)).all() == [first.id]
    assert postgres_inbox._write([values(first.id, "d")]) == [(db.session.scalar(select(func.max(
        WebhookDelivery.id))), False)]  # the marker is still set: no second drain


def test_a_delivery_the_database_refuses_does_not_fail_the_others_in_its_batch(app, postgres_inbox):
    shop = make_shop("Shop", host="generic")
    deleted_shop_id = shop.id + 1000  # a shop deleted while its receiver was still cached
    good, refused = postgres_inbox._write([values(shop.id, "good"), values(deleted_shop_id, "orphan")])
    assert good[0] is not None
    assert isinstance(refused, InboxUnavailable)
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
