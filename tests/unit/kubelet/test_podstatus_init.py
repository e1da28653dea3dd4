"""The status a pod with a sidecar reports: the sidecar's readiness counts for Ready, and
its started flag for Initialized."""

from __future__ import annotations

from tugboat.kubelet import podstatus
from tugboat.kubelet.runtime import SANDBOX_NAME, PodRef, RuntimeContainer, State

from .conftest import NODE, make_pod

REF = PodRef("uid-web", "web", "default", NODE)
NOW = 1_800_000_000.0


def rc(name: str) -> RuntimeContainer:
    return RuntimeContainer(id=name, pod=REF, name=name, attempt=0, state=State.RUNNING,
                            image="busybox:1.35", created_at=NOW - 5, started_at=NOW - 5,
                            ip="10.1.1.1" if name == SANDBOX_NAME else None)


def conditions(status: object) -> dict[str, tuple[str, str | None, str | None]]:
    return {c.type: (c.status, c.reason, c.message) for c in status.conditions}  # type: ignore[attr-defined]


def test_an_unready_sidecar_keeps_the_pod_unready() -> None:
    pod = make_pod(initContainers=[{"name": "side", "image": "busybox:1.35",
                                    "restartPolicy": "Always"}])
    containers = [rc(SANDBOX_NAME), rc("side"), rc("app")]
    ready = podstatus.Readiness(ready=lambda c: c.name != "side")
    status = podstatus.generate(pod, containers, "Always", {}, ready, "10.0.0.1", NOW)
    assert status.phase == "Running"
    side = status.initContainerStatuses[0]
    assert side.started and not side.ready
    got = conditions(status)
    assert got["Ready"] == ("False", "ContainersNotReady", "containers with unready status: [side]")
    assert got["Initialized"] == ("True", None, None)


def test_a_sidecar_not_yet_started_leaves_the_pod_uninitialized() -> None:
    pod = make_pod(initContainers=[{"name": "side", "image": "busybox:1.35",
                                    "restartPolicy": "Always"}])
    started = podstatus.Readiness(started=lambda c: c.name != "side")
    status = podstatus.generate(pod, [rc(SANDBOX_NAME), rc("side")], "Always", {}, started,
                                "10.0.0.1", NOW)
    assert status.phase == "Pending"
    assert conditions(status)["Initialized"] == (
        "False", "ContainersNotInitialized", "containers with incomplete status: [side]")
    assert status.containerStatuses[0].state.waiting.reason == "PodInitializing"
