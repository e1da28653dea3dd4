"""The scheduling loop: pop a pod, find it a node, assume it there, bind in the
background (kube-scheduler's scheduleOne: a synchronous scheduling cycle, then an
asynchronous binding cycle, so one slow bind does not hold up the next pod).

On success: the `Scheduled` event ("Successfully assigned ns/pod to node"). On failure:
the `FailedScheduling` event with the FitError summary and the pod's PodScheduled
condition set to False (reason Unschedulable) through the status subresource — both
written by the Reporter, in the background — and the pod handed back to the queue. A
failed bind forgets the assumption and retries with backoff, unless the pod is gone or
was bound meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from tugboat.api.core import Pod
from tugboat.client import ShutDown
from tugboat.scheduler.algorithm import ScheduleAlgorithm, ScheduleResult
from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.framework import CycleState, FitError, Framework, Status
from tugboat.scheduler.metrics import SchedulerMetrics
from tugboat.scheduler.reporting import Reporter
from tugboat.scheduler.schedulingqueue import QueuedPodInfo, SchedulingQueue

log = logging.getLogger(__name__)

PodLookup = Callable[[str], Pod | None]  # the informer's current copy of a pod, by key


class Scheduler:
    def __init__(self, *, framework: Framework, algorithm: ScheduleAlgorithm,
                 cache: SchedulerCache, queue: SchedulingQueue, reporter: Reporter,
                 lookup: PodLookup, metrics: SchedulerMetrics | None = None,
                 max_binds_in_flight: int = 16):
        self.framework, self.algorithm = framework, algorithm
        self.cache, self.queue, self.reporter, self.lookup = cache, queue, reporter, lookup
        self.metrics = metrics or SchedulerMetrics()
        self._bind_slots = asyncio.Semaphore(max_binds_in_flight)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def run(self) -> None:
        """Schedule pods until the queue is closed."""
        while True:
            try:
                qpi = await self.queue.pop()
            except ShutDown:
                return
            try:
                await self.schedule_one(qpi)
            except Exception:  # a bug must cost one attempt, not the scheduler
                log.exception("scheduling %s failed", qpi.key)
                self.queue.add_unschedulable(qpi, (), self.queue.scheduling_cycle)
                self.queue.done(qpi.key)

    async def drain(self) -> None:
        """Wait for the bindings already started, then for their events."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.reporter.flush()

    # --- the scheduling cycle -------------------------------------------------------------

    async def schedule_one(self, qpi: QueuedPodInfo) -> None:
        pod, cycle = qpi.pod, self.queue.scheduling_cycle
        if pod.pod.metadata.deletionTimestamp or self.cache.node_of(pod.key) is not None:
            self.queue.done(pod.key)  # being deleted, or already assumed or bound
            return
        started = time.perf_counter()
        state = CycleState()
        result = self.algorithm.schedule(state, pod)
        elapsed = time.perf_counter() - started
        if not isinstance(result, ScheduleResult):
            self._observe("unschedulable" if isinstance(result, FitError) else "error", elapsed)
            if isinstance(result, FitError) and self.framework.post_filter:
                await self.framework.run_post_filter(state, pod, result.diagnosis)
            self.handle_failure(qpi, result, cycle)
            self.queue.done(pod.key)
            return
        self._observe("scheduled", elapsed)
        self.metrics.evaluated_nodes.observe(result.evaluated)
        self.cache.assume_pod(pod, result.node)
        self.queue.done(pod.key)
        self.queue.forget_backoff(pod.key)
        await self._bind_slots.acquire()  # backpressure when the apiserver falls behind
        self._spawn(self._bind(state, qpi, result.node, cycle))

    def _observe(self, result: str, seconds: float) -> None:
        self.metrics.attempts.labels(result).inc()
        self.metrics.attempt_duration.labels(result).observe(seconds)

    # --- the binding cycle ----------------------------------------------------------------

    async def _bind(self, state: CycleState, qpi: QueuedPodInfo, node: str, cycle: int) -> None:
        pod = qpi.pod
        started = time.perf_counter()
        try:
            status = await self.framework.run_bind(state, pod, node)
        finally:
            self._bind_slots.release()
        self.metrics.binding_duration.observe(time.perf_counter() - started)
        if status is None or status.is_success:
            log.debug("bound pod=%s node=%s", pod.key, node)
            self.reporter.scheduled(pod, node)
            return
        log.info("binding failed pod=%s node=%s: %s", pod.key, node, status.message())
        self.cache.forget_pod(pod.key)
        self.handle_failure(qpi, status, cycle)

    # --- failures -------------------------------------------------------------------------

    def handle_failure(self, qpi: QueuedPodInfo, result: FitError | Status, cycle: int) -> None:
        """Report why the pod did not schedule, and hand it back to the queue — unless it
        was deleted or bound meanwhile."""
        current = self.lookup(qpi.key)
        if current is None or current.spec.nodeName:
            self.queue.done(qpi.key)
            return
        if isinstance(result, FitError):
            reason, message = "Unschedulable", result.message()
            plugins = result.diagnosis.unschedulable_plugins
        else:
            reason, message, plugins = "SchedulerError", result.message(), set()
        log.info("unschedulable pod=%s: %s", qpi.key, message)
        self.queue.add_unschedulable(qpi, plugins, cycle)
        self.reporter.failed(qpi.pod, current, reason, message)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
