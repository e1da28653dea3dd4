"""The prober manager (prober_manager.go): one Worker per probe of each container of each
pod, started when the pod is added and stopped when it goes; the pod worker tells it which
container each probe should look at (`observe`) and asks it what the probes say
(`probe_view`, `readiness`). Result changes wake the pod's worker through `on_change`.
Static pods are never given to the prober (S5)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from tugboat.api.core import Container, Pod, Probe
from tugboat.kubelet.decisions import ProbeView
from tugboat.kubelet.initcontainers import sidecars
from tugboat.kubelet.podstatus import Readiness
from tugboat.kubelet.prober.results import Result, ResultsManager
from tugboat.kubelet.prober.worker import OnFailure, ProbeKind, Runner, Target, Worker
from tugboat.kubelet.runtime import RuntimeContainer

WorkerKey = tuple[str, str, ProbeKind]  # pod uid, container name, kind


def _probes(spec: Container) -> list[tuple[ProbeKind, Probe]]:
    found = [(ProbeKind.LIVENESS, spec.livenessProbe), (ProbeKind.READINESS, spec.readinessProbe),
             (ProbeKind.STARTUP, spec.startupProbe)]
    return [(kind, probe) for kind, probe in found if probe is not None]


class ProberManager:
    def __init__(self, runner: Runner, on_change: Callable[[str], None],
                 on_failure: Callable[[Pod, ProbeKind, str, str], None], *,
                 clock: Callable[[], float] = time.time):
        self.runner, self.on_failure, self.clock = runner, on_failure, clock
        self.results = {kind: ResultsManager(on_change) for kind in ProbeKind}
        self._workers: dict[WorkerKey, tuple[Worker, asyncio.Task[None]]] = {}
        self._targets: dict[tuple[str, str], Target] = {}
        self._specs: dict[str, dict[str, Container]] = {}

    def add_pod(self, pod: Pod) -> None:
        uid = pod.metadata.uid or ""
        probed = [*sidecars(pod), *pod.spec.containers]  # sidecars are probed as apps are
        self._specs[uid] = {c.name: c for c in probed}
        for spec in probed:
            for kind, probe in _probes(spec):
                key = (uid, spec.name, kind)
                if key not in self._workers:
                    self._start(key, pod, spec, probe)

    def _start(self, key: WorkerKey, pod: Pod, spec: Container, probe: Probe) -> None:
        uid, name, kind = key
        report: OnFailure = lambda k, c, out: self.on_failure(pod, k, c, out)  # noqa: E731
        worker = Worker(kind, uid, spec, probe, self.results[kind], self.runner,
                        lambda: self._targets.get((uid, name)),
                        lambda cid: self._started(uid, name, cid), report, clock=self.clock)
        task = asyncio.get_running_loop().create_task(worker.run(), name=f"probe-{kind}-{name}")
        self._workers[key] = (worker, task)

    def remove_pod(self, uid: str) -> None:
        for key in [k for k in self._workers if k[0] == uid]:
            worker, task = self._workers.pop(key)
            task.cancel()
            worker.stop()
        for key in [k for k in self._targets if k[0] == uid]:
            del self._targets[key]
        self._specs.pop(uid, None)

    def has_pod(self, uid: str) -> bool:
        return uid in self._specs

    def observe(self, uid: str, targets: dict[str, Target]) -> None:
        """The containers the pod worker just saw, by container name."""
        for name, target in targets.items():
            self._targets[(uid, name)] = target

    async def stop(self) -> None:
        tasks = [task for _, task in self._workers.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()

    # --- what the pod worker asks -----------------------------------------------------------

    def _spec(self, uid: str, name: str) -> Container | None:
        return self._specs.get(uid, {}).get(name)

    def _started(self, uid: str, name: str, cid: str) -> bool:
        spec = self._spec(uid, name)
        if spec is None or spec.startupProbe is None:
            return True
        return self.results[ProbeKind.STARTUP].get(cid) == Result.SUCCESS

    def _ready(self, uid: str, c: RuntimeContainer) -> bool:
        spec = self._spec(uid, c.name)
        if spec is None or spec.readinessProbe is None:
            return True
        return self.results[ProbeKind.READINESS].get(c.id) == Result.SUCCESS

    def _failed(self, kind: ProbeKind, c: RuntimeContainer) -> bool:
        return self.results[kind].get(c.id) == Result.FAILURE

    def probe_view(self) -> ProbeView:
        return ProbeView(liveness_failed=lambda c: self._failed(ProbeKind.LIVENESS, c),
                         startup_failed=lambda c: self._failed(ProbeKind.STARTUP, c),
                         started=lambda c: self._started(c.pod.uid, c.name, c.id))

    def readiness(self, uid: str) -> Readiness:
        return Readiness(ready=lambda c: self._ready(uid, c),
                         started=lambda c: self._started(uid, c.name, c.id))
