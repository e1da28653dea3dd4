"""What a pod worker should do to one pod now (the kubelet's computePodActions): compare
the pod's spec with its containers in the runtime and decide which sandbox to create, which
containers to kill (liveness or startup probe failed, image changed, sandbox gone), which
to start (first start, restart per policy once CrashLoopBackOff allows), and which old
containers to remove. Pure: it reads the runtime state, the probe results and the backoff,
and returns a PodActions; podsync carries it out.
"""

from __future__ import annotations

from tugboat.api.core import Container, Pod
from tugboat.client import Backoff
from tugboat.kubelet import initcontainers
from tugboat.kubelet.podactions import (
    CRASH_LOOP,
    Kill,
    PodActions,
    ProbeView,
    Start,
    by_name,
    crash_key,
    go_duration,
    kill_reason,
    pod_label,
    restart_after_backoff,
)
from tugboat.kubelet.restartpolicy import NEVER, ON_FAILURE, should_restart
from tugboat.kubelet.runtime import RuntimeContainer, State

__all__ = ["CRASH_LOOP", "Kill", "PodActions", "ProbeView", "Start", "by_name", "compute",
           "crash_key", "go_duration", "pod_label"]


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
    if sandbox is None or not sandbox.running:
        if pod.spec.initContainers:
            _reinitialize(actions, pod, apps, sandbox, policy)
            return actions
    else:
        progress = initcontainers.compute(actions, pod, apps, sandbox, policy, now, backoff,
                                          probes)
        if progress is initcontainers.Progress.FAILED:
            _finish(actions, apps, sandbox)
            return actions
        if progress is initcontainers.Progress.INITIALIZING:
            return actions
    for spec in pod.spec.containers:
        _container(actions, pod, spec, apps.get(spec.name, []), policy, now, backoff, probes)
    # Sidecars restarting do not keep a pod alive whose app containers are all done.
    if _all_done(pod, apps, policy):
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
        message = kill_reason(spec, latest, probes)
        if message:
            actions.kill.append(Kill(latest, message))
    elif should_restart(policy, latest.exit_code):
        restart_after_backoff(actions, pod, spec, latest, now, backoff)


def _all_done(pod: Pod, apps: dict[str, list[RuntimeContainer]], policy: str) -> bool:
    """Every app container has exited and none will be started again."""
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
        if instances[-1].running and not actions.kills(instances[-1]):
            actions.kill.append(Kill(instances[-1], "Stopping container " + instances[-1].name))


SANDBOX_CHANGED = "Pod sandbox changed, it will be killed and re-created."


def _kill_all(actions: PodActions, apps: dict[str, list[RuntimeContainer]]) -> None:
    for instances in apps.values():
        latest = instances[-1]
        if latest.running and not actions.kills(latest):
            actions.kill.append(Kill(latest, SANDBOX_CHANGED))


def _replace_sandbox(actions: PodActions, pod: Pod, apps: dict[str, list[RuntimeContainer]],
                     sandbox: RuntimeContainer | None, policy: str) -> None:
    """No running sandbox: every running container lost its network, so kill them; then a
    new sandbox — unless the policy is Never and the pod already ran (it has failed)."""
    _kill_all(actions, apps)
    if sandbox is not None and sandbox.state != State.EXITED:
        actions.remove.append(sandbox)
    if policy == NEVER and sandbox is not None and apps:
        actions.start.clear()
        return
    if actions.start or not apps:
        actions.create_sandbox = True
        actions.sandbox_attempt = sandbox.attempt + 1 if sandbox is not None else 0


def _reinitialize(actions: PodActions, pod: Pod, apps: dict[str, list[RuntimeContainer]],
                  sandbox: RuntimeContainer | None, policy: str) -> None:
    """No running sandbox for a pod with init containers: a new one runs them all again
    from the first — unless the pod is over (Never after it ran; OnFailure once every app
    container succeeded)."""
    _kill_all(actions, apps)
    if sandbox is not None and sandbox.state != State.EXITED:
        actions.remove.append(sandbox)
    if policy == NEVER and sandbox is not None and apps:
        return
    ran = [apps[c.name][-1] for c in pod.spec.containers if c.name in apps]
    succeeded = [c for c in ran if c.state == State.EXITED and c.exit_code == 0]
    if ran and policy == ON_FAILURE and len(succeeded) == len(pod.spec.containers):
        _finish(actions, apps, sandbox)
        return
    initcontainers.reinitialize(actions, pod, apps)
    actions.create_sandbox = True
    actions.sandbox_attempt = sandbox.attempt + 1 if sandbox is not None else 0
