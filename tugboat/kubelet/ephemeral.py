"""Ephemeral containers on the node (what `kubectl debug` adds to a running pod): which of
the pod's ephemeral containers still have to be started — each is started once, in the
pod's running sandbox, and never restarted, as Kubernetes' computePodActions does — the
PID namespace of the container it targets (`targetContainerName`: Docker's
`pid_mode=container:<id>`, the CRI's NamespaceOption.TargetId), and the
ephemeralContainerStatuses the pod reports.
"""

from __future__ import annotations

import dataclasses

from tugboat.api.core import Container, ContainerStatus, Pod
from tugboat.api.pod import EphemeralContainer
from tugboat.kubelet.decisions import by_name
from tugboat.kubelet.podstatus import Readiness, container_status
from tugboat.kubelet.runtime import ContainerConfig, ContainerRuntime, RuntimeContainer

# An ephemeral container has no probes: it is started once it runs, and never Ready (it
# serves nothing), as the kubelet reports it.
_NO_PROBES = Readiness(ready=lambda _c: False, started=lambda _c: True)


def to_start(pod: Pod, containers: list[RuntimeContainer]) -> list[EphemeralContainer]:
    """The ephemeral containers that never ran: any instance, running or exited, means
    the container had its one start."""
    known = {c.name for c in containers if not c.is_sandbox}
    return [ec for ec in pod.spec.ephemeralContainers or () if ec.name not in known]


async def with_target(config: ContainerConfig, spec: Container, runtime: ContainerRuntime,
                      node: str) -> ContainerConfig:
    """`config` joined to the PID namespace of the container `spec` targets, when it is an
    ephemeral container with a target that runs (else its own, as Kubernetes starts it
    when the target has gone)."""
    target = spec.targetContainerName if isinstance(spec, EphemeralContainer) else None
    if not target:
        return config
    found = by_name([c for c in await runtime.list_containers(node, config.pod.uid)
                     if not c.is_sandbox]).get(target, [])
    if not found or not found[-1].running:
        return config
    return dataclasses.replace(config, pid_target=found[-1].id)


def statuses(pod: Pod, containers: list[RuntimeContainer],
             waiting: dict[str, tuple[str, str]]) -> list[ContainerStatus] | None:
    """status.ephemeralContainerStatuses: one per ephemeral container, in spec order."""
    specs = pod.spec.ephemeralContainers
    if not specs:
        return None
    apps = by_name([c for c in containers if not c.is_sandbox])
    return [container_status(ec, apps.get(ec.name, []), waiting.get(ec.name), _NO_PROBES)
            for ec in specs]
