"""Leader election on a coordination.k8s.io/v1 Lease, so two schedulers or controller
managers can run and only one acts (client-go's leaderelection with a LeaseLock).

A candidate takes the Lease when it is absent, released (no holder) or expired, and the
leader renews it every `retry_period`. Every write carries the resourceVersion just read,
so when two candidates race, the apiserver lets exactly one win (the other gets 409).
Expiry is judged by the local clock — how long since this candidate last saw the Lease
change — never by comparing another host's timestamps with ours, so clock skew between
hosts cannot make two leaders. A leader that cannot renew for `renew_deadline` steps
down. Times are written as Kubernetes MicroTime (`2025-01-01T00:00:00.000000Z`).

    elector = LeaderElector(client, "tug-scheduler", identity=hostname_pid,
                            on_started_leading=..., on_stopped_leading=...)
    task = asyncio.create_task(elector.run())   # returns once leadership is lost
    await elector.started_leading.wait()
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from tugboat.api import resources
from tugboat.client.backoff import Clock
from tugboat.client.errors import AlreadyExists, ClientError, Conflict, NotFound

log = logging.getLogger(__name__)

LEASES = resources.lookup("coordination.k8s.io", "v1", "leases")


def micro_time(when: _dt.datetime | None = None) -> str:
    """Kubernetes MicroTime: RFC 3339 in UTC with microseconds."""
    when = when or _dt.datetime.now(_dt.timezone.utc)
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    """One candidate for one Lease. The client needs async get/create/update (ApiClient)."""

    def __init__(self, client: Any, name: str, *, identity: str,
                 namespace: str = "kube-system", lease_duration: float = 15.0,
                 renew_deadline: float = 10.0, retry_period: float = 2.0,
                 on_started_leading: Callable[[], None] | None = None,
                 on_stopped_leading: Callable[[], None] | None = None,
                 release_on_cancel: bool = True, clock: Clock = time.monotonic):
        if not lease_duration > renew_deadline > retry_period > 0:
            raise ValueError("need lease_duration > renew_deadline > retry_period > 0")
        self.client = client
        self.name, self.namespace, self.identity = name, namespace, identity
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self.on_started_leading = on_started_leading
        self.on_stopped_leading = on_stopped_leading
        self.release_on_cancel = release_on_cancel
        self.clock = clock
        self.started_leading = asyncio.Event()
        self.stopped_leading = asyncio.Event()
        self._observed: dict[str, Any] | None = None  # the Lease as last read or written
        self._observed_at = 0.0
        self._last_renew = 0.0

    @property
    def is_leader(self) -> bool:
        return self.started_leading.is_set() and not self.stopped_leading.is_set()

    @property
    def leader(self) -> str | None:
        """The holder as last observed ("" or None: nobody)."""
        return (self._observed or {}).get("spec", {}).get("holderIdentity")

    async def run(self) -> None:
        """Acquire, lead until the lease is lost, then return (callers usually exit).
        Cancelling a leader releases the lease so a successor need not wait for expiry."""
        try:
            await self._acquire()
            self._start_leading()
            await self._renew()
        except asyncio.CancelledError:
            if self.is_leader and self.release_on_cancel:
                await asyncio.shield(self.release())
            raise
        finally:
            if self.is_leader:
                self._stop_leading()

    async def try_acquire_or_renew(self) -> bool:
        """One attempt: True if this candidate holds the Lease afterwards."""
        now = self.clock()
        try:
            lease = await self.client.get(LEASES, self.name, self.namespace)
        except NotFound:
            return await self._create(now)
        self._observe(lease, now)
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity")
        if holder and holder != self.identity and not self._expired(now):
            return False
        return await self._update(lease, self._spec(spec, holder), now) is not None

    async def release(self) -> bool:
        """Give the Lease up (holder emptied) if this candidate holds it."""
        if self._observed is None or self.leader != self.identity:
            return False
        spec = {**self._observed.get("spec", {}), "holderIdentity": "",
                "leaseDurationSeconds": 1, "renewTime": micro_time()}
        try:
            return await self._update(self._observed, spec, self.clock()) is not None
        except ClientError as e:
            log.warning("lease %s/%s: release failed: %s", self.namespace, self.name, e)
            return False

    async def _acquire(self) -> None:
        while not await self._attempt():
            await asyncio.sleep(self.retry_period * random.uniform(1.0, 1.2))

    async def _renew(self) -> None:
        self._last_renew = self.clock()
        while True:
            await asyncio.sleep(self.retry_period)
            if await self._attempt():
                self._last_renew = self.clock()
            elif self.leader not in (None, self.identity) or (
                    self.clock() - self._last_renew > self.renew_deadline):
                log.warning("lease %s/%s: leadership lost", self.namespace, self.name)
                return

    async def _attempt(self) -> bool:
        try:
            return await self.try_acquire_or_renew()
        except ClientError as e:
            log.warning("lease %s/%s: %s", self.namespace, self.name, e)
            return False

    async def _create(self, now: float) -> bool:
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": self.name, "namespace": self.namespace},
                 "spec": self._spec({}, None)}
        try:
            created = await self.client.create(LEASES, lease, self.namespace)
        except (AlreadyExists, Conflict):
            return False
        self._observe(created, now)
        return True

    async def _update(self, lease: dict[str, Any], spec: dict[str, Any], now: float
                      ) -> dict[str, Any] | None:
        """PUT with the resourceVersion we read: None if someone wrote in between."""
        body = {**lease, "spec": spec}
        try:
            updated = await self.client.update(LEASES, body, self.namespace)
        except Conflict:
            return None
        self._observe(updated, now)
        return updated

    def _spec(self, current: dict[str, Any], holder: str | None) -> dict[str, Any]:
        """The record to write: renewed if ours, else newly acquired (one more transition)."""
        stamp = micro_time()
        spec = {**current, "holderIdentity": self.identity,
                "leaseDurationSeconds": int(self.lease_duration), "renewTime": stamp}
        if holder != self.identity:
            spec["acquireTime"] = stamp
            previous = int(current.get("leaseTransitions") or 0)
            spec["leaseTransitions"] = previous + 1 if current else 0
        return spec

    def _observe(self, lease: dict[str, Any], now: float) -> None:
        if self._observed is None or _version(self._observed) != _version(lease):
            self._observed_at = now
        self._observed = lease

    def _expired(self, now: float) -> bool:
        spec = (self._observed or {}).get("spec") or {}
        duration = spec.get("leaseDurationSeconds") or self.lease_duration
        return self._observed_at + float(duration) <= now

    def _start_leading(self) -> None:
        log.info("lease %s/%s: %s is the leader", self.namespace, self.name, self.identity)
        self.started_leading.set()
        if self.on_started_leading:
            self.on_started_leading()

    def _stop_leading(self) -> None:
        self.stopped_leading.set()
        if self.on_stopped_leading:
            self.on_stopped_leading()


def _version(lease: dict[str, Any]) -> tuple[Any, ...]:
    spec = lease.get("spec") or {}
    return ((lease.get("metadata") or {}).get("resourceVersion"),
            spec.get("holderIdentity"), spec.get("renewTime"))
