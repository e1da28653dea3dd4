"""The pod phase with init containers and sidecars (getPhase's initialization rules)."""

from __future__ import annotations

import pytest

from tugboat.api.core import (
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
)
from tugboat.kubelet.phase import pod_phase


def running(started: bool = True) -> ContainerStatus:
    return ContainerStatus(name="c", started=started,
                           state=ContainerState(running=ContainerStateRunning()))


def exited(code: int) -> ContainerStatus:
    return ContainerStatus(name="c", state=ContainerState(
        terminated=ContainerStateTerminated(exitCode=code)))


def waiting(last_code: int | None = None) -> ContainerStatus:
    last = ContainerState(terminated=ContainerStateTerminated(exitCode=last_code)) \
        if last_code is not None else ContainerState()
    return ContainerStatus(name="c", state=ContainerState(
        waiting=ContainerStateWaiting(reason="X")), lastState=last)


PLAIN, SIDECAR = False, True


@pytest.mark.parametrize(("inits", "apps", "policy", "phase"), [
    ([(PLAIN, running())], [waiting()], "Always", "Pending"),
    ([(PLAIN, exited(1))], [waiting()], "Never", "Failed"),
    ([(PLAIN, waiting(last_code=1))], [waiting()], "OnFailure", "Pending"),  # crash loop
    ([(PLAIN, exited(0))], [running()], "Always", "Running"),
    ([(SIDECAR, running(started=False))], [waiting()], "Never", "Pending"),
    ([(SIDECAR, running())], [exited(0)], "Never", "Running"),  # about to be stopped
    ([(SIDECAR, exited(137))], [exited(0)], "Never", "Succeeded"),  # a sidecar doesn't count
    ([(SIDECAR, exited(137))], [exited(2)], "Never", "Failed"),
    ([(SIDECAR, waiting(last_code=1))], [running()], "Always", "Running"),  # sidecar restarts
])
def test_phase_with_init_containers(inits: list[tuple[bool, ContainerStatus]],
                                    apps: list[ContainerStatus], policy: str,
                                    phase: str) -> None:
    assert pod_phase(apps, len(apps), policy, inits) == phase
