"""Pod phase from container statuses (S2 and the kubelet's getPhase)."""

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


def running() -> ContainerStatus:
    return ContainerStatus(name="c", state=ContainerState(running=ContainerStateRunning()))


def exited(code: int) -> ContainerStatus:
    return ContainerStatus(name="c", state=ContainerState(
        terminated=ContainerStateTerminated(exitCode=code)))


def waiting(restarting: bool = False) -> ContainerStatus:
    last = ContainerState(terminated=ContainerStateTerminated(exitCode=1)) if restarting \
        else ContainerState()
    return ContainerStatus(name="c", state=ContainerState(
        waiting=ContainerStateWaiting(reason="X")), lastState=last)


@pytest.mark.parametrize(("statuses", "policy", "phase"), [
    ([waiting()], "Always", "Pending"),  # image download, ContainerCreating
    ([running(), waiting()], "Always", "Pending"),
    ([running()], "Never", "Running"),
    ([running(), exited(0)], "Never", "Running"),
    ([waiting(restarting=True)], "Always", "Running"),  # CrashLoopBackOff
    ([exited(0)], "Always", "Running"),  # about to restart
    ([exited(0), exited(0)], "Never", "Succeeded"),
    ([exited(0)], "OnFailure", "Succeeded"),
    ([exited(0), exited(1)], "Never", "Failed"),
    ([exited(1)], "OnFailure", "Running"),  # will be restarted
    ([], "Always", "Pending"),
])
def test_phase(statuses: list[ContainerStatus], policy: str, phase: str) -> None:
    assert pod_phase(statuses, max(len(statuses), 1), policy) == phase


def test_a_container_without_status_keeps_the_pod_pending() -> None:
    assert pod_phase([running()], 2, "Always") == "Pending"
