"""The pod phase from its container statuses (S2), by the kubelet's own rules (getPhase):

- Pending: some container is waiting and has never run (image download included);
- Running: every container was created and at least one runs — or all have exited but the
  policy will start one again (Always; OnFailure after a failure);
- Succeeded: all exited 0 and none will restart;
- Failed: all exited, at least one failed, and none will restart (Never).

A container waiting to be restarted (it has a last termination state) counts as stopped,
not as waiting. Unknown belongs to the node lifecycle controller, not the kubelet.
"""

from __future__ import annotations

from tugboat.api.core import ContainerStatus
from tugboat.kubelet.restartpolicy import ALWAYS, NEVER

PENDING, RUNNING, SUCCEEDED, FAILED = "Pending", "Running", "Succeeded", "Failed"
TERMINAL = (SUCCEEDED, FAILED)


def pod_phase(statuses: list[ContainerStatus], expected: int, policy: str) -> str:
    """`expected` is the number of containers in the spec (a missing status is unknown)."""
    running = waiting = stopped = succeeded = 0
    for st in statuses:
        state = st.state
        if state is None:
            continue
        if state.running is not None:
            running += 1
        elif state.terminated is not None:
            stopped += 1
            succeeded += state.terminated.exitCode == 0
        elif state.waiting is not None:
            last = st.lastState
            if last is not None and last.terminated is not None:
                stopped += 1
            else:
                waiting += 1
    unknown = expected - (running + waiting + stopped)
    if waiting > 0:
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
