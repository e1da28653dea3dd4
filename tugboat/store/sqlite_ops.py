"""The SQLite store's writes, as small values the committer applies in its batch.

An op checks its precondition against the key's latest row and appends the next row. The
committer is the only writer, so nothing can change the key between that SELECT and the
INSERT; the UNIQUE(name, prev_revision) index stays as the safety net. A failed
precondition raises a StoreError that fails this op only; the rest of the batch commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from tugboat.store import sqlite_queries as queries
from tugboat.store.interface import Conflict, Event, KeyExists, KeyNotFound, KeyValue
from tugboat.store.sqlite_queries import Row
from tugboat.store.sqlite_schema import PROBE


@dataclass
class WriteTxn:
    """One batch transaction: its connection, the last revision handed out, and the
    events of the ops applied so far (published only once the batch has committed)."""

    conn: Connection
    revision: int
    events: list[Event] = field(default_factory=list)

    def append(self, key: str, value: bytes, *, latest: Row | None, created: bool = False,
               deleted: bool = False) -> Row:
        revision = self.revision + 1
        row = Row(revision, key, created, deleted,
                  revision if latest is None or created else latest.create_revision,
                  latest.id if latest is not None else 0, value)
        try:
            queries.append(self.conn, row)
        except IntegrityError as e:
            # Another writer appended after `latest`: only possible if a second process
            # writes the same file. The index turned the lost update into this error.
            actual = queries.latest_row(self.conn, key)
            raise Conflict(key, row.prev_revision, actual.id if actual else 0) from e
        self.revision = revision
        return row


class WriteOp(Protocol):
    def apply(self, txn: WriteTxn) -> Any:
        """Apply inside the batch transaction; raise StoreError to fail just this op."""


@dataclass(frozen=True, slots=True)
class Create:
    key: str
    value: bytes

    def apply(self, txn: WriteTxn) -> KeyValue:
        latest = queries.latest_row(txn.conn, self.key)
        if latest is not None and not latest.deleted:
            raise KeyExists(self.key)
        row = txn.append(self.key, self.value, latest=latest, created=True)
        txn.events.append(row.event(None))
        return row.key_value()


@dataclass(frozen=True, slots=True)
class Update:
    key: str
    value: bytes
    expected_revision: int

    def apply(self, txn: WriteTxn) -> KeyValue:
        latest = _live_row(txn, self.key, self.expected_revision)
        row = txn.append(self.key, self.value, latest=latest)
        txn.events.append(row.event(latest.key_value()))
        return row.key_value()


@dataclass(frozen=True, slots=True)
class Delete:
    key: str
    expected_revision: int

    def apply(self, txn: WriteTxn) -> KeyValue:
        latest = _live_row(txn, self.key, self.expected_revision)
        # The tombstone keeps the last value: watchers and the caller get it back.
        row = txn.append(self.key, latest.value, latest=latest, deleted=True)
        txn.events.append(row.event(latest.key_value()))
        return row.key_value()


@dataclass(frozen=True, slots=True)
class Compact:
    """Compact towards `target`, at most `window` revisions at a time, so that one huge
    compaction does not hold the write lock (and every writer) for long. Returns the
    compacted revision reached; the store repeats until it reaches the target."""

    target: int
    window: int

    def apply(self, txn: WriteTxn) -> int:
        _, compacted = queries.revisions(txn.conn)
        through = min(self.target, compacted + self.window, txn.revision)
        if through <= compacted:
            return compacted
        queries.compact_between(txn.conn, compacted, through)
        return through


@dataclass(frozen=True, slots=True)
class Probe:
    """The readiness probe's write: one row of `meta` rewritten, so the batch commits
    (and fsyncs) through the same writer as every object, without adding a revision."""

    value: int

    def apply(self, txn: WriteTxn) -> None:
        queries.set_meta(txn.conn, PROBE, self.value)


def _live_row(txn: WriteTxn, key: str, expected_revision: int) -> Row:
    latest = queries.latest_row(txn.conn, key)
    if latest is None or latest.deleted:
        raise KeyNotFound(key)
    if expected_revision and latest.id != expected_revision:
        raise Conflict(key, expected_revision, latest.id)
    return latest
