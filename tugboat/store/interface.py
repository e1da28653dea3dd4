"""The Store interface: a revisioned key-value log in etcd's shape.

Every write gets the next revision of one global, monotonic counter; that revision is the
object's resourceVersion. Values are opaque bytes (the apiserver stores JSON). Watches
replay the log after a revision and then follow live changes; compaction forgets history
older than a revision, and asking for it raises Compacted (the apiserver's 410 Gone).

All methods are coroutines so that an implementation can group-commit many concurrent
writers into one transaction and one fsync without blocking the event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable


class StoreError(Exception):
    """Base of the store's errors."""


class KeyNotFound(StoreError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class KeyExists(StoreError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class Conflict(StoreError):
    """The expected revision is not the key's current revision (a lost-update race)."""

    def __init__(self, key: str, expected: int, actual: int):
        super().__init__(f"{key}: expected revision {expected}, current {actual}")
        self.key, self.expected, self.actual = key, expected, actual


class Compacted(StoreError):
    """The requested revision is older than the compacted history."""

    def __init__(self, requested: int, compacted: int):
        super().__init__(f"revision {requested} compacted (oldest kept {compacted})")
        self.requested, self.compacted = requested, compacted


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: bytes
    create_revision: int
    mod_revision: int  # the revision that wrote this value: the resourceVersion


@dataclass(frozen=True, slots=True)
class Event:
    type: Literal["PUT", "DELETE"]
    kv: KeyValue  # for DELETE: the last value, with mod_revision = the delete's revision
    prev: KeyValue | None = None  # the value before this change, when there was one
    created: bool = False  # a PUT that created the key


class Store(Protocol):
    async def start(self) -> None:
        """Open the database and start background work (the committer)."""

    async def close(self) -> None:
        """Finish pending writes and release the database."""

    async def current_revision(self) -> int: ...

    async def compacted_revision(self) -> int: ...

    async def get(self, key: str) -> KeyValue:
        """The key's current value; KeyNotFound if absent."""

    async def list(self, prefix: str, revision: int = 0) -> tuple[list[KeyValue], int]:
        """Every live key under prefix, sorted by key, as of `revision` (0 = now), and the
        revision the list reflects. Compacted if `revision` is older than the history."""

    async def create(self, key: str, value: bytes) -> KeyValue:
        """KeyExists if the key is live."""

    async def update(self, key: str, value: bytes, expected_revision: int) -> KeyValue:
        """Conflict unless the key's mod_revision is `expected_revision` (0 = any);
        KeyNotFound if absent."""

    async def delete(self, key: str, expected_revision: int = 0) -> KeyValue:
        """Remove the key; returns the last value with mod_revision set to the delete's
        revision. Conflict / KeyNotFound as for update."""

    def watch(self, prefix: str, revision: int) -> AsyncIterator[Event]:
        """Events for keys under prefix with revision > `revision`, oldest first: the
        stored history, then live changes, until the iterator is closed. Compacted (raised
        on first iteration) if `revision` is older than the history."""

    async def compact(self, revision: int) -> None:
        """Drop history older than `revision`, keeping every key's current value."""


@runtime_checkable
class StoreHealth(Protocol):
    """What the API server's /readyz asks of the storage under it (an implementation
    offers it beside Store; wrappers such as encryption at rest need not)."""

    @property
    def data_dir(self) -> Path:
        """The directory whose disk holds the data: its free space is watched."""

    async def probe(self) -> None:
        """Commit something to disk without adding a revision; StoreError if it cannot."""
