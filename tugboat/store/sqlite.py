"""The default Store: one SQLite file in kine's shape (see sqlite_schema).

This module wires the parts together. Writes go to the committer's single writer thread,
which group-commits them. Reads run on a few reader threads with their own connections:
WAL lets them read a consistent snapshot while the writer commits, and keeping them off
the event loop means a slow query never stalls the apiserver. Watches come from
`watching`, fed by the committer and by `history_page` below.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine

from tugboat.store import sqlite_queries as queries
from tugboat.store.committer import CommitStats, Committer
from tugboat.store.interface import Compacted, Event, KeyNotFound, KeyValue, StoreError
from tugboat.store.sqlite_ops import Compact, Create, Delete, Probe, Update
from tugboat.store.sqlite_schema import (
    check_integrity,
    create_schema,
    database_path,
    open_engine,
    prepare_file,
)
from tugboat.store.watching import Broadcaster, Watch

T = TypeVar("T")

READERS = 4
HISTORY_PAGE = 1000  # rows per history read, so a long replay never loads all at once
COMPACT_WINDOW = 10_000  # revisions per compaction transaction


class SQLiteStore:
    """The Store interface on one SQLite file; see the module docstring."""

    def __init__(self, url: str, *, allow_empty: bool = False):
        self.path = database_path(url)
        self.allow_empty = allow_empty  # may an existing but empty database be used?
        self._prepared = False
        self._writer_engine: Engine | None = None
        self._reader_engine: Engine | None = None
        self._readers: ThreadPoolExecutor | None = None
        self._committer: Committer | None = None
        self._broadcaster = Broadcaster()
        self._closed = False

    def prepare(self, integrity: bool = True) -> None:
        """Check and initialise the database file (see sqlite_schema): UnusableDatabase,
        with one line for the operator, when it cannot be used. A daemon calls this before
        serving; start() does it too, without the page-by-page integrity check."""
        if self._prepared:
            return
        existed = prepare_file(self.path, self.allow_empty)
        engine = open_engine(self.path, begin="BEGIN IMMEDIATE", pool_size=1)
        try:
            create_schema(engine, self.path, existed, self.allow_empty)
            if integrity and existed:
                check_integrity(engine, self.path)
        finally:
            engine.dispose()
        self._prepared = True

    async def start(self) -> None:
        await asyncio.to_thread(self.prepare, False)
        self._writer_engine = open_engine(self.path, begin="BEGIN IMMEDIATE", pool_size=1)
        self._reader_engine = open_engine(self.path, begin="BEGIN", pool_size=READERS)
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="tugboat-store-read")
        self._committer = Committer(self._writer_engine, asyncio.get_running_loop(),
                                    self._broadcaster.publish)
        self._committer.start()

    async def close(self) -> None:
        if self._closed or self._committer is None:
            return
        self._closed = True
        await self._committer.stop()
        self._broadcaster.close()
        assert self._readers is not None
        await asyncio.to_thread(self._readers.shutdown)
        for engine in (self._reader_engine, self._writer_engine):
            if engine is not None:
                engine.dispose()

    @property
    def commit_stats(self) -> CommitStats:
        """How well group commit is batching (for metrics)."""
        return self._writing().stats

    @property
    def data_dir(self) -> Path:
        """Where the database and its -wal live: the disk /readyz watches."""
        return self.path.parent

    async def probe(self) -> None:
        """Commit through the writer, to disk, without adding a revision (/readyz)."""
        await self._writing().submit(Probe(time.time_ns()))

    @property
    def watchers(self) -> int:
        """Open watches (for metrics)."""
        return len(self._broadcaster)

    # Reads

    async def current_revision(self) -> int:
        current, _ = await self._read(queries.revisions)
        return current

    async def compacted_revision(self) -> int:
        _, compacted = await self._read(queries.revisions)
        return compacted

    async def get(self, key: str) -> KeyValue:
        row = await self._read(queries.latest_row, key)
        if row is None or row.deleted:
            raise KeyNotFound(key)
        return row.key_value()

    async def list(self, prefix: str, revision: int = 0) -> tuple[list[KeyValue], int]:
        return await self._read(_list_at, prefix, revision)

    async def history_page(self, prefix: str, after: int) -> tuple[list[Event], int, bool]:
        """For watches: see watching.History."""
        return await self._read(_history_page, prefix, after)

    def watch(self, prefix: str, revision: int) -> AsyncIterator[Event]:
        return Watch(self._broadcaster, self, prefix, revision)

    # Writes

    async def create(self, key: str, value: bytes) -> KeyValue:
        return await self._writing().submit(Create(key, value))

    async def update(self, key: str, value: bytes, expected_revision: int) -> KeyValue:
        return await self._writing().submit(Update(key, value, expected_revision))

    async def delete(self, key: str, expected_revision: int = 0) -> KeyValue:
        return await self._writing().submit(Delete(key, expected_revision))

    async def compact(self, revision: int) -> None:
        current, compacted = await self._read(queries.revisions)
        if revision > current:
            raise ValueError(f"cannot compact at {revision}: current revision is {current}")
        while compacted < revision:
            reached = await self._writing().submit(Compact(revision, COMPACT_WINDOW))
            if reached <= compacted:
                break
            compacted = reached

    # Plumbing

    def _writing(self) -> Committer:
        if self._committer is None:
            raise StoreError("store not started")
        return self._committer

    async def _read(self, query: Callable[..., T], *args: object) -> T:
        if self._readers is None or self._closed:
            raise StoreError("store not started" if self._readers is None else "store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, partial(self._in_snapshot, query, *args))

    def _in_snapshot(self, query: Callable[..., T], *args: object) -> T:
        assert self._reader_engine is not None
        with self._reader_engine.connect() as conn, conn.begin():
            return query(conn, *args)


def _list_at(conn: Connection, prefix: str, revision: int) -> tuple[list[KeyValue], int]:
    current, compacted = queries.revisions(conn)
    if revision and revision < compacted:
        raise Compacted(revision, compacted)
    # A revision from the future reads as now: nothing newer exists to show.
    at = min(revision, current) if revision else current
    return [row.key_value() for row in queries.rows_at(conn, prefix, at)], at


def _history_page(conn: Connection, prefix: str, after: int) -> tuple[list[Event], int, bool]:
    current, compacted = queries.revisions(conn)
    # Checked on every page: a compaction between two pages would leave a gap.
    if after < compacted:
        raise Compacted(after, compacted)
    events = queries.events_between(conn, prefix, after, current, HISTORY_PAGE)
    if len(events) == HISTORY_PAGE:
        return events, events[-1].kv.mod_revision, True
    return events, current, False
