"""One probe of one container, run every periodSeconds (prober/worker.go).

Each tick looks at the container the pod worker last saw: a new container id resets the
result to the probe kind's initial value (liveness Success, readiness Failure, startup
Unknown); nothing is probed before initialDelaySeconds after the container started;
liveness and readiness wait until the startup probe has succeeded, and the startup probe
stops once it has; a result is published only after successThreshold / failureThreshold
equal results in a row; after a liveness or startup failure the worker holds off until the
container is replaced. Time and sleeping are injected, so tests step through ticks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from tugboat.api.core import Container, Probe
from tugboat.kubelet.prober.results import Result, ResultsManager

log = logging.getLogger(__name__)


class ProbeKind(StrEnum):
    LIVENESS = "Liveness"
    READINESS = "Readiness"
    STARTUP = "Startup"


INITIAL = {ProbeKind.LIVENESS: Result.SUCCESS, ProbeKind.READINESS: Result.FAILURE,
           ProbeKind.STARTUP: Result.UNKNOWN}


@dataclass(frozen=True)
class Target:
    """The container a probe looks at now, as the pod worker last saw it."""

    container_id: str
    running: bool
    started_at: float | None  # epoch seconds
    pod_ip: str | None
    exited_for_good: bool = False  # terminated and will not be restarted


Runner = Callable[[Probe, Container, Target], Awaitable[tuple[Result, str]]]
OnFailure = Callable[[ProbeKind, str, str], None]  # kind, container name, output


class Worker:
    def __init__(self, kind: ProbeKind, pod_uid: str, spec: Container, probe: Probe,
                 results: ResultsManager, runner: Runner,
                 target: Callable[[], Target | None], started: Callable[[str], bool],
                 on_failure: OnFailure, *, clock: Callable[[], float] = time.time):
        self.kind, self.pod_uid, self.spec, self.probe = kind, pod_uid, spec, probe
        self.results, self.runner, self.target, self.started = results, runner, target, started
        self.on_failure, self.clock = on_failure, clock
        self.container_id = ""
        self.on_hold = False
        self.last_result: Result | None = None
        self.result_run = 0

    @property
    def period(self) -> float:
        return float(self.probe.periodSeconds or 10)

    async def run(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Probe every period until the container is gone for good."""
        while True:
            try:
                keep_going = await self.probe_once()
            except Exception:
                log.exception("%s probe of %s crashed", self.kind, self.spec.name)
                keep_going = True
            if not keep_going:
                return
            await sleep(self.period)

    def stop(self) -> None:
        if self.container_id:
            self.results.remove(self.container_id)

    async def probe_once(self) -> bool:
        """One tick; False when there is nothing left to probe."""
        target = self.target()
        if target is None or not target.container_id:
            return True
        if target.container_id != self.container_id:
            self._switch_to(target.container_id)
        if self.on_hold:
            return True
        if not target.running:
            self.results.set(self.container_id, Result.FAILURE, self.pod_uid)
            return not target.exited_for_good
        if not self._due(target):
            return True
        result, output = await self.runner(self.probe, self.spec, target)
        if target.container_id != self.container_id:
            return True  # replaced while we probed
        self._record(result, output)
        return True

    def _switch_to(self, container_id: str) -> None:
        if self.container_id:
            self.results.remove(self.container_id)
        self.container_id = container_id
        self.results.set(container_id, INITIAL[self.kind], self.pod_uid)
        self.on_hold = False
        self.last_result, self.result_run = None, 0

    def _due(self, target: Target) -> bool:
        delay = self.probe.initialDelaySeconds or 0
        if target.started_at is not None and self.clock() - target.started_at < delay:
            return False
        started = self.started(self.container_id)
        if self.kind == ProbeKind.STARTUP:
            return not started  # done once the container has started
        return started  # liveness and readiness wait for the startup probe

    def _record(self, result: Result, output: str) -> None:
        if result == Result.FAILURE:
            self.on_failure(self.kind, self.spec.name, output)
        if result == self.last_result:
            self.result_run += 1
        else:
            self.last_result, self.result_run = result, 1
        if result == Result.FAILURE and self.result_run < (self.probe.failureThreshold or 3):
            return
        if result == Result.SUCCESS and self.result_run < (self.probe.successThreshold or 1):
            return
        self.results.set(self.container_id, result, self.pod_uid)
        if result == Result.FAILURE and self.kind != ProbeKind.READINESS:
            self.on_hold = True  # it will be killed; wait for the next container
            self.result_run = 0
