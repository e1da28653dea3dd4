"""The scheduler daemon: builds the parts (informers, cache, queue, framework, scheduler,
healthz/metrics server) and runs them — after winning the Lease when leader election is
on. Informers start and sync before the election, so a standby holds a warm cache and
takes over at once. Losing the Lease ends the process with status 1 (as kube-scheduler
does: a supervisor restarts it as a fresh candidate); SIGTERM stops scheduling, lets
in-flight bindings finish, releases the Lease and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from typing import Any

from tugboat.client import EventRecorder, LeaderElector, SharedInformerFactory
from tugboat.client.healthserver import HealthServer
from tugboat.scheduler.algorithm import ScheduleAlgorithm
from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.eventhandlers import EventHandlers
from tugboat.scheduler.framework import Framework
from tugboat.scheduler.metrics import SchedulerMetrics
from tugboat.scheduler.options import Options
from tugboat.scheduler.plugins import default_plugins
from tugboat.scheduler.plugins.defaultpreemption import DefaultPreemption
from tugboat.scheduler.reporting import Reporter
from tugboat.scheduler.scheduler import Scheduler
from tugboat.scheduler.schedulingqueue import SchedulingQueue
from tugboat.scheduler.serving import health_routes

log = logging.getLogger(__name__)

# Finished pods hold no resources: the informer leaves them out, as kube-scheduler's does.
ACTIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"
DRAIN_TIMEOUT = 5.0


def new_identity() -> str:
    return f"{socket.gethostname()}_{uuid.uuid4()}"


class SchedulerApp:
    def __init__(self, options: Options, client: Any, *, identity: str | None = None):
        self.options, self.client = options, client
        self.identity = identity or new_identity()
        self.factory = SharedInformerFactory(client)
        self.pods = self.factory.informer("pods", field_selector=ACTIVE_PODS)
        self.nodes = self.factory.informer("nodes")
        self.budgets = self.factory.informer("poddisruptionbudgets")
        self.cache = SchedulerCache()
        recorder = EventRecorder(client, options.scheduler_name, host=self.identity)
        preemption = DefaultPreemption(client, self.cache.node_list, self.cache.get_node,
                                       self.budgets.list, recorder, options.scheduler_name)
        self.framework = Framework([*default_plugins(client, self.cache), preemption],
                                   options.score_weights)
        self.queue = SchedulingQueue(self.framework.interested,
                                     initial_backoff=options.initial_backoff,
                                     max_backoff=options.max_backoff)
        self.metrics = SchedulerMetrics()
        self.reporter = Reporter(client, recorder)
        self.scheduler = Scheduler(
            framework=self.framework, cache=self.cache, queue=self.queue,
            algorithm=ScheduleAlgorithm(
                self.framework, self.cache,
                percentage_of_nodes_to_score=options.percentage_of_nodes_to_score),
            reporter=self.reporter, lookup=self.pods.get_by_key, metrics=self.metrics)
        EventHandlers(self.cache, self.queue, self.framework,
                      options.scheduler_name).register(self.pods, self.nodes)
        self.metrics.on_render(self._collect)
        self.elector: LeaderElector | None = None

    def _collect(self) -> None:
        for queue, count in self.queue.pending().items():
            self.metrics.pending.labels(queue).set(count)
        self.metrics.cache_size.labels("nodes").set(self.cache.node_count())
        self.metrics.cache_size.labels("pods").set(self.cache.pod_count())
        self.metrics.cache_size.labels("assumed_pods").set(self.cache.assumed_count())
        leading = self.elector.is_leader if self.elector else True
        self.metrics.leader.labels(self.options.lease_name).set(1 if leading else 0)

    def ready(self) -> bool:
        return self.pods.has_synced and self.nodes.has_synced

    async def run(self, stop: asyncio.Event) -> int:
        """Run until `stop` is set (returns 0) or leadership is lost (returns 1)."""
        health = None
        if self.options.port:
            health = HealthServer(self.options.bind_address, self.options.port,
                                  health_routes(self.ready, self.metrics.render))
            await health.start()
        self.factory.start()
        elect: asyncio.Task[None] | None = None
        try:
            if not await _race(stop, self.factory.wait_for_sync()):
                return 0
            log.info("caches synced: %d nodes, %d pods", self.cache.node_count(),
                     self.cache.pod_count())
            if self.options.leader_elect:
                elect = asyncio.create_task(self._elector().run(), name="leader-election")
                if not await _race(stop, self._elector().started_leading.wait(), elect):
                    return 0
            return await self._schedule(stop, elect)
        finally:
            await self._shutdown(elect, health)

    def _elector(self) -> LeaderElector:
        if self.elector is None:
            o = self.options
            self.elector = LeaderElector(
                self.client, o.lease_name, identity=self.identity, namespace=o.lease_namespace,
                lease_duration=o.lease_duration, renew_deadline=o.renew_deadline,
                retry_period=o.retry_period)
        return self.elector

    async def _schedule(self, stop: asyncio.Event, elect: asyncio.Task[None] | None) -> int:
        log.info("scheduling as %s (scheduler %s)", self.identity, self.options.scheduler_name)
        loops = [asyncio.create_task(self.scheduler.run(), name="schedule"),
                 asyncio.create_task(self.queue.run(), name="queue-flush")]
        try:
            if not await _race(stop, *loops, *([elect] if elect else [])):
                return 0
            for task in loops:
                if task.done() and task.exception() is not None:
                    raise RuntimeError(f"{task.get_name()} stopped") from task.exception()
            log.error("leaderelection lost: %s no longer holds the lease", self.identity)
            return 1
        finally:
            self.queue.close()
            for task in loops:
                task.cancel()
            await asyncio.gather(*loops, return_exceptions=True)

    async def _shutdown(self, elect: asyncio.Task[None] | None,
                        health: HealthServer | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.scheduler.drain(), DRAIN_TIMEOUT)
        await self.reporter.stop()
        if elect is not None and not elect.done():
            elect.cancel()  # a leader releases the Lease, so a standby need not wait
            await asyncio.gather(elect, return_exceptions=True)
        await self.factory.stop()
        if health is not None:
            await health.stop()


async def _race(stop: asyncio.Event, *awaitables: Any) -> bool:
    """Wait for `stop` or the first of `awaitables`; False if `stop` was set."""
    stopper = asyncio.ensure_future(stop.wait())
    others = [asyncio.ensure_future(a) for a in awaitables]
    await asyncio.wait([stopper, *others], return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    for task, original in zip(others, awaitables, strict=True):
        if task is not original and not task.done():
            task.cancel()  # a wrapper we made, not a task the caller still owns
    return not stop.is_set()
