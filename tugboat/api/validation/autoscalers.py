"""HorizontalPodAutoscaler (autoscaling/v2) and Scale (autoscaling/v1) validation."""

from __future__ import annotations

from tugboat.api.autoscaling import (
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior,
    HPAScalingRules,
    MetricSpec,
    Scale,
)
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


MAX_PERIOD_SECONDS = 1800  # Kubernetes' MaxPeriodSeconds
MAX_STABILIZATION_WINDOW_SECONDS = 3600


def _validate_rules(rules: HPAScalingRules | None, p: str, errs: Errors) -> None:
    """Kubernetes' validateScalingRules: the bounds the controller's arithmetic needs."""
    if rules is None:
        return
    window = rules.stabilizationWindowSeconds
    if window is not None and window < 0:
        errs.append(invalid(f"{p}.stabilizationWindowSeconds", window,
                            "must be greater than or equal to zero"))
    elif window is not None and window > MAX_STABILIZATION_WINDOW_SECONDS:
        errs.append(invalid(f"{p}.stabilizationWindowSeconds", window,
                            f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    if rules.selectPolicy is not None and rules.selectPolicy not in ("Max", "Min", "Disabled"):
        errs.append(not_supported(f"{p}.selectPolicy", rules.selectPolicy,
                                  ("Disabled", "Max", "Min")))
    if not rules.policies:
        errs.append(required(f"{p}.policies", "must specify at least one Policy"))
    for i, policy in enumerate(rules.policies or ()):
        pp = f"{p}.policies[{i}]"
        if policy.type not in ("Pods", "Percent"):
            errs.append(not_supported(f"{pp}.type", policy.type, ("Percent", "Pods")))
        if policy.value <= 0:
            errs.append(invalid(f"{pp}.value", policy.value, "must be greater than zero"))
        if policy.periodSeconds <= 0:
            errs.append(invalid(f"{pp}.periodSeconds", policy.periodSeconds,
                                "must be greater than zero"))
        elif policy.periodSeconds > MAX_PERIOD_SECONDS:
            errs.append(invalid(f"{pp}.periodSeconds", policy.periodSeconds,
                                f"must be less than or equal to {MAX_PERIOD_SECONDS}"))


def _validate_behavior(behavior: HorizontalPodAutoscalerBehavior | None, errs: Errors) -> None:
    if behavior is not None:
        _validate_rules(behavior.scaleUp, "spec.behavior.scaleUp", errs)
        _validate_rules(behavior.scaleDown, "spec.behavior.scaleDown", errs)


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
    _validate_behavior(spec.behavior, errs)


def validate_scale(scale: Scale, old: Scale | None, errs: Errors) -> None:
    nonnegative(scale.spec.replicas, "spec.replicas", errs)
