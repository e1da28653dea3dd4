"""Where a pod's metadata and spec live in each kind Pod Security looks at: the pod
itself, and the pod template of every workload that creates pods (Kubernetes'
PodSpecExtractor). Workloads are only warned and audited, never refused: their pods are
checked again, and enforced, when the controller creates them."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

TEMPLATE_KINDS = frozenset(("ReplicationController", "ReplicaSet", "Deployment",
                            "DaemonSet", "StatefulSet", "Job", "PodTemplate"))


def pod_spec_of(kind: str, obj: Obj) -> tuple[Obj, Obj] | None:
    """(metadata, spec) of the pod `obj` is or stamps out; None when it has none."""
    if kind == "Pod":
        return obj.get("metadata") or {}, obj.get("spec") or {}
    if kind == "CronJob":
        obj = ((obj.get("spec") or {}).get("jobTemplate") or {})
        kind = "Job"
    if kind == "PodTemplate":
        template = obj.get("template")
    elif kind in TEMPLATE_KINDS:
        template = (obj.get("spec") or {}).get("template")
    else:
        return None
    if not template:
        return None
    return template.get("metadata") or {}, template.get("spec") or {}
