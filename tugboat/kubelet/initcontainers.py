"""Init containers and native sidecars (the kubelet's computeInitContainerActions).

Init containers run one at a time, in order, in the pod's current sandbox, each to exit 0
before the next starts and before any app container. A failed one follows the pod's
restartPolicy: Never fails the pod, OnFailure and Always restart it under the same
CrashLoopBackOff as app containers. An init container with `restartPolicy: Always` is a
sidecar: the next init container starts once it has *started* (its startupProbe passed,
if it has one), and it is kept running — restarted whatever the pod's policy — beside the
app containers until the pod ends, when it is stopped after them, in reverse order.

Only instances created in the current sandbox count: a sandbox recreated means every
init container runs again, while the older instances still give the restart count.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from enum import StrEnum

from tugboat.api.core import Container, Pod
from tugboat.client import Backoff
from tugboat.kubelet.podactions import (
    Kill,
    PodActions,
    ProbeView,
    Start,
    kill_reason,
    restart_after_backoff,
)
from tugboat.kubelet.restartpolicy import NEVER
from tugboat.kubelet.runtime import RuntimeContainer, State

Instances = dict[str, list[RuntimeContainer]]


class Progress(StrEnum):
    INITIALIZING = "Initializing"
    INITIALIZED = "Initialized"
    FAILED = "Failed"  # an init container failed under restartPolicy Never


def is_sidecar(spec: Container | None) -> bool:
    return spec is not None and spec.restartPolicy == "Always"


def sidecars(pod: Pod) -> list[Container]:
    return [c for c in pod.spec.initContainers or () if is_sidecar(c)]


def _current(instances: list[RuntimeContainer], sandbox: RuntimeContainer
             ) -> RuntimeContainer | None:
    """The latest instance created in this sandbox, if any."""
    mine = [c for c in instances if c.created_at >= sandbox.created_at]
    return mine[-1] if mine else None


def _start(spec: Container, attempt: int) -> Start:
    """A first start (not a restart). A sidecar gets a follow-up sync: nothing else (no
    exit, no probe result) would tell the pod worker it is up and the next may start."""
    return Start(spec, attempt, restart=False, follow_up=is_sidecar(spec))


def _next_attempt(instances: list[RuntimeContainer]) -> int:
    return instances[-1].attempt + 1 if instances else 0


def compute(actions: PodActions, pod: Pod, apps: Instances, sandbox: RuntimeContainer,
            policy: str, now: float, backoff: Backoff, probes: ProbeView) -> Progress:
    """Add the init containers' actions for a pod whose sandbox runs; say whether the app
    containers may be looked at."""
    inits = pod.spec.initContainers or []
    if not inits:
        return Progress.INITIALIZED
    current = [_current(apps.get(c.name, []), sandbox) for c in inits]
    # An app container in this sandbox means initialization finished before: only the
    # sidecars still need keeping alive.
    initialized = any(_current(apps.get(c.name, []), sandbox) for c in pod.spec.containers)
    top = max((i for i, c in enumerate(current) if c is not None), default=-1)
    if initialized:
        top = len(inits)
    elif top < 0:
        actions.start.append(_start(inits[0], _next_attempt(apps.get(inits[0].name, []))))
        return Progress.INITIALIZING
    progress = Progress.INITIALIZED if initialized else Progress.INITIALIZING
    for i, spec in enumerate(inits[:top + 1]):
        instances, latest = apps.get(spec.name, []), current[i]
        if is_sidecar(spec):
            done = _sidecar(actions, pod, spec, instances, latest, now, backoff, probes)
        elif i < top:
            continue  # it succeeded before a later one ran
        else:
            outcome = _regular(actions, pod, spec, latest, policy, now, backoff)
            if outcome is Progress.FAILED:
                return outcome
            done = outcome is Progress.INITIALIZED
        if i == top and done and not initialized:
            if i == len(inits) - 1:
                progress = Progress.INITIALIZED
            else:
                nxt = inits[i + 1]
                actions.start.append(_start(nxt, _next_attempt(apps.get(nxt.name, []))))
    return progress


def _sidecar(actions: PodActions, pod: Pod, spec: Container, instances: list[RuntimeContainer],
             latest: RuntimeContainer | None, now: float, backoff: Backoff,
             probes: ProbeView) -> bool:
    """Keep a sidecar running whatever the pod's policy; True once it has started."""
    if latest is None:
        actions.start.append(_start(spec, _next_attempt(instances)))
    elif latest.state in (State.CREATED, State.UNKNOWN):
        actions.remove.append(latest)  # never started (a kubelet died mid-start): again
        actions.start.append(_start(spec, latest.attempt))
    elif latest.running:
        message = kill_reason(spec, latest, probes)
        if message:
            actions.kill.append(Kill(latest, message))
            return False
        return probes.started(latest)
    else:
        restart_after_backoff(actions, pod, spec, latest, now, backoff, follow_up=True)
    return False


def _regular(actions: PodActions, pod: Pod, spec: Container, latest: RuntimeContainer | None,
             policy: str, now: float, backoff: Backoff) -> Progress:
    """The init container initialization waits on: INITIALIZED once it exited 0."""
    if latest is None:
        return Progress.INITIALIZING
    if latest.state in (State.CREATED, State.UNKNOWN):
        actions.remove.append(latest)
        actions.start.append(Start(spec, latest.attempt, restart=False))
    elif latest.state == State.EXITED:
        if latest.exit_code == 0 and not latest.error:
            return Progress.INITIALIZED
        if policy == NEVER:
            return Progress.FAILED
        restart_after_backoff(actions, pod, spec, latest, now, backoff)
    return Progress.INITIALIZING


def reinitialize(actions: PodActions, pod: Pod, apps: Instances) -> None:
    """A new sandbox starts from the first init container again."""
    first = (pod.spec.initContainers or [])[0]
    actions.start.append(_start(first, _next_attempt(apps.get(first.name, []))))


class TerminationOrdering:
    """The order a pod's running containers stop in (the kubelet's terminationOrdering):
    all are told at once and run their preStop hooks together, then a sidecar waits for its
    turn — every app container stopped (not an ephemeral one), and the sidecars
    declared after it — so an app container keeps its sidecars while it shuts down. The
    wait counts against the sidecar's own grace period, so the whole pod still stops
    within one grace period rather than one per sidecar."""

    def __init__(self, pod: Pod, kills: list[Kill]):
        order = {c.name: i for i, c in enumerate(sidecars(pod))}
        apps = {c.name for c in pod.spec.containers}  # not ephemeral ones: nobody waits
        self._gone = {k.container.name: asyncio.Event() for k in kills}
        self._prereqs: dict[str, list[asyncio.Event]] = {}
        for name in self._gone:
            if name not in order:
                continue
            self._prereqs[name] = [
                ev for other, ev in self._gone.items()
                if other in apps or order.get(other, -1) > order[name]]

    async def wait_for_turn(self, name: str, grace: float) -> float:
        """Wait (at most `grace` seconds) until the containers `name` must outlive have
        stopped; the seconds waited."""
        waits = self._prereqs.get(name)
        if not waits or grace <= 0:
            return 0.0
        start = time.monotonic()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                for ev in waits:
                    await ev.wait()
        return time.monotonic() - start

    def terminated(self, name: str) -> None:
        if (ev := self._gone.get(name)) is not None:
            ev.set()
