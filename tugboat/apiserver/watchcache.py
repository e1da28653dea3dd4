"""The watch cache (DESIGN §5): every current object and a window of recent changes in
memory, fed by one watch on the store. Gets, lists and watches are served from here, so
reads never queue behind the store's writer, and thousands of watchers cost one store
watch. A write handler waits for the cache to reach its own revision before replying,
which gives read-your-writes to every client.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from tugboat.store import Compacted, Event, Store

log = logging.getLogger(__name__)

Obj = dict[str, Any]


@dataclass(slots=True)
class Change:
    """One change to one object, as watchers see it."""

    rev: int
    type: str  # ADDED | MODIFIED | DELETED
    key: str
    obj: Obj
    prev: Obj | None
    encoded: bytes | None = None  # obj as JSON, made once and shared by every watcher

    def json(self) -> bytes:
        if self.encoded is None:
            self.encoded = orjson.dumps(self.obj)
        return self.encoded


@dataclass(eq=False)
class Watcher:
    prefix: str
    queue: asyncio.Queue[Change | None] = field(default_factory=asyncio.Queue)
    closed: bool = False


class TooOld(Exception):
    """The requested resourceVersion is older than the cache's window of changes."""


def _decode(value: bytes, rev: int) -> Obj:
    obj = orjson.loads(value)
    obj.setdefault("metadata", {})["resourceVersion"] = str(rev)
    return obj


class WatchCache:
    def __init__(self, store: Store, window: int = 50_000, max_queue: int = 10_000):
        self.store = store
        self.window = window
        self.max_queue = max_queue
        self.rev = 0
        self.oldest = 0  # changes with rev > oldest are all in self.changes
        self._objects: dict[str, dict[str, Obj]] = {}  # resource prefix → key → object
        self.changes: deque[Change] = deque()
        self._watchers: set[Watcher] = set()
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    # -- feeding ------------------------------------------------------------------

    async def start(self) -> None:
        kvs, rev = await self.store.list("/registry/")
        for kv in kvs:
            self._bucket(kv.key)[kv.key] = _decode(kv.value, kv.mod_revision)
        self.rev = self.oldest = rev
        self._task = asyncio.create_task(self._follow(), name="watchcache")
        self.ready.set()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        for w in list(self._watchers):
            self._close(w)

    async def _follow(self) -> None:
        while True:
            try:
                async for ev in self.store.watch("/registry/", self.rev):
                    self._apply(ev)
            except asyncio.CancelledError:
                raise
            except Compacted:
                log.error("watch cache fell behind compaction; relisting")
                await self._relist()
            except Exception:  # the store hiccuped; resume from where we are
                log.exception("store watch failed; resuming from %d", self.rev)
                await asyncio.sleep(0.1)

    async def _relist(self) -> None:
        kvs, rev = await self.store.list("/registry/")
        self._objects.clear()
        for kv in kvs:
            self._bucket(kv.key)[kv.key] = _decode(kv.value, kv.mod_revision)
        self.rev = self.oldest = rev
        self.changes.clear()
        for w in list(self._watchers):  # their view is no longer continuous
            self._close(w)

    @staticmethod
    def _prefix_of(key: str) -> str:
        # /registry/<group>/<resource>/... → /registry/<group>/<resource>/
        parts = key.split("/", 4)
        return "/".join(parts[:4]) + "/"

    def _bucket(self, key: str) -> dict[str, Obj]:
        p = self._prefix_of(key)
        b = self._objects.get(p)
        if b is None:
            b = self._objects[p] = {}
        return b

    def _apply(self, ev: Event) -> None:
        rev = ev.kv.mod_revision
        bucket = self._bucket(ev.kv.key)
        prev = bucket.get(ev.kv.key)
        obj = _decode(ev.kv.value, rev)
        if ev.type == "DELETE":
            bucket.pop(ev.kv.key, None)
            change = Change(rev, "DELETED", ev.kv.key, obj, prev)
        else:
            bucket[ev.kv.key] = obj
            change = Change(rev, "ADDED" if prev is None else "MODIFIED", ev.kv.key, obj, prev)
        self.changes.append(change)
        if len(self.changes) > self.window:
            self.oldest = self.changes.popleft().rev
        self.rev = rev
        for w in self._watchers:
            if change.key.startswith(w.prefix):
                if w.queue.qsize() >= self.max_queue:  # a stuck client: drop it, it relists
                    self._close(w)
                else:
                    w.queue.put_nowait(change)
        if self._waiters:
            self._wake()

    def _wake(self) -> None:
        keep = []
        for want, fut in self._waiters:
            if want <= self.rev:
                if not fut.done():
                    fut.set_result(None)
            else:
                keep.append((want, fut))
        self._waiters = keep

    # -- reading ------------------------------------------------------------------

    async def wait_for(self, rev: int, timeout: float = 10.0) -> None:
        """Return once the cache has seen revision `rev` (read-your-writes)."""
        if rev <= self.rev:
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((rev, fut))
        await asyncio.wait_for(fut, timeout)

    def get(self, key: str) -> Obj | None:
        return self._bucket(key).get(key)

    def list(self, prefix: str, match: Callable[[Obj], bool] | None = None) -> list[Obj]:
        """Current objects under prefix, sorted by key, filtered by `match`."""
        bucket = self._objects.get(self._prefix_of(prefix + "x"), {})
        if prefix.count("/") > 4:  # namespaced prefix: filter on it
            items = [(k, o) for k, o in bucket.items() if k.startswith(prefix)]
        else:
            items = list(bucket.items())
        items.sort(key=lambda kv: kv[0])
        return [o for _, o in items if match is None or match(o)]

    def count(self, prefix: str) -> int:
        return sum(1 for _ in self.list(prefix))

    # -- watching -----------------------------------------------------------------

    def watch(self, prefix: str, since: int | None) -> tuple[Watcher, list[Change]]:
        """Register a watcher for changes under prefix. With `since`, also return the
        buffered changes after it (TooOld if the window no longer reaches back that far);
        with None, the caller sends the current state first. Registration and the snapshot
        happen in one step of the event loop, so nothing falls between them."""
        backlog: list[Change] = []
        if since is not None and since < self.rev:
            if since < self.oldest:
                raise TooOld(f"too old resource version: {since} ({self.oldest})")
            backlog = [c for c in self.changes if c.rev > since and c.key.startswith(prefix)]
        w = Watcher(prefix)
        self._watchers.add(w)
        return w, backlog

    def _close(self, w: Watcher) -> None:
        if not w.closed:
            w.closed = True
            w.queue.put_nowait(None)
        self._watchers.discard(w)

    def unwatch(self, w: Watcher) -> None:
        self._watchers.discard(w)
        w.closed = True

    @property
    def watcher_count(self) -> int:
        return len(self._watchers)
