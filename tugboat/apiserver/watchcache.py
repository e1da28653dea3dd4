"""The watch cache (DESIGN §5): every current object and a window of recent changes in
memory, fed by one watch on the store. Gets, lists and watches are served from here, so
reads never queue behind the store's writer, and thousands of watchers cost one store
watch. A write handler waits for the cache to reach its own revision before replying,
which gives read-your-writes to every client.

The cache must never answer from a half state. A relist builds the new state aside and
swaps it in one step, so a relist that fails (even with MemoryError) leaves the old state
whole. Any failure of the task that follows the store is retried with a capped
exponential backoff, and while the cache is not current (`current` is False, `failure`
says why) the API server answers resource requests with 503 and /readyz fails, instead of
serving lists that are empty or stale. The window of changes is bounded by count and by
bytes, so a few large objects updated often cannot hold gigabytes of history; so is each
watcher's queue, so a client that stops reading cannot hold them either.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from tugboat.store import Compacted, Event, Store

log = logging.getLogger(__name__)

Obj = dict[str, Any]
PREFIX = "/registry/"
DEFAULT_WINDOW = 50_000  # changes
DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024  # JSON bytes of the changes kept
RETRY_BASE, RETRY_CAP = 0.1, 10.0  # seconds: client-go's backoff shape, capped low


@dataclass(slots=True)
class Change:
    """One change to one object, as watchers see it."""

    rev: int
    type: str  # ADDED | MODIFIED | DELETED
    key: str
    obj: Obj
    prev: Obj | None
    encoded: bytes | None = None  # obj as JSON, made once and shared by every watcher
    size: int = 0  # the stored value's length: what this change costs the window

    def json(self) -> bytes:
        if self.encoded is None:
            self.encoded = orjson.dumps(self.obj)
        return self.encoded


class ChangeQueue(asyncio.Queue[Change | None]):
    """A watcher's queue that knows the bytes of the changes it holds: a client that stops
    reading must not keep more than the window's bytes alive (the count bound alone lets
    10,000 changes of a large object pile up)."""

    def __init__(self) -> None:
        super().__init__()
        self.bytes = 0

    def _put(self, item: Change | None) -> None:
        super()._put(item)  # _put/_get: asyncio.Queue's hooks, as PriorityQueue uses them
        if item is not None:
            self.bytes += item.size

    def _get(self) -> Change | None:
        item: Change | None = super()._get()
        if item is not None:
            self.bytes -= item.size
        return item


@dataclass(eq=False)
class Watcher:
    prefix: str
    queue: ChangeQueue = field(default_factory=ChangeQueue)
    closed: bool = False


class TooOld(Exception):
    """The requested resourceVersion is older than the cache's window of changes."""


def _decode(value: bytes, rev: int) -> Obj:
    obj = orjson.loads(value)
    obj.setdefault("metadata", {})["resourceVersion"] = str(rev)
    return obj


def _prefix_of(key: str) -> str:
    # /registry/<group>/<resource>/... → /registry/<group>/<resource>/
    parts = key.split("/", 4)
    return "/".join(parts[:4]) + "/"


def _bucket_in(objects: dict[str, dict[str, Obj]], key: str) -> dict[str, Obj]:
    p = _prefix_of(key)
    b = objects.get(p)
    if b is None:
        b = objects[p] = {}
    return b


class WatchCache:
    def __init__(self, store: Store, window: int = DEFAULT_WINDOW, max_queue: int = 10_000,
                 window_bytes: int = DEFAULT_WINDOW_BYTES,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.window = window
        self.window_bytes = window_bytes
        self.max_queue = max_queue
        self.rev = 0
        self.oldest = 0  # changes with rev > oldest are all in self.changes
        self._objects: dict[str, dict[str, Obj]] = {}  # resource prefix → key → object
        self.changes: deque[Change] = deque()
        self.bytes = 0  # sum of the sizes of self.changes
        self._watchers: set[Watcher] = set()
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self._clock = clock
        self.ready = asyncio.Event()  # the first list is in
        self.failure: str | None = None  # why the cache is not current, when it is not
        self.failing_since: float | None = None
        self._recover_at = 0  # the revision that makes it current again

    @property
    def current(self) -> bool:
        """Serving from the cache gives right answers: loaded, and following the store."""
        return self.ready.is_set() and self.failure is None

    def not_current_for(self) -> float:
        """Seconds since the cache stopped being current (0 while it is)."""
        return 0.0 if self.failing_since is None else self._clock() - self.failing_since

    # -- feeding ------------------------------------------------------------------

    async def start(self) -> None:
        """Load every object (a failure here fails the start: nothing was served yet),
        then follow the store."""
        await self._relist()
        self.ready.set()
        self._task = asyncio.create_task(self._follow(), name="watchcache")
        self._task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        """_follow never returns; if it ends anyway, say so (not current, and /livez
        fails once that lasts) rather than serve a cache that stopped moving."""
        if not task.cancelled():
            self._fail(f"the task following the store ended: {task.exception()!r}")

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
        """Follow the store for ever: a compacted revision means a relist, any other
        failure (the store's, or one of ours such as MemoryError) a retry after a backoff,
        resuming from the last revision applied."""
        failures = 0
        relist = False
        while True:
            try:
                if relist:
                    await self._relist()
                    relist = False
                await self._catch_up_from(await self.store.current_revision())
                async for ev in self.store.watch(PREFIX, self.rev):
                    self._apply(ev)
                    failures = 0
                continue  # the store ended the watch without an error: open another
            except asyncio.CancelledError:
                raise
            except Compacted:
                self._fail("the store compacted past the cache's revision; relisting")
                relist = True
            except Exception as e:  # MemoryError included: retry, never die silently
                self._fail(f"following the store failed: {type(e).__name__}: {e}")
            delay = min(RETRY_CAP, RETRY_BASE * 2 ** failures)
            failures += 1
            log.warning("watch cache: %s; retrying in %.1fs", self.failure, delay)
            await asyncio.sleep(delay)

    async def _relist(self) -> None:
        """Build the whole new state aside, then swap it in within one step of the event
        loop: a failure anywhere before the swap leaves the old state as it was."""
        kvs, rev = await self.store.list(PREFIX)
        objects: dict[str, dict[str, Obj]] = {}
        for kv in kvs:
            _bucket_in(objects, kv.key)[kv.key] = _decode(kv.value, kv.mod_revision)
        del kvs
        self._objects = objects
        self.rev = self.oldest = rev
        self.changes.clear()
        self.bytes = 0
        for w in list(self._watchers):  # their view is no longer continuous
            self._close(w)
        self._recovered_if_caught_up()
        self._wake()

    async def _catch_up_from(self, committed: int) -> None:
        """(Re)opening the watch: current again once the cache holds `committed`."""
        self._recover_at = committed
        self._recovered_if_caught_up()

    def _fail(self, reason: str) -> None:
        if self.failure is None:
            self.failing_since = self._clock()
            log.error("watch cache not current: %s", reason)
        self.failure = reason
        # Writers waiting for their revision must not wait for a cache that may never
        # get there: their write is committed, and they answer with it (wait_for).
        for _, fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters = []

    def _recovered_if_caught_up(self) -> None:
        if self.failure is not None and self.rev >= self._recover_at:
            log.info("watch cache current again at revision %d after %.1fs", self.rev,
                     self.not_current_for())
            self.failure = None
            self.failing_since = None

    def _bucket(self, key: str) -> dict[str, Obj]:
        return _bucket_in(self._objects, key)

    def _apply(self, ev: Event) -> None:
        rev = ev.kv.mod_revision
        if rev <= self.rev:  # already applied (a relist overtook the watch)
            return
        bucket = self._bucket(ev.kv.key)
        prev = bucket.get(ev.kv.key)
        # Everything that can fail (decoding, memory) happens before the first mutation.
        if ev.type == "DELETE" and prev is not None:
            # The tombstone carries the last value: share it instead of decoding it again.
            obj = {**prev, "metadata": {**prev["metadata"], "resourceVersion": str(rev)}}
        else:
            obj = _decode(ev.kv.value, rev)
        if ev.type == "DELETE":
            bucket.pop(ev.kv.key, None)
            change = Change(rev, "DELETED", ev.kv.key, obj, prev, size=len(ev.kv.value))
        else:
            bucket[ev.kv.key] = obj
            change = Change(rev, "ADDED" if prev is None else "MODIFIED", ev.kv.key, obj, prev,
                            size=len(ev.kv.value))
        self.changes.append(change)
        self.bytes += change.size
        while self.changes and (len(self.changes) > self.window or
                                self.bytes > self.window_bytes):
            dropped = self.changes.popleft()
            self.bytes -= dropped.size
            self.oldest = dropped.rev
        self.rev = rev
        for w in self._watchers:
            if change.key.startswith(w.prefix):
                stuck = w.queue.qsize() >= self.max_queue or w.queue.bytes > self.window_bytes
                if stuck:  # a client that stopped reading: drop it, it relists
                    self._close(w)
                else:
                    w.queue.put_nowait(change)
        if self.failure is not None:
            self._recovered_if_caught_up()
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

    async def wait_for(self, rev: int, timeout: float = 10.0) -> bool:
        """Wait until the cache has seen revision `rev` (read-your-writes): True once it
        has; False if it is not current or does not get there within `timeout`. A writer
        whose revision is committed replies with its write either way — a 404 or 500
        would read as "not stored" — while the cache, marked not current, refuses the
        reads that would not see it."""
        if rev <= self.rev:
            return True
        if not self.current:
            return False
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((rev, fut))
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            if rev > self.rev and self.failure is None:
                self._recover_at = max(self._recover_at, rev)
                self._fail(f"revision {rev} was committed but not seen after {timeout:g}s "
                           f"(the cache is at {self.rev})")
        return rev <= self.rev

    def get(self, key: str) -> Obj | None:
        return self._bucket(key).get(key)

    def list(self, prefix: str, match: Callable[[Obj], bool] | None = None) -> list[Obj]:
        """Current objects under prefix, sorted by key, filtered by `match`."""
        bucket = self._objects.get(_prefix_of(prefix + "x"), {})
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
