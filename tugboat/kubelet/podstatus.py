"""The PodStatus the kubelet reports (generateAPIPodStatus): containerStatuses from the
runtime's containers (state, lastState, reason, exit code, restartCount, ready, started,
imageID, containerID), the phase (phase.py), the conditions PodScheduled, Initialized,
ContainersReady and Ready, podIP, hostIP and startTime.

Deterministic: times come from the runtime, and a condition keeps its lastTransitionTime
while its status holds, so an unchanged pod yields an equal status and no write.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass

from tugboat.api.core import (
    Container,
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
    Pod,
    PodCondition,
    PodIP,
    PodStatus,
)
from tugboat.kubelet.decisions import by_name
from tugboat.kubelet.phase import TERMINAL, pod_phase
from tugboat.kubelet.runtime import RuntimeContainer, State

CONTAINER_CREATING = "ContainerCreating"


@dataclass(frozen=True)
class Readiness:
    """The prober's view of a running container: ready (readiness), started (startup)."""

    ready: Callable[[RuntimeContainer], bool] = lambda _c: True
    started: Callable[[RuntimeContainer], bool] = lambda _c: True


def rfc3339(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def container_state(c: RuntimeContainer) -> ContainerState:
    if c.state == State.RUNNING:
        return ContainerState(running=ContainerStateRunning(startedAt=rfc3339(c.started_at)))
    if c.state == State.EXITED:
        if c.oom_killed:
            reason = "OOMKilled"
        elif c.error:
            reason = "ContainerCannotRun"
        else:
            reason = "Completed" if c.exit_code == 0 else "Error"
        return ContainerState(terminated=ContainerStateTerminated(
            exitCode=c.exit_code or 0, reason=reason, message=c.error or None,
            startedAt=rfc3339(c.started_at), finishedAt=rfc3339(c.finished_at),
            containerID=f"docker://{c.id}"))
    return ContainerState(waiting=ContainerStateWaiting(reason=CONTAINER_CREATING))


def container_status(spec: Container, instances: list[RuntimeContainer],
                     waiting: tuple[str, str] | None, readiness: Readiness) -> ContainerStatus:
    latest = instances[-1] if instances else None
    prev = instances[-2] if len(instances) > 1 else None
    status = ContainerStatus(name=spec.name, image=spec.image or "", lastState=ContainerState(),
                             restartCount=latest.attempt if latest else 0, started=False)
    if latest is None:
        reason, message = waiting or (CONTAINER_CREATING, "")
        status.state = ContainerState(waiting=ContainerStateWaiting(
            reason=reason, message=message or None))
        return status
    status.containerID, status.imageID = f"docker://{latest.id}", latest.image_id
    if waiting is not None and not latest.running:
        status.state = ContainerState(waiting=ContainerStateWaiting(
            reason=waiting[0], message=waiting[1] or None))
        if latest.state == State.EXITED:
            status.lastState = container_state(latest)
        return status
    status.state = container_state(latest)
    if prev is not None and prev.state == State.EXITED:
        status.lastState = container_state(prev)
    if latest.running:
        status.started = readiness.started(latest)
        status.ready = status.started and readiness.ready(latest)
    return status


def _condition(old: list[PodCondition], type_: str, ok: bool, now: str, reason: str = "",
               message: str = "") -> PodCondition:
    value = "True" if ok else "False"
    prior = next((c for c in old if c.type == type_), None)
    since = prior.lastTransitionTime if prior is not None and prior.status == value else now
    return PodCondition(type=type_, status=value, lastProbeTime=None, lastTransitionTime=since,
                        reason=reason or None, message=message or None)


def conditions(old: list[PodCondition], statuses: list[ContainerStatus], phase: str,
               sandbox_ready: bool, now: str) -> list[PodCondition]:
    unready = [s.name for s in statuses if not s.ready]
    reason = message = ""
    if phase in TERMINAL:
        reason = "PodCompleted"
    elif unready:
        reason, message = "ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]"
    ready = not unready and phase not in TERMINAL
    return [
        _condition(old, "PodReadyToStartContainers", sandbox_ready and phase not in TERMINAL,
                   now),
        _condition(old, "Initialized", True, now),
        _condition(old, "Ready", ready, now, reason, message),
        _condition(old, "ContainersReady", ready, now, reason, message),
        _condition(old, "PodScheduled", True, now),
    ]


def generate(pod: Pod, containers: list[RuntimeContainer], policy: str,
             waiting: dict[str, tuple[str, str]], readiness: Readiness, host_ip: str,
             now: float) -> PodStatus:
    old = pod.status
    apps = by_name([c for c in containers if not c.is_sandbox])
    statuses = [container_status(spec, apps.get(spec.name, []), waiting.get(spec.name),
                                 readiness) for spec in pod.spec.containers]
    phase = pod_phase(statuses, len(pod.spec.containers), policy)
    if old.phase in TERMINAL:
        phase = old.phase  # a finished pod never runs again
    sandboxes = sorted((c for c in containers if c.is_sandbox and c.running and c.ip),
                       key=lambda c: c.attempt)
    pod_ip = sandboxes[-1].ip if sandboxes else old.podIP
    stamp = rfc3339(now) or ""
    return PodStatus(
        phase=phase, conditions=conditions(old.conditions or [], statuses, phase,
                                                   bool(sandboxes), stamp),
        message=old.message, reason=old.reason, nominatedNodeName=old.nominatedNodeName,
        hostIP=host_ip, hostIPs=[PodIP(ip=host_ip)], podIP=pod_ip,
        podIPs=[PodIP(ip=pod_ip)] if pod_ip else None, startTime=old.startTime or stamp,
        containerStatuses=statuses, qosClass=old.qosClass)
