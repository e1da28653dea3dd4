"""Group commit: one writer thread turns many concurrent writes into one transaction.

SQLite has one writer at a time and, with synchronous=FULL, every COMMIT waits for an
fsync; committing each request on its own would cap the store at the disk's fsync rate.
Instead coroutines enqueue an op and await a future. The writer thread takes everything
pending, applies it in ONE transaction (BEGIN IMMEDIATE ... COMMIT, one fsync) and then,
on the event loop, hands the batch's events to the watchers before resolving the writers'
futures: once a write is acknowledged, every watcher already has its event queued.
While one batch is being fsynced the next one accumulates, so batches grow with load.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from tugboat.store import sqlite_queries as queries
from tugboat.store.interface import Event, StoreError
from tugboat.store.sqlite_ops import WriteOp, WriteTxn

log = logging.getLogger(__name__)

MAX_BATCH = 1000

Pending = tuple[WriteOp, asyncio.Future[Any]]
Outcome = Any  # an op's result, or the exception that failed it
_STOP = None  # queued by stop(): the writer drains what came before, then exits


@dataclass(frozen=True, slots=True)
class CommitStats:
    batches: int  # transactions committed
    ops: int  # ops applied in them (ops / batches = the mean batch size)


class Committer:
    def __init__(self, engine: Engine, loop: asyncio.AbstractEventLoop,
                 publish: Callable[[list[Event]], None]):
        self._engine = engine
        self._loop = loop
        self._publish = publish
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._conn: Connection | None = None
        self._thread = threading.Thread(target=self._run, name="tugboat-store-committer",
                                        daemon=True)
        self._stopping = False
        self._batches = 0
        self._ops = 0

    @property
    def stats(self) -> CommitStats:
        return CommitStats(self._batches, self._ops)

    def start(self) -> None:
        # Connect here, not in the thread, so a database that cannot be opened fails
        # start() instead of leaving every writer waiting forever.
        self._conn = self._engine.connect()
        self._thread.start()

    async def submit(self, op: WriteOp) -> Any:
        if self._stopping:
            raise StoreError("store is closed")
        future = self._loop.create_future()
        self._queue.put((op, future))
        return await future

    async def stop(self) -> None:
        """Commit everything already submitted, then stop the thread."""
        if self._stopping:
            return
        self._stopping = True
        self._queue.put(_STOP)
        await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        assert self._conn is not None
        with self._conn as conn:
            while True:
                batch, stop = self._take_batch()
                if batch:
                    self._commit(conn, batch)
                if stop:
                    return

    def _take_batch(self) -> tuple[list[Pending], bool]:
        """Block for one op, then take whatever else is already waiting."""
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
        return batch, False

    def _commit(self, conn: Connection, batch: list[Pending]) -> None:
        try:
            with conn.begin():
                current, _ = queries.revisions(conn)
                txn = WriteTxn(conn, current)
                outcomes = [_apply(op, txn) for op, _ in batch]
        except Exception as e:  # the transaction rolled back: every op in it failed
            log.exception("store commit of %d ops failed", len(batch))
            self._hand_back(batch, [_failure(e) for _ in batch], [])
            return
        self._batches += 1
        self._ops += len(batch)
        self._hand_back(batch, outcomes, txn.events)

    def _hand_back(self, batch: list[Pending], outcomes: list[Outcome],
                   events: list[Event]) -> None:
        try:
            self._loop.call_soon_threadsafe(self._deliver, batch, outcomes, events)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            log.warning("event loop closed; dropping %d store results", len(batch))

    def _deliver(self, batch: list[Pending], outcomes: list[Outcome],
                 events: list[Event]) -> None:
        """On the event loop: events to the watchers first, then acknowledge the writers."""
        if events:
            self._publish(events)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the writer was cancelled; its op committed anyway
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def _apply(op: WriteOp, txn: WriteTxn) -> Outcome:
    try:
        return op.apply(txn)
    except StoreError as e:
        return e


def _failure(cause: Exception) -> StoreError:
    # One exception per op: an instance raised in several tasks would mix tracebacks.
    failure = StoreError(f"commit failed: {cause}")
    failure.__cause__ = cause
    return failure
