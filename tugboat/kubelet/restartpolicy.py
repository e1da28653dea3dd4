"""Which exited containers the kubelet starts again (S4, S5): the pod's restartPolicy —
Always, OnFailure (exit code ≠ 0), Never — except for static pods, which are restarted
whatever their policy says."""

from __future__ import annotations

ALWAYS, ON_FAILURE, NEVER = "Always", "OnFailure", "Never"


def effective_policy(restart_policy: str | None, static: bool) -> str:
    if static:
        return ALWAYS
    return restart_policy or ALWAYS


def should_restart(policy: str, exit_code: int | None) -> bool:
    """Whether a container that exited with `exit_code` is started again."""
    if policy == ALWAYS:
        return True
    if policy == ON_FAILURE:
        return exit_code != 0
    return False
