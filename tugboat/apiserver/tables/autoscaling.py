"""The horizontal pod autoscaler printer (kubectl's printHorizontalPodAutoscaler).
TARGETS pairs each spec metric with the status metric at the same index — "cpu: 50%/80%",
"<unknown>" until the controller has measured — and stops after two, as kubectl does.
"""

from __future__ import annotations

from tugboat.api.conversion.autoscaling import v1_to_v2
from tugboat.apiserver.tables.cells import (
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    get,
    name,
    name_column,
)

COLUMNS = (
    name_column(),
    column("Reference", "scaleTargetRef points to the target resource to scale, and is used "
                        "to the pods for which metrics should be collected, as well as to "
                        "actually change the replica count."),
    column("Targets", "metrics contains the specifications for which to use to calculate the "
                      "desired replica count."),
    column("MinPods", "minReplicas is the lower limit for the number of replicas to which the "
                      "autoscaler can scale down."),
    column("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the "
                      "autoscaler can scale up."),
    column("Replicas", "currentReplicas is current number of replicas of pods managed by "
                       "this autoscaler, as last seen by the autoscaler."),
    age_column(),
)

MAX_TARGETS = 2
UNKNOWN = "<unknown>"


def _value_metric(source: str, spec: Obj, status: Obj | None) -> str:
    """External and Object metrics: an averageValue target prints with " (avg)"."""
    target = get(spec, source, "target") or {}
    if target.get("averageValue") is not None:
        current = get(status, source, "current", "averageValue") or UNKNOWN
        return f"{current}/{target['averageValue']} (avg)"
    current = get(status, source, "current", "value") or UNKNOWN
    return f"{current}/{target.get('value', '')}"


def _resource_metric(source: str, spec: Obj, status: Obj | None) -> str:
    """Resource and ContainerResource metrics, prefixed with the resource name."""
    label = get(spec, source, "name") or ""
    target = get(spec, source, "target") or {}
    if target.get("averageValue") is not None:
        current = get(status, source, "current", "averageValue") or UNKNOWN
        return f"{label}: {current}/{target['averageValue']}"
    util = get(status, source, "current", "averageUtilization")
    current = UNKNOWN if util is None else f"{util}%"
    want = target.get("averageUtilization")
    return f"{label}: {current}/{'<auto>' if want is None else f'{want}%'}"


def _target(spec: Obj, status: Obj | None) -> str:
    type_ = spec.get("type")
    if type_ == "External":
        return _value_metric("external", spec, status)
    if type_ == "Object":
        return _value_metric("object", spec, status)
    if type_ == "Pods":
        current = get(status, "pods", "current", "averageValue")
        return f"{current or UNKNOWN}/{get(spec, 'pods', 'target', 'averageValue') or ''}"
    if type_ == "Resource":
        return _resource_metric("resource", spec, status)
    if type_ == "ContainerResource":
        return _resource_metric("containerResource", spec, status)
    return "<unknown type>"


def format_targets(hpa: Obj) -> str:
    specs = get(hpa, "spec", "metrics") or []
    if not specs:
        return "<none>"
    statuses = get(hpa, "status", "currentMetrics") or []
    targets = [_target(spec, statuses[i] if i < len(statuses) else None)
               for i, spec in enumerate(specs)]
    text = ", ".join(targets[:MAX_TARGETS])
    if len(targets) > MAX_TARGETS:
        return f"{text} + {len(targets) - MAX_TARGETS} more..."
    return text


def hpa_cells(hpa: Obj, now: float) -> list[Cell]:
    if hpa.get("apiVersion") == "autoscaling/v1":  # printed from v2, as Kubernetes prints
        hpa = v1_to_v2(hpa)                         # its internal version whatever is asked
    ref = get(hpa, "spec", "scaleTargetRef") or {}
    min_replicas = get(hpa, "spec", "minReplicas")
    return [
        name(hpa),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        format_targets(hpa),
        "<unset>" if min_replicas is None else str(min_replicas),
        int(get(hpa, "spec", "maxReplicas") or 0),
        int(get(hpa, "status", "currentReplicas") or 0),
        age(hpa, now),
    ]


PRINTERS = {"horizontalpodautoscalers": Printer(COLUMNS, hpa_cells)}
