"""HorizontalPodAutoscaler (autoscaling/v2) and Scale (autoscaling/v1) validation."""

from __future__ import annotations

from tugboat.api.autoscaling import HorizontalPodAutoscaler, MetricSpec, Scale
from tugboat.api.fieldtypes import quantity_value
from tugboat.api.validation.fielderrors import (
    Errors,
    forbidden,
    invalid,
    nonnegative,
    not_supported,
    positive,
    required,
)
from tugboat.api.validation.names import is_path_segment_name

METRIC_SOURCE_TYPES = ("Object", "Pods", "Resource", "External", "ContainerResource")
_SOURCE_FIELDS = {"Object": "object", "Pods": "pods", "Resource": "resource",
                  "External": "external", "ContainerResource": "containerResource"}


def _validate_metric(m: MetricSpec, p: str, errs: Errors) -> None:
    if m.type not in METRIC_SOURCE_TYPES:
        errs.append(not_supported(f"{p}.type", m.type, METRIC_SOURCE_TYPES))
        return
    expected = _SOURCE_FIELDS[m.type]
    if getattr(m, expected) is None:
        errs.append(required(f"{p}.{expected}",
                             "must populate information for the given metric source"))
    for other in _SOURCE_FIELDS.values():
        if other != expected and getattr(m, other) is not None:
            errs.append(forbidden(f"{p}.{other}", "must populate the given metric source only"))
    if m.resource is None:
        return
    rp, target = f"{p}.resource", m.resource.target
    if not m.resource.name:
        errs.append(required(f"{rp}.name", "must specify a resource name"))
    tp = f"{rp}.target"
    if target.type not in ("Utilization", "Value", "AverageValue"):
        errs.append(invalid(f"{tp}.type", target.type,
                            "must be either Utilization, Value, or AverageValue"))
    for name in ("value", "averageValue"):
        q = getattr(target, name)
        value = quantity_value(q) if q is not None else None
        if q is not None and (value is None or value <= 0):
            errs.append(invalid(f"{tp}.{name}", q, "must be positive"))
    positive(target.averageUtilization, f"{tp}.averageUtilization", errs)
    if target.averageUtilization is None and target.averageValue is None:
        errs.append(required(f"{tp}.averageUtilization",
                             "must set either a target raw value or a target utilization"))
    elif target.averageUtilization is not None and target.averageValue is not None:
        errs.append(forbidden(f"{tp}.averageValue",
                              "may not set both a target raw value and a target utilization"))


def validate_hpa(hpa: HorizontalPodAutoscaler, old: HorizontalPodAutoscaler | None,
                 errs: Errors) -> None:
    spec = hpa.spec
    if spec is None:
        errs.append(required("spec"))
        return
    if spec.minReplicas is not None and spec.minReplicas < 1:
        errs.append(invalid("spec.minReplicas", spec.minReplicas,
                            "must be greater than or equal to 1"))
    if spec.maxReplicas < 1:
        errs.append(invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than 0"))
    if spec.minReplicas is not None and spec.maxReplicas < spec.minReplicas:
        errs.append(invalid("spec.maxReplicas", spec.maxReplicas,
                            "must be greater than or equal to `minReplicas`"))
    ref = spec.scaleTargetRef
    for name in ("kind", "name"):
        value = getattr(ref, name)
        if not value:
            errs.append(required(f"spec.scaleTargetRef.{name}"))
        for msg in is_path_segment_name(value):
            errs.append(invalid(f"spec.scaleTargetRef.{name}", value, msg))
    for i, m in enumerate(spec.metrics or ()):
        _validate_metric(m, f"spec.metrics[{i}]", errs)


def validate_scale(scale: Scale, old: Scale | None, errs: Errors) -> None:
    nonnegative(scale.spec.replicas, "spec.replicas", errs)
