"""The vocabulary of the kubelet's computePodActions, shared by the parts that decide
(decisions.py for the pod and its app containers, initcontainers.py for init and sidecar
containers) and the part that acts (podsync.py): what to kill, what to start with which
attempt, why a container waits — and the two rules every container kind follows alike, a
restart held back by CrashLoopBackOff and a running container that must be replaced.
Pure values and functions; nothing here touches the runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tugboat.api.core import Container, Pod
from tugboat.client import Backoff
from tugboat.kubelet.runtime import RuntimeContainer

CRASH_LOOP = "CrashLoopBackOff"


@dataclass(frozen=True)
class Kill:
    container: RuntimeContainer
    message: str  # the Killing event's message


@dataclass(frozen=True)
class Start:
    spec: Container
    attempt: int
    restart: bool  # counts against the CrashLoopBackOff backoff
    follow_up: bool = False  # sync again once it started (a sidecar: the next one may start)


@dataclass
class PodActions:
    create_sandbox: bool = False
    sandbox_attempt: int = 0
    kill: list[Kill] = field(default_factory=list)
    start: list[Start] = field(default_factory=list)
    remove: list[RuntimeContainer] = field(default_factory=list)
    waiting: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → reason, message
    requeue_after: float | None = None
    terminal: bool = False  # nothing will ever run again: the sandbox may go

    def wake_in(self, seconds: float) -> None:
        if self.requeue_after is None or seconds < self.requeue_after:
            self.requeue_after = max(seconds, 0.05)

    def kills(self, c: RuntimeContainer) -> bool:
        return any(k.container.id == c.id for k in self.kill)


@dataclass(frozen=True)
class ProbeView:
    """What the prober says about a running container. `started` is the startup probe's
    verdict so far (True without one): a sidecar counts as started only then."""

    liveness_failed: Callable[[RuntimeContainer], bool] = lambda _c: False
    startup_failed: Callable[[RuntimeContainer], bool] = lambda _c: False
    started: Callable[[RuntimeContainer], bool] = lambda _c: True


def crash_key(pod_uid: str, name: str) -> tuple[str, str]:
    return pod_uid, name


def by_name(containers: list[RuntimeContainer]) -> dict[str, list[RuntimeContainer]]:
    """Each container name's instances, latest attempt last."""
    out: dict[str, list[RuntimeContainer]] = {}
    for c in sorted(containers, key=lambda c: (c.attempt, c.created_at)):
        out.setdefault(c.name, []).append(c)
    return out


def go_duration(seconds: float) -> str:
    """Go's time.Duration text, as the kubelet's messages print it: 10s, 1m20s, 5m0s."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    minutes, rest = divmod(seconds, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".") + "s"
    return f"{int(minutes)}m{text}" if minutes else text


def pod_label(pod: Pod) -> str:
    m = pod.metadata
    return f"{m.name}_{m.namespace}({m.uid})"


def restart_after_backoff(actions: PodActions, pod: Pod, spec: Container,
                          latest: RuntimeContainer, now: float, backoff: Backoff,
                          follow_up: bool = False) -> None:
    """Start an exited container again — at once the first time, then only once its
    CrashLoopBackOff delay has passed since it finished; meanwhile it waits."""
    key = crash_key(pod.metadata.uid or "", spec.name)
    delay = backoff.delay(key)
    left = delay - (now - (latest.finished_at or now))
    if delay > 0 and left > 0:
        actions.waiting[spec.name] = (CRASH_LOOP, (
            f"back-off {go_duration(delay)} restarting failed "
            f"container={spec.name} pod={pod_label(pod)}"))
        actions.wake_in(left)
    else:
        actions.start.append(Start(spec, latest.attempt + 1, restart=True,
                                   follow_up=follow_up))


def kill_reason(spec: Container, latest: RuntimeContainer, probes: ProbeView) -> str:
    """Why a running container must be replaced ("" if it may keep running)."""
    if spec.image and latest.image and spec.image != latest.image:
        return f"Container {spec.name} definition changed, will be restarted"
    if probes.startup_failed(latest):
        return f"Container {spec.name} failed startup probe, will be restarted"
    if probes.liveness_failed(latest):
        return f"Container {spec.name} failed liveness probe, will be restarted"
    return ""
