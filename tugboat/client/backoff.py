"""A capped exponential delay per key, with an injectable clock (client-go's flowcontrol.Backoff).

One Backoff serves many keys (a pod's container, a work-queue item, a reconnecting
informer). Each failure doubles the key's delay up to a cap; a key that stays quiet for
`reset_after` seconds after its last failure starts again from the initial delay. The
kubelet's CrashLoopBackOff is `Backoff(10, 300)` (reset after 2 × cap = 10 min of good
running):

    if backoff.in_backoff(key):          # crashed again too soon
        wait backoff.remaining(key)      # report CrashLoopBackOff meanwhile
    else:
        backoff.next(key); restart()

The clock is any callable returning monotonic seconds, so tests step time by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass
class _Entry:
    delay: float
    last_update: float
    steps: int


class Backoff:
    """Per-key capped exponential backoff: initial, initial×factor, …, cap."""

    def __init__(
        self,
        initial: float,
        cap: float,
        *,
        factor: float = 2.0,
        reset_after: float | None = None,
        clock: Clock = time.monotonic,
    ):
        if initial <= 0 or cap < initial or factor < 1:
            raise ValueError("need 0 < initial <= cap and factor >= 1")
        self.initial = initial
        self.cap = cap
        self.factor = factor
        self.reset_after = 2 * cap if reset_after is None else reset_after
        self.clock = clock
        self._entries: dict[Hashable, _Entry] = {}

    def next(self, key: Hashable) -> float:
        """Record a failure of `key` now and return its new delay."""
        now = self.clock()
        entry = self._live(key, now)
        if entry is None:
            entry = self._entries[key] = _Entry(self.initial, now, 1)
        else:
            entry.delay = min(entry.delay * self.factor, self.cap)
            entry.last_update = now
            entry.steps += 1
        return entry.delay

    def delay(self, key: Hashable) -> float:
        """The key's current delay; 0 if it has none (or it was reset by quiet)."""
        entry = self._live(key, self.clock())
        return entry.delay if entry else 0.0

    def steps(self, key: Hashable) -> int:
        """How many failures count towards the key's current delay."""
        entry = self._live(key, self.clock())
        return entry.steps if entry else 0

    def in_backoff(self, key: Hashable) -> bool:
        """True while less than the key's delay has passed since its last failure."""
        return self.remaining(key) > 0

    def remaining(self, key: Hashable) -> float:
        """Seconds until the key's backoff ends (0 if not backing off)."""
        now = self.clock()
        entry = self._live(key, now)
        return max(0.0, entry.last_update + entry.delay - now) if entry else 0.0

    def reset(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def gc(self) -> None:
        """Drop keys that have been quiet long enough to have reset anyway."""
        now = self.clock()
        for key in [k for k, e in self._entries.items() if self._expired(e, now)]:
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    def _live(self, key: Hashable, now: float) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and self._expired(entry, now):
            del self._entries[key]
            return None
        return entry

    def _expired(self, entry: _Entry, now: float) -> bool:
        return now - entry.last_update > self.reset_after
