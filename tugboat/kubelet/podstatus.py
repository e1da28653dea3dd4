"""The PodStatus the kubelet reports (generateAPIPodStatus): containerStatuses from the
runtime's containers (state, lastState, reason, exit code, restartCount, ready, started,
imageID, containerID), initContainerStatuses likewise, the phase (phase.py), the conditions
PodScheduled, Initialized (False, ContainersNotInitialized, until the init containers are
done), ContainersReady and Ready (sidecars' readiness counts), podIP, hostIP and startTime.

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
from tugboat.kubelet.initcontainers import is_sidecar
from tugboat.kubelet.phase import FAILED, SUCCEEDED, TERMINAL, pod_phase
from tugboat.kubelet.podactions import by_name
from tugboat.kubelet.runtime import RuntimeContainer, State

CONTAINER_CREATING = "ContainerCreating"
POD_INITIALIZING = "PodInitializing"  # every container's first reason when there are inits


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
                     waiting: tuple[str, str] | None, readiness: Readiness,
                     default: str = CONTAINER_CREATING, init: bool = False) -> ContainerStatus:
    """`default` is the waiting reason before the first instance (PodInitializing in a
    pod with init containers); a plain `init` container is ready once it exited 0."""
    latest = instances[-1] if instances else None
    prev = instances[-2] if len(instances) > 1 else None
    status = ContainerStatus(name=spec.name, image=spec.image or "", lastState=ContainerState(),
                             restartCount=latest.attempt if latest else 0, started=False)
    if latest is None:
        reason, message = waiting or (default, "")
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
        status.ready = status.started and readiness.ready(latest) and not (
            init and not is_sidecar(spec))
    elif init and not is_sidecar(spec):
        status.ready = latest.state == State.EXITED and latest.exit_code == 0
    return status


def _condition(old: list[PodCondition], type_: str, ok: bool, now: str, reason: str = "",
               message: str = "") -> PodCondition:
    value = "True" if ok else "False"
    prior = next((c for c in old if c.type == type_), None)
    since = prior.lastTransitionTime if prior is not None and prior.status == value else now
    return PodCondition(type=type_, status=value, lastProbeTime=None, lastTransitionTime=since,
                        reason=reason or None, message=message or None)


def _terminal_reason(phase: str) -> str:
    return "PodFailed" if phase == FAILED else "PodCompleted"


def _initialized(pod: Pod, inits: list[ContainerStatus], statuses: list[ContainerStatus],
                 phase: str) -> tuple[bool, str, str]:
    """The Initialized condition (GeneratePodInitializedCondition)."""
    specs = pod.spec.initContainers or []
    if not specs:
        return True, "", ""
    if phase == SUCCEEDED:
        return True, "PodCompleted", ""
    if any(s.state is not None and (s.state.running is not None
                                    or s.state.terminated is not None) for s in statuses):
        return True, "", ""  # an app container ran: a sidecar restarting changes nothing
    incomplete = []
    for spec, st in zip(specs, inits, strict=True):
        term = st.state.terminated if st.state is not None else None
        if is_sidecar(spec):
            if not st.started:
                incomplete.append(spec.name)
        elif term is None or term.exitCode != 0:
            incomplete.append(spec.name)
    if incomplete:
        return False, "ContainersNotInitialized", (
            f"containers with incomplete status: [{' '.join(incomplete)}]")
    return True, "", ""


def conditions(pod: Pod, old: list[PodCondition], inits: list[ContainerStatus],
               statuses: list[ContainerStatus], phase: str, sandbox_ready: bool,
               now: str) -> list[PodCondition]:
    sidecar_statuses = [st for spec, st in zip(pod.spec.initContainers or [], inits,
                                               strict=True) if is_sidecar(spec)]
    unready = [s.name for s in [*sidecar_statuses, *statuses] if not s.ready]
    reason = message = ""
    if phase in TERMINAL:
        reason = _terminal_reason(phase)
    elif unready:
        reason, message = "ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]"
    ready = not unready and phase not in TERMINAL
    initialized, init_reason, init_message = _initialized(pod, inits, statuses, phase)
    return [
        _condition(old, "PodReadyToStartContainers", sandbox_ready and phase not in TERMINAL,
                   now),
        _condition(old, "Initialized", initialized, now, init_reason, init_message),
        _condition(old, "Ready", ready, now, reason, message),
        _condition(old, "ContainersReady", ready, now, reason, message),
        _condition(old, "PodScheduled", True, now),
        # kept as written: conditions the kubelet does not own (DisruptionTarget, gates')
        *(c for c in old if c.type not in ("PodReadyToStartContainers", "Initialized",
                                           "Ready", "ContainersReady", "PodScheduled")),
    ]


def generate(pod: Pod, containers: list[RuntimeContainer], policy: str,
             waiting: dict[str, tuple[str, str]], readiness: Readiness, host_ip: str,
             now: float) -> PodStatus:
    old = pod.status
    apps = by_name([c for c in containers if not c.is_sandbox])
    init_specs = pod.spec.initContainers or []
    default = POD_INITIALIZING if init_specs else CONTAINER_CREATING
    inits = [container_status(spec, apps.get(spec.name, []), waiting.get(spec.name),
                              readiness, default, init=True) for spec in init_specs]
    statuses = [container_status(spec, apps.get(spec.name, []), waiting.get(spec.name),
                                 readiness, default) for spec in pod.spec.containers]
    phase = pod_phase(statuses, len(pod.spec.containers), policy,
                      [(is_sidecar(spec), st) for spec, st in zip(init_specs, inits,
                                                                  strict=True)])
    if old.phase in TERMINAL:
        phase = old.phase  # a finished pod never runs again
    sandboxes = sorted((c for c in containers if c.is_sandbox and c.running and c.ip),
                       key=lambda c: c.attempt)
    pod_ip = sandboxes[-1].ip if sandboxes else old.podIP
    stamp = rfc3339(now) or ""
    return PodStatus(
        phase=phase, conditions=conditions(pod, old.conditions or [], inits, statuses, phase,
                                           bool(sandboxes), stamp),
        message=old.message, reason=old.reason, nominatedNodeName=old.nominatedNodeName,
        hostIP=host_ip, hostIPs=[PodIP(ip=host_ip)], podIP=pod_ip,
        podIPs=[PodIP(ip=pod_ip)] if pod_ip else None, startTime=old.startTime or stamp,
        initContainerStatuses=inits or None, containerStatuses=statuses,
        qosClass=old.qosClass)
