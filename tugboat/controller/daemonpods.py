"""Where a DaemonSet's pods belong: the tolerations Kubernetes adds to every daemon pod
(so node conditions never evict them), taint toleration, and whether a node should run a
daemon pod (node selector, required node affinity, NoSchedule taints) or may keep one
(only NoExecute taints evict)."""

from __future__ import annotations

from typing import Any

from tugboat.api.pod import PodTemplateSpec, Toleration

_DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", "NoSchedule")


def with_daemon_tolerations(template: PodTemplateSpec) -> PodTemplateSpec:
    """The template with the daemon tolerations added (those it lacks)."""
    t = template.model_copy(deep=True)
    wanted = list(_DAEMON_TOLERATIONS)
    if t.spec.hostNetwork:
        wanted.append(NETWORK_UNAVAILABLE)
    have = {(x.key, x.effect) for x in t.spec.tolerations or []}
    extra = [Toleration(key=k, operator="Exists", effect=e) for k, e in wanted
             if (k, e) not in have]
    t.spec.tolerations = [*(t.spec.tolerations or []), *extra] or None
    return t


def tolerates(toleration: Any, taint: Any) -> bool:
    """Kubernetes' ToleratesTaint."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if (toleration.operator or "Equal") == "Exists":
        return True
    return (toleration.value or "") == (taint.value or "")


def untolerated(taints: list[Any], tolerations: list[Any], effects: tuple[str, ...]
                ) -> list[Any]:
    return [t for t in taints if t.effect in effects
            and not any(tolerates(x, t) for x in tolerations)]


def _requirement_matches(req: Any, value: str | None) -> bool:
    op, values = req.operator, req.values or []
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and values:
        try:
            left, right = int(value), int(values[0])
        except ValueError:
            return False
        return left > right if op == "Gt" else left < right
    return False


def _term_matches(term: Any, node: Any) -> bool:
    labels = node.metadata.labels or {}
    fields = {"metadata.name": node.metadata.name}
    exprs, field_exprs = term.matchExpressions or [], term.matchFields or []
    if not exprs and not field_exprs:
        return False  # an empty term matches nothing
    return all(_requirement_matches(r, labels.get(r.key)) for r in exprs) and \
        all(_requirement_matches(r, fields.get(r.key)) for r in field_exprs)


def node_matches(spec: Any, node: Any) -> bool:
    """The pod spec's nodeSelector and required node affinity accept the node."""
    labels = node.metadata.labels or {}
    if any(labels.get(k) != v for k, v in (spec.nodeSelector or {}).items()):
        return False
    affinity = spec.affinity.nodeAffinity if spec.affinity else None
    required = affinity.requiredDuringSchedulingIgnoredDuringExecution if affinity else None
    if required is None:
        return True
    return any(_term_matches(t, node) for t in required.nodeSelectorTerms)


def placement(template: PodTemplateSpec, node: Any) -> tuple[bool, bool]:
    """(should run, may continue running) for a daemon pod from `template` on `node`;
    `template` already carries the daemon tolerations."""
    if node.metadata.deletionTimestamp is not None:
        return False, False
    if not node_matches(template.spec, node):
        return False, False
    taints, tolerations = node.spec.taints or [], template.spec.tolerations or []
    if untolerated(taints, tolerations, ("NoExecute",)):
        return False, False
    return not untolerated(taints, tolerations, ("NoSchedule",)), True
