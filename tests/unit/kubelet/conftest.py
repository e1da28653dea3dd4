"""Fixtures for the kubelet's unit tests: pods built from short specs, a wall clock that
moves only when told, and a pod syncer wired to the fake runtime (no Docker, no API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.clock import ManualClock
from tugboat.api.core import Pod
from tugboat.api.defaults import apply_defaults
from tugboat.api.meta import Status
from tugboat.client import Backoff, NotFound
from tugboat.kubelet.dns import DNSConfigurer
from tugboat.kubelet.environment import ContainerEnvironment
from tugboat.kubelet.images import ImageManager
from tugboat.kubelet.podmanager import PodManager
from tugboat.kubelet.podsync import PodSyncer, SyncDeps
from tugboat.kubelet.prober.manager import ProberManager
from tugboat.kubelet.prober.results import Result
from tugboat.kubelet.reasons import ReasonCache
from tugboat.kubelet.runtime.fake import FakeRuntime
from tugboat.kubelet.serviceenv import ServiceEnvironment
from tugboat.kubelet.statusmanager import StatusManager
from tugboat.kubelet.volumes import VolumeManager

NODE = "node-a"





@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_800_000_000.0)  # epoch seconds: pod status times are wall time


def make_pod(name: str = "web", *, containers: list[dict[str, Any]] | None = None,
             restart_policy: str | None = None, uid: str | None = None,
             **spec: Any) -> Pod:
    body = {"metadata": {"name": name, "namespace": "default", "uid": uid or f"uid-{name}",
                         "resourceVersion": "1"},
            "spec": {"nodeName": NODE, "terminationGracePeriodSeconds": 1,
                     "containers": containers or [{"name": "app", "image": "busybox:1.35"}],
                     **spec}}
    if restart_policy:
        body["spec"]["restartPolicy"] = restart_policy
    pod = Pod.model_validate(body)
    apply_defaults(pod)
    pod.status.phase = "Pending"
    return pod


@dataclass
class Harness:
    """A PodSyncer on the fake runtime; `events` and `written` record what it reported."""

    clock: ManualClock
    runtime: FakeRuntime
    pods: PodManager
    syncer: PodSyncer
    status: StatusManager
    prober: ProberManager
    events: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, pod: Pod) -> str:
        return self.pods.update_api_pod(pod)

    async def sync(self, pod: Pod) -> float | None:
        return await self.syncer.sync(pod.metadata.uid or "")

    def status_of(self, pod: Pod) -> Any:
        return self.status.current(pod)

    def reasons(self) -> list[str]:
        return [reason for _type, reason, _message in self.events]

    def containers(self, name: str) -> list[Any]:
        return self.runtime.by_name(name)


async def no_objects(resource: str, name: str, _namespace: str) -> Any:
    """The API as a kubelet without ConfigMaps or Secrets sees it."""
    raise NotFound(Status(code=404, reason="NotFound", message=f'{resource} "{name}" not found'))


async def _no_probe(*_args: Any) -> tuple[Result, str]:
    return Result.SUCCESS, ""


@pytest.fixture
def harness(clock: ManualClock, tmp_path: Any) -> Harness:
    runtime = FakeRuntime(clock=clock)
    pods = PodManager()
    pods.api_synced = pods.static_loaded = True
    events: list[tuple[str, str, str]] = []

    def record(_pod: Pod, type_: str, reason: str, message: str) -> None:
        events.append((type_, reason, message))

    status = StatusManager(None, lambda p: pods.get(p.metadata.uid or ""))
    prober = ProberManager(_no_probe, lambda _uid: None, lambda *_a: None, clock=clock)
    deps = SyncDeps(node=NODE, host_ip="10.0.0.1", runtime=runtime, pods=pods,
                    images=ImageManager(runtime, record, Backoff(10, 300, clock=clock),
                                        clock=clock),
                    volumes=VolumeManager(tmp_path), prober=prober, status=status,
                    crash_backoff=Backoff(10, 300, clock=clock), reasons=ReasonCache(),
                    record=record, clock=clock,
                    dns=DNSConfigurer(tmp_path, ("10.96.0.10",), resolv_conf=""),
                    service_env=ServiceEnvironment(list, lambda: True, {}),
                    environment=ContainerEnvironment(no_objects, dict, record))
    h = Harness(clock, runtime, pods, PodSyncer(deps), status, prober, events)
    return h
