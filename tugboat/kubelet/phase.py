"""The pod phase from its container statuses (S2), by the kubelet's own rules (getPhase):

- Pending: some container is waiting and has never run (image download included);
- Running: every container was created and at least one runs — or all have exited but the
  policy will start one again (Always; OnFailure after a failure);
- Succeeded: all exited 0 and none will restart;
- Failed: all exited, at least one failed, and none will restart (Never).

A container waiting to be restarted (it has a last termination state) counts as stopped,
not as waiting. Unknown belongs to the node lifecycle controller, not the kubelet.

Init containers: the pod is Pending while one has not succeeded (unless an app container
already ran — a sidecar restarting does not send it back), Failed when one failed under
Never. Sidecars count as app containers while they run or wait for their first start; a
stopped sidecar counts for nothing, so a Job's pod completes on its app containers alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from tugboat.api.core import ContainerStatus
from tugboat.kubelet.restartpolicy import ALWAYS, NEVER

PENDING, RUNNING, SUCCEEDED, FAILED = "Pending", "Running", "Succeeded", "Failed"
TERMINAL = (SUCCEEDED, FAILED)


def _initialization(inits: Sequence[tuple[bool, ContainerStatus]]) -> tuple[int, int, int, int]:
    """(pending, failed) for the plain init containers; (running, waiting) sidecars, which
    count beside the app containers — a stopped sidecar counts for nothing."""
    pending = failed = running = waiting = 0
    for sidecar, st in inits:
        state, last = st.state, st.lastState
        restarting = last is not None and last.terminated is not None
        if sidecar:
            if state is not None and state.running is not None:
                running += 1
                pending += not st.started
            elif state is not None and state.terminated is not None or restarting:
                continue
            else:
                pending += 1
                waiting += 1
        elif state is not None and state.terminated is not None:
            failed += state.terminated.exitCode != 0
        elif state is not None and state.waiting is not None and restarting:
            failed += last.terminated.exitCode != 0  # type: ignore[union-attr]
        else:
            pending += 1
    return pending, failed, running, waiting


def pod_phase(statuses: list[ContainerStatus], expected: int, policy: str,
              inits: Sequence[tuple[bool, ContainerStatus]] = ()) -> str:
    """`expected` is the number of app containers in the spec (a missing status is
    unknown); `inits` the init containers' statuses, each marked whether it is a sidecar."""
    pending, failed, sidecars_running, sidecars_waiting = _initialization(inits)
    running, waiting = sidecars_running, sidecars_waiting
    stopped = succeeded = 0
    started_any = False
    for st in statuses:
        state = st.state
        if state is None:
            continue
        if state.running is not None:
            running += 1
            started_any = True
        elif state.terminated is not None:
            stopped += 1
            succeeded += state.terminated.exitCode == 0
            started_any = True
        elif state.waiting is not None:
            last = st.lastState
            if last is not None and last.terminated is not None:
                stopped += 1
            else:
                waiting += 1
    unknown = expected - (running - sidecars_running + waiting - sidecars_waiting + stopped)
    if failed and policy == NEVER:
        return FAILED
    if (pending > 0 and not started_any) or waiting > 0:
        return PENDING
    if running > 0 and unknown == 0:
        return RUNNING
    if running == 0 and stopped > 0 and unknown == 0:
        if policy == ALWAYS:
            return RUNNING
        if stopped == succeeded:
            return SUCCEEDED
        if policy == NEVER:
            return FAILED
        return RUNNING
    return PENDING
