"""A clock that moves only when a test says so: the injected time source of backoffs,
queues, probers and leases (house style: test seams are injected dependencies)."""

from __future__ import annotations


class ManualClock:
    """Seconds (monotonic or epoch, per `now`) that advance by hand."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
