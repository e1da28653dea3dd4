"""What a pod worker should do to one pod now (the kubelet's computePodActions): compare
the pod's spec with its containers in the runtime and decide which sandbox to create, which
containers to kill (liveness or startup probe failed, image changed, sandbox gone), which
to start (first start, restart per policy once CrashLoopBackOff allows), and which old
containers to remove. Pure: it reads the runtime state, the probe results and the backoff,
and returns a PodActions; podsync carries it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tugboat.api.core import Container, Pod
from tugboat.client import Backoff
from tugboat.kubelet.restartpolicy import NEVER, should_restart
from tugboat.kubelet.runtime import RuntimeContainer, State

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


@dataclass(frozen=True)
class ProbeView:
    """What the prober says about a running container."""

    liveness_failed: Callable[[RuntimeContainer], bool] = lambda _c: False
    startup_failed: Callable[[RuntimeContainer], bool] = lambda _c: False


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


def compute(pod: Pod, containers: list[RuntimeContainer], policy: str, now: float,
            backoff: Backoff, probes: ProbeView, api_terminal: bool = False) -> PodActions:
    actions = PodActions()
    sandboxes = sorted((c for c in containers if c.is_sandbox), key=lambda c: c.attempt)
    apps = by_name([c for c in containers if not c.is_sandbox])
    sandbox = sandboxes[-1] if sandboxes else None
    actions.remove.extend(s for s in sandboxes[:-1])
    for instances in apps.values():
        actions.remove.extend(instances[:-2])  # keep the latest and the one before it
    if api_terminal:
        _finish(actions, apps, sandbox)
        return actions
    for spec in pod.spec.containers:
        _container(actions, pod, spec, apps.get(spec.name, []), policy, now, backoff, probes)
    if not actions.start and not actions.waiting and _all_done(pod, apps, policy):
        _finish(actions, apps, sandbox)
        return actions
    if sandbox is None or not sandbox.running:
        _replace_sandbox(actions, pod, apps, sandbox, policy)
    return actions


def _container(actions: PodActions, pod: Pod, spec: Container,
               instances: list[RuntimeContainer], policy: str, now: float,
               backoff: Backoff, probes: ProbeView) -> None:
    latest = instances[-1] if instances else None
    if latest is None:
        actions.start.append(Start(spec, 0, restart=False))
    elif latest.state == State.CREATED or latest.state == State.UNKNOWN:
        actions.remove.append(latest)  # never started (a kubelet died mid-start): again
        actions.start.append(Start(spec, latest.attempt, restart=False))
    elif latest.running:
        message = _kill_reason(spec, latest, probes)
        if message:
            actions.kill.append(Kill(latest, message))
    elif should_restart(policy, latest.exit_code):
        key = crash_key(pod.metadata.uid or "", spec.name)
        delay = backoff.delay(key)
        left = delay - (now - (latest.finished_at or now))
        if delay > 0 and left > 0:
            actions.waiting[spec.name] = (CRASH_LOOP, (
                f"back-off {go_duration(delay)} restarting failed "
                f"container={spec.name} pod={pod_label(pod)}"))
            actions.wake_in(left)
        else:
            actions.start.append(Start(spec, latest.attempt + 1, restart=True))


def _kill_reason(spec: Container, latest: RuntimeContainer, probes: ProbeView) -> str:
    if spec.image and latest.image and spec.image != latest.image:
        return f"Container {spec.name} definition changed, will be restarted"
    if probes.startup_failed(latest):
        return f"Container {spec.name} failed startup probe, will be restarted"
    if probes.liveness_failed(latest):
        return f"Container {spec.name} failed liveness probe, will be restarted"
    return ""


def _all_done(pod: Pod, apps: dict[str, list[RuntimeContainer]], policy: str) -> bool:
    """Every container has exited and none will be started again."""
    for spec in pod.spec.containers:
        instances = apps.get(spec.name)
        if not instances:
            return False
        latest = instances[-1]
        if latest.state != State.EXITED or should_restart(policy, latest.exit_code):
            return False
    return True


def _finish(actions: PodActions, apps: dict[str, list[RuntimeContainer]],
            sandbox: RuntimeContainer | None) -> None:
    actions.terminal = True
    actions.start.clear()
    actions.waiting.clear()
    actions.requeue_after = None
    for instances in apps.values():
        if instances[-1].running:
            actions.kill.append(Kill(instances[-1], "Stopping container " + instances[-1].name))


def _replace_sandbox(actions: PodActions, pod: Pod, apps: dict[str, list[RuntimeContainer]],
                     sandbox: RuntimeContainer | None, policy: str) -> None:
    """No running sandbox: every running container lost its network, so kill them; then a
    new sandbox — unless the policy is Never and the pod already ran (it has failed)."""
    for instances in apps.values():
        latest = instances[-1]
        if latest.running and not any(k.container.id == latest.id for k in actions.kill):
            actions.kill.append(Kill(latest, "Pod sandbox changed, it will be killed and "
                                             "re-created."))
    if sandbox is not None and sandbox.state != State.EXITED:
        actions.remove.append(sandbox)
    if policy == NEVER and sandbox is not None and apps:
        actions.start.clear()
        return
    if actions.start or not apps:
        actions.create_sandbox = True
        actions.sandbox_attempt = sandbox.attempt + 1 if sandbox is not None else 0
