"""Watches: the stored history after a revision, then live events, without a gap or a
duplicate at the switch between the two.

The order that makes this hold: a watch first subscribes to live events, THEN reads the
history. An event published before the subscription was committed before it, so the
history read (which starts later) sees it; an event published after lands in the queue.
Events present in both are dropped from the queue by revision. The Broadcaster and every
Watch live on the event loop thread; the store's committer publishes through
call_soon_threadsafe, in revision order.

Nothing here speaks SQL: a store supplies its history through the `History` protocol, so
another backend can reuse this module.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from tugboat.store.interface import Event


class History(Protocol):
    async def history_page(self, prefix: str, after: int) -> tuple[list[Event], int, bool]:
        """One page of stored events under prefix with revision > `after`, oldest first;
        the revision the page covers through; whether more history follows. Compacted if
        `after` is older than the compacted revision."""


@dataclass(eq=False)
class Subscription:
    prefix: str
    queue: asyncio.Queue[list[Event] | None] = field(default_factory=asyncio.Queue)


class Broadcaster:
    """Hands each committed batch's events to the subscribed watches (their queues are
    unbounded: a slow watcher costs memory, never blocks the writers)."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def __len__(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, prefix: str) -> Subscription:
        subscription = Subscription(prefix)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def publish(self, events: list[Event]) -> None:
        # A copy: a watch dropped by the garbage collector (in whatever thread it runs)
        # may unsubscribe meanwhile.
        for sub in tuple(self._subscriptions):
            matching = events if not sub.prefix else [
                e for e in events if e.kv.key.startswith(sub.prefix)]
            if matching:
                sub.queue.put_nowait(matching)

    def close(self) -> None:
        """End every watch (the store is closing)."""
        for sub in self._subscriptions:
            sub.queue.put_nowait(None)
        self._subscriptions.clear()


class Watch:
    """The async iterator `Store.watch` returns. It subscribes at once (so nothing
    committed after the watch() call can be missed) and reads history from the first
    __anext__, which is also where Compacted surfaces. aclose() — or just dropping the
    iterator, e.g. after `break` — unsubscribes."""

    def __init__(self, broadcaster: Broadcaster, history: History, prefix: str,
                 revision: int):
        self._broadcaster = broadcaster
        self._history = history
        self._prefix = prefix
        self._after = max(revision, 0)  # every event up to here was delivered or skipped
        self._replaying = True
        self._buffer: deque[Event] = deque()
        self._closed = False
        self._subscription: Subscription | None = broadcaster.subscribe(prefix)

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> Event:
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            try:
                await self._fill()
            except Exception:  # Compacted, or the store failed: this watch is over
                self._close()
                raise
        return self._buffer.popleft()

    async def aclose(self) -> None:
        self._close()

    def __del__(self) -> None:
        # Nobody can be waiting on a watch being collected; just stop feeding it.
        if self._subscription is not None:
            self._broadcaster.unsubscribe(self._subscription)

    def _close(self) -> None:
        self._closed = True
        self._buffer.clear()
        if self._subscription is not None:
            self._broadcaster.unsubscribe(self._subscription)
            self._subscription.queue.put_nowait(None)  # wake an __anext__ still waiting
            self._subscription = None

    async def _fill(self) -> None:
        if self._replaying:
            await self._replay_page()
        else:
            await self._follow()

    async def _replay_page(self) -> None:
        events, through, more = await self._history.history_page(self._prefix, self._after)
        self._buffer.extend(events)
        self._after = max(self._after, through)
        self._replaying = more

    async def _follow(self) -> None:
        subscription = self._subscription
        assert subscription is not None
        batch = await subscription.queue.get()
        if batch is None:
            self._close()
            return
        fresh = [e for e in batch if e.kv.mod_revision > self._after]
        if fresh:
            self._after = fresh[-1].kv.mod_revision
            self._buffer.extend(fresh)
