"""Expectations (client-go's ControllerExpectations): what a controller has asked the API
server to create or delete and has not yet seen come back through its informer.

A controller that creates three pods would, on the next event, still see the old pod
count in its cache and create three more. So before acting it records how many creations
and which deletions it expects; its pod event handlers lower the counts as the informer
reports them; and it only acts again for that owner once the counts reach zero (or a
timeout passes, in case an event was lost). Bursts of events therefore never overshoot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

EXPECTATIONS_TIMEOUT = 300.0  # client-go's ExpectationsTimeout


@dataclass
class _Record:
    adds: int = 0
    deletes: set[str] = field(default_factory=set)
    stamp: float = 0.0


class Expectations:
    """Pending creations (a count) and deletions (pod keys) per controller key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 timeout: float = EXPECTATIONS_TIMEOUT):
        self.clock = clock
        self.timeout = timeout
        self._records: dict[str, _Record] = {}

    def satisfied(self, key: str) -> bool:
        """True when nothing is pending for `key`, or the record is too old to trust."""
        rec = self._records.get(key)
        if rec is None:
            return True
        if rec.adds <= 0 and not rec.deletes:
            return True
        return self.clock() - rec.stamp > self.timeout

    def expect_creations(self, key: str, count: int) -> None:
        self._records[key] = _Record(adds=count, stamp=self.clock())

    def expect_deletions(self, key: str, pod_keys: Iterable[str]) -> None:
        self._records[key] = _Record(deletes=set(pod_keys), stamp=self.clock())

    def creation_observed(self, key: str) -> None:
        rec = self._records.get(key)
        if rec is not None and rec.adds > 0:
            rec.adds -= 1

    def deletion_observed(self, key: str, pod_key: str) -> None:
        rec = self._records.get(key)
        if rec is not None:
            rec.deletes.discard(pod_key)

    def pending(self, key: str) -> tuple[int, int]:
        rec = self._records.get(key)
        return (rec.adds, len(rec.deletes)) if rec else (0, 0)

    def forget(self, key: str) -> None:
        self._records.pop(key, None)
