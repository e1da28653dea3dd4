"""The one loop shape every controller shares (DESIGN §11): informer events enqueue keys,
workers take one key at a time from a per-key work queue and call the controller's
`reconcile(key)`, which observes the current state, compares it with the desired one and
acts. A failed reconcile is retried with a per-key exponential backoff; one that asks to
be looked at again (a deadline, a minReadySeconds) returns the delay. Informer resyncs
replay every object, so whatever an event missed is caught on the next pass.

    class Foo(Controller):
        name = "foo"
        def __init__(self, ctx):
            super().__init__(ctx)
            self.foos = self.informer("foos", on_change=self.enqueue)
        async def reconcile(self, key: str) -> float | None: ...
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from tugboat.client import ApiError, ClientError, Conflict, Informer, ShutDown, WorkQueue
from tugboat.client.informer import object_key
from tugboat.controller.context import ControllerContext

log = logging.getLogger(__name__)


def key_of(obj: Any) -> str:
    """client-go's "namespace/name" key of a model (or a wire dict)."""
    meta = obj.metadata if hasattr(obj, "metadata") else None
    if meta is None:
        return object_key(obj)
    return f"{meta.namespace}/{meta.name}" if meta.namespace else (meta.name or "")


class Controller:
    """Base of every controller: a work queue, workers, and the informers it waits for."""

    name = "controller"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        self.ctx = ctx
        self.client = ctx.client
        self.recorder = ctx.recorder
        self.queue = WorkQueue(name=self.name)
        self._informers: list[Informer] = []

    def informer(self, resource: str, namespace: str | None = None, *,
                 on_change: Callable[[Any], None] | None = None,
                 on_delete: Callable[[Any], None] | None = None) -> Informer:
        """A shared informer this controller waits for; `on_change` sees adds and updates
        (the new object), `on_delete` deletes (default: on_change)."""
        inf = self.ctx.informers.informer(resource, namespace)
        self._informers.append(inf)
        if on_change is not None or on_delete is not None:
            change = on_change or (lambda _o: None)
            inf.add_event_handler(on_add=change, on_update=lambda _old, new: change(new),
                                  on_delete=on_delete or change)
        return inf

    def enqueue(self, obj: Any) -> None:
        self.queue.add(key_of(obj))

    async def reconcile(self, key: str) -> float | None:
        """Make the world match the object at `key`; return a delay to look again."""
        raise NotImplementedError

    async def run(self) -> None:
        """Wait for the informers' first lists, then work until cancelled."""
        for inf in self._informers:
            await inf.wait_for_sync()
        log.info("controller %s: caches synced, starting %d workers", self.name, self.workers)
        tasks = [asyncio.create_task(self._work(), name=f"{self.name}-{i}")
                 for i in range(self.workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            self.queue.shutdown()
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await t

    async def _work(self) -> None:
        while True:
            try:
                key = await self.queue.get()
            except ShutDown:
                return
            try:
                await self._process(key)
            finally:
                self.queue.done(key)
                self.ctx.metrics.depth.labels(self.name).set(len(self.queue))

    async def _process(self, key: Any) -> None:
        started = time.perf_counter()
        result = "success"
        try:
            after = await self.reconcile(key)
            self.queue.forget(key)
            if after is not None:
                self.queue.add_after(key, max(after, 0.01))
        except asyncio.CancelledError:
            raise
        except (Conflict, ClientError) as e:
            result = "error"
            quiet = isinstance(e, Conflict) or not isinstance(e, ApiError)
            (log.info if quiet else log.warning)(
                "controller %s: %s: %s; retrying", self.name, key, e)
            self.queue.add_rate_limited(key)
        except Exception:
            result = "error"
            log.exception("controller %s: reconcile of %s failed", self.name, key)
            self.queue.add_rate_limited(key)
        finally:
            self.ctx.metrics.reconciles.labels(self.name, result).inc()
            self.ctx.metrics.latency.labels(self.name).observe(time.perf_counter() - started)
