"""Group commit: requests that write at the same moment share one statement and one commit.

There is no writer thread. The first request to arrive writes, taking along everything queued so far; requests that
arrive meanwhile wait, and the first of them to wake up writes the next batch for all of them. A lone request
writes at once; under load a batch holds about as many rows as there are requests waiting, and the database pays
for one statement and one WAL flush per batch instead of per row.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class _Pending(Generic[Item, Outcome]):
    __slots__ = ("item", "outcome", "done")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.outcome: Outcome | BaseException | None = None
        self.done = False


class GroupCommit(Generic[Item, Outcome]):
    """`write(items)` stores a batch and returns one outcome per item, in order: a result, or the exception that
    item's request raises. If it raises, every request of the batch raises that exception."""

    def __init__(self, write: Callable[[list[Item]], list[Outcome | BaseException]], max_batch: int = 64) -> None:
        self._write = write
        self._max_batch = max_batch
        self._condition = threading.Condition()
        self._queue: list[_Pending[Item, Outcome]] = []
        self._writing = False

    def submit(self, item: Item) -> Outcome:
        pending: _Pending[Item, Outcome] = _Pending(item)
        with self._condition:
            self._queue.append(pending)
        while True:
            with self._condition:
                while self._writing and not pending.done:
                    self._condition.wait()
                if pending.done:
                    break
                self._writing = True
                batch, self._queue = self._queue[:self._max_batch], self._queue[self._max_batch:]
            self._lead(batch)
        if isinstance(pending.outcome, BaseException):
            raise pending.outcome
        return pending.outcome  # type: ignore[return-value]

    def _lead(self, batch: list[_Pending[Item, Outcome]]) -> None:
        try:
            outcomes = self._write([pending.item for pending in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"group commit: {len(outcomes)} outcomes for {len(batch)} items")
        except BaseException as error:  # noqa: BLE001 - handed to every request of the batch, which raises it
            outcomes = [error] * len(batch)
        with self._condition:
            for pending, outcome in zip(batch, outcomes):
                pending.outcome, pending.done = outcome, True
            self._writing = False
            self._condition.notify_all()
