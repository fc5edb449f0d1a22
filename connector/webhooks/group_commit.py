"""Group commit: requests that write at the same moment share one statement and one commit.

There is no writer thread. The first request to arrive writes, taking along everything queued so far; requests that
arrive meanwhile wait, and when a write is done its writer wakes the requests it wrote for and hands the next batch
to the first request still waiting. A lone request writes at once; under load a batch holds about as many rows as
there are requests waiting, and the database pays for one statement and one WAL flush per batch instead of per row.

Each waiting request sleeps on a lock of its own and is woken once, when there is something for it: waking every
waiter after each write (a condition's notify_all) made most of them wake only to sleep again, which cost a web
process more CPU under load than writing the batch did.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class _Pending(Generic[Item, Outcome]):
    __slots__ = ("item", "outcome", "done", "wake")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.outcome: Outcome | BaseException | None = None
        self.done = False
        self.wake = threading.Lock()  # held until the request is written for, or until it is its turn to write
        self.wake.acquire()


class GroupCommit(Generic[Item, Outcome]):
    """`write(items)` stores a batch and returns one outcome per item, in order: a result, or the exception that
    item's request raises. If it raises, every request of the batch raises that exception."""

    def __init__(self, write: Callable[[list[Item]], list[Outcome | BaseException]], max_batch: int = 64) -> None:
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Pending[Item, Outcome]] = []  # never left non-empty without a writer
        self._writing = False

    def submit(self, item: Item) -> Outcome:
        pending: _Pending[Item, Outcome] = _Pending(item)
        with self._lock:
            self._queue.append(pending)
            leads, self._writing = not self._writing, True
        if not leads:
            pending.wake.acquire()
        if not pending.done:
            self._lead(pending)
        if isinstance(pending.outcome, BaseException):
            raise pending.outcome
        return pending.outcome  # type: ignore[return-value]

    def _lead(self, own: _Pending[Item, Outcome]) -> None:
        """Write the first requests waiting (the leader's own among them), wake them, hand over to the next one."""
        with self._lock:
            batch, self._queue = self._queue[:self._max_batch], self._queue[self._max_batch:]
        try:
            outcomes = self._write([pending.item for pending in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"group commit: {len(outcomes)} outcomes for {len(batch)} items")
        except BaseException as error:  # noqa: BLE001 - handed to every request of the batch, which raises it
            outcomes = [error] * len(batch)
        for pending, outcome in zip(batch, outcomes):
            pending.outcome, pending.done = outcome, True
            if pending is not own:
                pending.wake.release()
        with self._lock:
            successor = self._queue[0] if self._queue else None
            self._writing = successor is not None
        if successor is not None:
            successor.wake.release()
