"""The proxier: Services and EndpointSlices in, the packet filter out. Informer events
only mark the state dirty; one loop syncs — at most once per min_sync_period however many
changes arrive (kube-proxy's --iptables-min-sync-period, which coalesces a burst into one
restore), and every sync_period regardless. A failed sync is retried after
min_sync_period (at least a second).

Each sync is one `iptables-restore --noflush`, full or partial (kube-proxy's
MinimizeIPTablesRestore, KEP-3453). The proxier keeps in memory what the last successful
restore wrote; a partial sync rewrites only the chains that differ from it (the changed
Services' chains, the dispatch chains when their rules changed) and deletes the chains
that went, with no `iptables-save` read-back. A full sync — the first, the one after any
failure (the tables' state is then unknown), and once per sync_period — reads both
tables back, re-adds missing jumps from the built-in chains, rewrites every chain and
deletes stray TUG- chains, so rules someone else flushed or deleted come back.
The tug-svc0 link is part of the sync too (checked at the first sync and then once per
sync_period): a link that could not be made is retried, not a crash, and one someone
deleted comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tugboat.api.discovery import LAST_CHANGE_TRIGGER_TIME
from tugboat.api.meta import parse_rfc3339
from tugboat.client import Informer
from tugboat.proxy.iptables import Iptables, our_chains
from tugboat.proxy.metrics import ProxyMetrics
from tugboat.proxy.rules import Ruleset, proxy_chains, restore_text
from tugboat.proxy.serviceports import service_ports
from tugboat.proxy.svclink import ServiceLink

log = logging.getLogger(__name__)

TRIGGER_TIME = LAST_CHANGE_TRIGGER_TIME
RETRY_FLOOR = 1.0  # seconds between failed syncs, even with --iptables-min-sync-period=0


@dataclass
class ProxierConfig:
    node_name: str
    cluster_cidr: str | None = None
    node_ips: Sequence[str] = ()
    min_sync_period: float = 1.0
    sync_period: float = 30.0


class Proxier:
    def __init__(self, config: ProxierConfig, services: Informer, slices: Informer,
                 iptables: Iptables, link: ServiceLink, metrics: ProxyMetrics, *,
                 clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic):
        self.config, self.services, self.slices = config, services, slices
        self.iptables, self.link, self.metrics, self.clock = iptables, link, metrics, clock
        self._dirty = asyncio.Event()
        self._triggers: list[float] = []  # endpoint changes not yet in the rules
        self.started = clock()
        self.last_synced: float | None = None
        self.monotonic = monotonic
        self._link_checked = float("-inf")  # monotonic time of the last good link check
        self._last_full = float("-inf")  # monotonic start of the last good full sync
        # What the last successful restore wrote; None when unknown (start, failure).
        self._written: Ruleset | None = None
        changed = self._changed
        services.add_event_handler(on_add=changed, on_update=lambda _o, n: changed(n),
                                   on_delete=changed)
        slices.add_event_handler(on_add=self._slice_changed,
                                 on_update=lambda _o, n: self._slice_changed(n),
                                 on_delete=self._slice_changed)

    def _changed(self, _obj: Any) -> None:
        self._dirty.set()

    def _slice_changed(self, s: Any) -> None:
        self._triggers.append(self._trigger_time(s))
        self._dirty.set()

    def _trigger_time(self, s: Any) -> float:
        text = (s.metadata.annotations or {}).get(TRIGGER_TIME)
        if text:
            with contextlib.suppress(ValueError):
                return parse_rfc3339(text).timestamp()
        return self.clock()

    def health(self) -> tuple[bool, bytes]:
        """kube-proxy's /healthz: healthy while the last sync is under 2x sync_period old."""
        now = self.clock()
        last = self.last_synced if self.last_synced is not None else self.started
        body = {"lastUpdated": _iso(last), "currentTime": _iso(now), "nodeEligible": True}
        return now - last <= 2 * self.config.sync_period, json.dumps(body).encode()

    async def run(self, stop: asyncio.Event) -> None:
        """Sync until `stop` is set; the rules stay in place afterwards, as kube-proxy's."""
        self._dirty.set()
        last_start = float("-inf")
        while not stop.is_set():
            # Wake by sync_period after the last sync, and after the last full one even
            # while changes keep partial syncs coming: that is the periodic full resync.
            due = min(last_start, self._last_full) + self.config.sync_period
            wait = min(self.config.sync_period, max(0.0, due - self.monotonic()))
            await _first(stop.wait(), self._dirty.wait(), timeout=wait)
            if stop.is_set():
                return
            hold = last_start + self.config.min_sync_period - self.monotonic()
            if hold > 0 and not await _sleep_unless(stop, hold):
                return
            last_start = self.monotonic()
            self._dirty.clear()
            triggers, self._triggers = self._triggers, []
            try:
                await self.sync()
            except Exception:
                log.exception("sync failed; retrying in %.1fs", self.config.min_sync_period)
                self.metrics.restore_failures.inc()
                self._triggers[:0] = triggers
                self._dirty.set()
                if not await _sleep_unless(stop, max(self.config.min_sync_period,
                                                     RETRY_FLOOR)):
                    return
                continue
            done = self.clock()
            for t in triggers:
                self.metrics.network_programming.observe(max(0.0, done - t))

    def needs_full_sync(self, now: float) -> bool:
        return self._written is None or now - self._last_full >= self.config.sync_period

    async def sync(self) -> None:
        start = self.monotonic()
        if start - self._link_checked >= self.config.sync_period:
            await self.link.ensure()
            self._link_checked = start
        ports = service_ports(self.services.list(), self.slices.list())
        desired = proxy_chains(ports, node_name=self.config.node_name,
                               cluster_cidr=self.config.cluster_cidr,
                               node_ips=self.config.node_ips)
        full = self.needs_full_sync(start)
        if full:
            saved = {t: await self.iptables.save(t) for t in ("filter", "nat")}
            await self.iptables.ensure_jumps(saved)
            text = restore_text(desired, existing={t: our_chains(saved[t]) for t in saved})
        else:
            text = restore_text(desired, written=self._written)
        # Until the restore succeeds the tables' content is unknown: a failure (here or in
        # the restore) makes the next sync a full one.
        self._written = None
        if text:  # a partial sync with nothing changed writes nothing
            await self.iptables.restore(text)
        self._written = desired
        if full:
            self._last_full = start
        self.last_synced = self.clock()
        elapsed = self.monotonic() - start
        self.metrics.sync_duration.observe(elapsed)
        (self.metrics.sync_full_duration if full else
         self.metrics.sync_partial_duration).observe(elapsed)
        self.metrics.last_sync.set(self.last_synced)
        self.metrics.service_ports.set(len(ports))
        self.metrics.endpoints.set(sum(len(p.endpoints) for p in ports))
        log.debug("%s sync of %d service ports: %d bytes restored in %.3fs",
                  "full" if full else "partial", len(ports), len(text), elapsed)


def _iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).isoformat().replace("+00:00", "Z")


async def _first(*aws: Any, timeout: float) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds`; False if `stop` was set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return not stop.is_set()
