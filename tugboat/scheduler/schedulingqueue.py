"""The scheduling queue: which pending pod to try next (kube-scheduler's PriorityQueue).

Three places a pod waits:

- activeQ, a heap ordered by priority (spec.priority, highest first) then by the time it
  entered the queue (oldest first) — the PrioritySort order;
- backoffQ: pods that failed recently, each held for its own capped exponential delay
  (1 s doubling to 10 s by default, tugboat.client.Backoff), then flushed to activeQ;
- unschedulablePods: pods no node fits, parked until a cluster event one of the plugins
  that rejected them cares about (a node added, grown, relabelled, untainted; a bound
  pod deleted) moves them back — to backoffQ if still backing off — or until they have
  waited `max_unschedulable` (5 min) and are retried anyway.

A pod being scheduled is "in flight". If the cluster changed while it was in flight, a
failure sends it to backoffQ rather than unschedulablePods, so the change is not missed
(kube's moveRequestCycle). The clock is injected; tests step it and call the flushes.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tugboat.client import Backoff, ShutDown
from tugboat.scheduler.framework import ClusterEvent, PodInfo

Interest = Callable[[Iterable[str], ClusterEvent], bool]


@dataclass(eq=False)
class QueuedPodInfo:
    pod: PodInfo
    timestamp: float  # entered (or re-entered) the queue: the age PrioritySort orders by
    attempts: int = 0
    unschedulable_plugins: frozenset[str] = field(default_factory=frozenset)
    seq: int = 0  # which heap entry is current (older ones are stale)

    @property
    def key(self) -> str:
        return self.pod.key


class SchedulingQueue:
    def __init__(self, interest: Interest, *, clock: Callable[[], float] = time.monotonic,
                 initial_backoff: float = 1.0, max_backoff: float = 10.0,
                 max_unschedulable: float = 300.0):
        self._interest = interest
        self._clock = clock
        self._backoff = Backoff(initial_backoff, max_backoff, clock=clock)
        self._max_unschedulable = max_unschedulable
        self._heap: list[tuple[int, float, int, str]] = []
        self._active: dict[str, QueuedPodInfo] = {}
        self._backoff_q: dict[str, QueuedPodInfo] = {}
        self._unschedulable: dict[str, QueuedPodInfo] = {}
        self._in_flight: dict[str, QueuedPodInfo] = {}
        self._changed_in_flight: set[str] = set()
        self._seq = 0
        self.scheduling_cycle = 0
        self._move_request_cycle = -1
        self._ready = asyncio.Event()
        self._closed = False

    # --- informer side --------------------------------------------------------------------

    def add(self, pod: PodInfo) -> None:
        """A new pending pod (or one seen again): into activeQ, unless already queued."""
        if pod.key in self._in_flight or self._find(pod.key) is not None:
            self.update(pod)
            return
        self._push(QueuedPodInfo(pod, self._clock()))

    def update(self, pod: PodInfo) -> None:
        key = pod.key
        if key in self._in_flight:
            self._in_flight[key].pod = pod
            self._changed_in_flight.add(key)
            return
        if key in self._active:
            qpi = self._active[key]
            qpi.pod = pod
            self._push(qpi)  # its priority may have changed: a fresh heap entry
        elif key in self._backoff_q:
            self._backoff_q[key].pod = pod
        elif key in self._unschedulable:
            qpi = self._unschedulable[key]
            changed = _spec_changed(qpi.pod, pod)
            qpi.pod = pod
            if changed:  # it may fit now: retry as soon as its backoff allows
                self._requeue(self._unschedulable.pop(key))
        else:
            self.add(pod)

    def delete(self, key: str) -> None:
        self._active.pop(key, None)  # its heap entry goes stale
        self._backoff_q.pop(key, None)
        self._unschedulable.pop(key, None)
        self._changed_in_flight.discard(key)
        self._backoff.reset(key)

    def move_all(self, event: ClusterEvent) -> int:
        """A cluster event: unschedulable pods rejected by a plugin that cares about it go
        back to activeQ (or backoffQ). Returns how many moved."""
        self._move_request_cycle = self.scheduling_cycle
        moved = [k for k, q in self._unschedulable.items()
                 if self._interest(q.unschedulable_plugins, event)]
        for key in moved:
            self._requeue(self._unschedulable.pop(key))
        return len(moved)

    # --- scheduler side -------------------------------------------------------------------

    async def pop(self) -> QueuedPodInfo:
        """The next pod to schedule (now in flight); raises ShutDown once closed."""
        while True:
            if self._closed:
                raise ShutDown("scheduling queue")
            qpi = self._pop_active()
            if qpi is not None:
                return qpi
            self._ready.clear()
            await self._ready.wait()

    def done(self, key: str) -> None:
        """The pod's scheduling cycle is over (scheduled, or handed back for a retry)."""
        self._in_flight.pop(key, None)
        self._changed_in_flight.discard(key)

    def add_unschedulable(self, qpi: QueuedPodInfo, plugins: Iterable[str],
                          pod_cycle: int) -> None:
        """A failed attempt (still in flight): park the pod until it may fit, or back off
        if the cluster changed meanwhile or the failure was an error (no plugins)."""
        key = qpi.key
        qpi = self._in_flight.pop(key, qpi)
        changed = key in self._changed_in_flight
        self._changed_in_flight.discard(key)
        qpi.unschedulable_plugins = frozenset(plugins)
        qpi.timestamp = self._clock()
        self._backoff.next(key)
        if self._find(key) is not None:
            return  # re-added meanwhile (deleted and created again): that copy wins
        if changed or self._move_request_cycle >= pod_cycle or not qpi.unschedulable_plugins:
            self._backoff_q[key] = qpi
        else:
            self._unschedulable[key] = qpi

    def forget_backoff(self, key: str) -> None:
        """The pod was scheduled: its next failure starts from the initial delay."""
        self._backoff.reset(key)

    # --- periodic flushes -----------------------------------------------------------------

    def flush_backoff_completed(self) -> int:
        done = [k for k in self._backoff_q if not self._backoff.in_backoff(k)]
        for key in done:
            self._push(self._backoff_q.pop(key))
        return len(done)

    def flush_unschedulable_leftover(self) -> int:
        now = self._clock()
        stale = [k for k, q in self._unschedulable.items()
                 if now - q.timestamp >= self._max_unschedulable]
        for key in stale:
            self._requeue(self._unschedulable.pop(key))
        return len(stale)

    async def run(self, interval: float = 1.0, leftover_interval: float = 30.0) -> None:
        """Flush backoffQ every `interval` and leftovers every `leftover_interval`."""
        last_leftover = self._clock()
        while not self._closed:
            await asyncio.sleep(interval)
            self.flush_backoff_completed()
            if self._clock() - last_leftover >= leftover_interval:
                last_leftover = self._clock()
                self.flush_unschedulable_leftover()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    # --- introspection --------------------------------------------------------------------

    def pending(self) -> dict[str, int]:
        return {"active": len(self._active), "backoff": len(self._backoff_q),
                "unschedulable": len(self._unschedulable)}

    def where(self, key: str) -> str | None:
        for name, queue in (("active", self._active), ("backoff", self._backoff_q),
                            ("unschedulable", self._unschedulable),
                            ("in_flight", self._in_flight)):
            if key in queue:
                return name
        return None

    # --- internals ------------------------------------------------------------------------

    def _find(self, key: str) -> QueuedPodInfo | None:
        return (self._active.get(key) or self._backoff_q.get(key)
                or self._unschedulable.get(key))

    def _push(self, qpi: QueuedPodInfo) -> None:
        self._seq += 1
        qpi.seq = self._seq
        self._active[qpi.key] = qpi
        heapq.heappush(self._heap, (-qpi.pod.priority, qpi.timestamp, qpi.seq, qpi.key))
        self._ready.set()

    def _pop_active(self) -> QueuedPodInfo | None:
        while self._heap:
            _, _, seq, key = heapq.heappop(self._heap)
            qpi = self._active.get(key)
            if qpi is None or qpi.seq != seq:
                continue  # deleted or re-pushed since: a stale entry
            del self._active[key]
            qpi.attempts += 1
            self.scheduling_cycle += 1
            self._in_flight[key] = qpi
            return qpi
        return None

    def _requeue(self, qpi: QueuedPodInfo) -> None:
        if self._backoff.in_backoff(qpi.key):
            self._backoff_q[qpi.key] = qpi
        else:
            self._push(qpi)


def _spec_changed(old: PodInfo, new: PodInfo) -> bool:
    """kube's isPodUpdated: anything but status and bookkeeping metadata."""
    a, b = old.pod, new.pod
    return (a.spec != b.spec or a.metadata.labels != b.metadata.labels
            or a.metadata.annotations != b.metadata.annotations)
