"""Does a pod tolerate a node's taint? (k8s.io/api/core/v1's Toleration.ToleratesTaint.)

Three filters ask it: TaintToleration for the node's taints, NodeUnschedulable for the
`node.kubernetes.io/unschedulable` taint a cordoned node implies, and NodeReady for the
not-ready/unreachable taints a NotReady node implies.
"""

from __future__ import annotations

from collections.abc import Iterable

from tugboat.api.core import Taint, Toleration


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """An empty effect matches every effect, an empty key with Exists every key."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    operator = toleration.operator or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.value or "") == (taint.value or "")
    return False


def tolerated(taint: Taint, tolerations: Iterable[Toleration]) -> bool:
    return any(tolerates(t, taint) for t in tolerations)


def first_untolerated(taints: Iterable[Taint], tolerations: tuple[Toleration, ...]
                      ) -> Taint | None:
    for taint in taints:
        if not tolerated(taint, tolerations):
            return taint
    return None
