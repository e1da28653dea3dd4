"""The per-key work queue every controller loop shares (client-go's workqueue).

Event handlers only `add(key)`; workers `await get()`, reconcile, then `done(key)`. The
semantics that make level-triggered controllers simple:

- a key queued twice is processed once (dedupe while waiting);
- a key is never handed to two workers at once: re-added while processing, it is queued
  again only when `done(key)` is called;
- `add_after(key, delay)` defers a key (the earliest pending time wins);
- `add_rate_limited(key)` defers it by a per-key exponential backoff that `forget(key)`
  resets after a success;
- `shutdown()` wakes every worker: `get()` then raises `ShutDown`.

The typical worker:

    while True:
        try:
            key = await queue.get()
        except ShutDown:
            return
        try:
            await reconcile(key)
            queue.forget(key)
        except Exception:
            queue.add_rate_limited(key)
        finally:
            queue.done(key)
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable
from typing import Protocol

from tugboat.client.backoff import Backoff


class ShutDown(Exception):
    """Raised by `WorkQueue.get()` once the queue is shut down."""


class RateLimiter(Protocol):
    def when(self, key: Hashable) -> float: ...
    def forget(self, key: Hashable) -> None: ...
    def num_requeues(self, key: Hashable) -> int: ...


class ExponentialRateLimiter:
    """base × 2^failures per key, capped (client-go's ItemExponentialFailureRateLimiter)."""

    def __init__(self, base: float = 0.005, cap: float = 1000.0):
        # Never reset by quiet: only forget() clears a key, as in client-go.
        self._backoff = Backoff(base, cap, reset_after=float("inf"))

    def when(self, key: Hashable) -> float:
        return self._backoff.next(key)

    def forget(self, key: Hashable) -> None:
        self._backoff.reset(key)

    def num_requeues(self, key: Hashable) -> int:
        return self._backoff.steps(key)


class WorkQueue:
    """asyncio work queue with dedupe, processing exclusion, delays and rate limiting."""

    def __init__(self, rate_limiter: RateLimiter | None = None, name: str = ""):
        self.name = name
        self.rate_limiter: RateLimiter = (
            rate_limiter if rate_limiter is not None else ExponentialRateLimiter())
        self._queue: deque[Hashable] = deque()
        self._dirty: set[Hashable] = set()
        self._processing: set[Hashable] = set()
        self._waiting: dict[Hashable, tuple[float, asyncio.TimerHandle]] = {}
        self._ready = asyncio.Event()
        self._shutting_down = False

    # --- adding -------------------------------------------------------------------------

    def add(self, key: Hashable) -> None:
        """Queue `key` unless it is already queued; if it is being processed, queue it
        again when the worker calls done()."""
        if self._shutting_down or key in self._dirty:
            return
        self._dirty.add(key)
        if key in self._processing:
            return
        self._queue.append(key)
        self._ready.set()

    def add_after(self, key: Hashable, delay: float) -> None:
        """Queue `key` after `delay` seconds; an earlier pending time for it wins."""
        if self._shutting_down:
            return
        if delay <= 0:
            self.add(key)
            return
        loop = asyncio.get_running_loop()
        due = loop.time() + delay
        pending = self._waiting.get(key)
        if pending is not None:
            if pending[0] <= due:
                return
            pending[1].cancel()
        self._waiting[key] = (due, loop.call_at(due, self._fire, key))

    def add_rate_limited(self, key: Hashable) -> None:
        """Queue `key` after its next per-key backoff delay."""
        self.add_after(key, self.rate_limiter.when(key))

    def forget(self, key: Hashable) -> None:
        """The key succeeded: reset its rate-limit backoff."""
        self.rate_limiter.forget(key)

    def num_requeues(self, key: Hashable) -> int:
        return self.rate_limiter.num_requeues(key)

    # --- processing ---------------------------------------------------------------------

    async def get(self) -> Hashable:
        """Wait for the next key and mark it processing. Raises ShutDown when shut down."""
        while not self._queue:
            if self._shutting_down:
                raise ShutDown(self.name)
            self._ready.clear()
            await self._ready.wait()
        key = self._queue.popleft()
        self._processing.add(key)
        self._dirty.discard(key)
        return key

    def done(self, key: Hashable) -> None:
        """The worker finished `key`; if it was re-added meanwhile, queue it again."""
        self._processing.discard(key)
        if key in self._dirty:
            self._queue.append(key)
            self._ready.set()

    def shutdown(self) -> None:
        """Stop accepting keys, drop the queued and delayed ones, and wake every worker."""
        self._shutting_down = True
        for _, handle in self._waiting.values():
            handle.cancel()
        self._waiting.clear()
        self._queue.clear()
        self._dirty.clear()
        self._ready.set()

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    def __len__(self) -> int:
        """Keys ready to be handed out (not counting delayed or processing ones)."""
        return len(self._queue)

    def _fire(self, key: Hashable) -> None:
        self._waiting.pop(key, None)
        self.add(key)
