"""Ephemeral containers on the kubelet: started once (never again once any instance
exists), joined to their target's PID namespace while it runs, and reported in spec order
as ephemeralContainerStatuses."""

from __future__ import annotations

import asyncio
from typing import Any

from tugboat.api.core import Pod
from tugboat.kubelet import ephemeral
from tugboat.kubelet.runtime import ContainerConfig, PodRef, RuntimeContainer, State

REF = PodRef(uid="u1", name="app", namespace="default", node="n1")


def _pod(*ephemerals: dict[str, Any]) -> Pod:
    return Pod.model_validate({
        "metadata": {"name": "app", "namespace": "default", "uid": "u1"},
        "spec": {"containers": [{"name": "main", "image": "busybox:1.35"}],
                 "ephemeralContainers": list(ephemerals)}})


def _c(name: str, state: State, cid: str = "", attempt: int = 0) -> RuntimeContainer:
    return RuntimeContainer(id=cid or name, pod=REF, name=name, attempt=attempt, state=state,
                            started_at=1000.0, exit_code=0 if state == State.EXITED else None,
                            finished_at=1001.0 if state == State.EXITED else None)


DEBUG = {"name": "debugger", "image": "busybox:1.35", "targetContainerName": "main"}


class _Runtime:
    def __init__(self, containers: list[RuntimeContainer]):
        self.containers = containers

    async def list_containers(self, node: str, pod_uid: str | None = None
                              ) -> list[RuntimeContainer]:
        return self.containers


def test_to_start_once() -> None:
    pod = _pod(DEBUG, {"name": "other", "image": "busybox:1.35"})
    sandbox = _c("POD", State.RUNNING, "sb")
    assert [c.name for c in ephemeral.to_start(pod, [sandbox])] == ["debugger", "other"]
    ran = [sandbox, _c("debugger", State.EXITED)]
    assert [c.name for c in ephemeral.to_start(pod, ran)] == ["other"]  # never restarted
    assert ephemeral.to_start(_pod(), [sandbox]) == []


def test_with_target_shares_the_running_target_pid_namespace() -> None:
    pod = _pod(DEBUG)
    spec = pod.spec.ephemeralContainers[0]  # type: ignore[index]
    config = ContainerConfig(pod=REF, name="debugger", attempt=0, image="busybox:1.35")
    runtime = _Runtime([_c("main", State.EXITED, "old"), _c("main", State.RUNNING, "new", 1)])
    joined = asyncio.run(ephemeral.with_target(config, spec, runtime, "n1"))  # type: ignore[arg-type]
    assert joined.pid_target == "new"
    gone = _Runtime([_c("main", State.EXITED, "old")])
    assert asyncio.run(ephemeral.with_target(config, spec, gone, "n1")).pid_target is None  # type: ignore[arg-type]
    untargeted = _pod({"name": "debugger", "image": "busybox:1.35"}).spec.ephemeralContainers
    assert asyncio.run(ephemeral.with_target(config, untargeted[0], runtime, "n1")  # type: ignore[index,arg-type]
                       ).pid_target is None
    app = pod.spec.containers[0]
    assert asyncio.run(ephemeral.with_target(config, app, runtime, "n1")) is config  # type: ignore[arg-type]


def test_statuses() -> None:
    pod = _pod(DEBUG, {"name": "pulling", "image": "nope:1"}, {"name": "done", "image": "x:1"})
    found = [_c("POD", State.RUNNING, "sb"), _c("main", State.RUNNING),
             _c("debugger", State.RUNNING, "d1"), _c("done", State.EXITED, "d2")]
    waiting = {"pulling": ("ErrImagePull", "no such image")}
    out = ephemeral.statuses(pod, found, waiting)
    assert out is not None
    assert [s.name for s in out] == ["debugger", "pulling", "done"]
    running, pulling, done = out
    assert running.state and running.state.running is not None
    assert running.containerID == "docker://d1" and running.ready is False
    assert running.started is True
    assert pulling.state and pulling.state.waiting is not None
    assert pulling.state.waiting.reason == "ErrImagePull"
    assert done.state and done.state.terminated is not None
    assert done.state.terminated.reason == "Completed" and done.restartCount == 0
    assert ephemeral.statuses(_pod(), found, {}) is None
