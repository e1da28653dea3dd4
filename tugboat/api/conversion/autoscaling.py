"""autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscalers, as Kubernetes converts them
(pkg/apis/autoscaling/v1/conversion.go). v1 says only targetCPUUtilizationPercentage, so a
CPU-utilization Resource metric maps to it and everything else v2 can say rides in
annotations of the v1 object:

- autoscaling.alpha.kubernetes.io/metrics: the other spec metrics, in v1's MetricSpec shape
  (targetAverageUtilization, metricName, ...);
- .../current-metrics: every status metric, in v1's MetricStatus shape;
- .../conditions: the status conditions;
- .../behavior: spec.behavior.

Converting back consumes the annotations, so v2 -> v1 -> v2 loses nothing. As in
Kubernetes, the metrics from the annotation come first and the CPU target after them, and
a v1 object that names no metric at all gets the 80% CPU default. Unlike Go, absent
quantities stay absent in the annotations (Go writes its zero value "0" for the non-pointer
ones), so the round trip is exact rather than adding zeros; and behavior is written in
v2's JSON (Kubernetes marshals its internal type, whose keys are Go's field names).
"""

from __future__ import annotations

import json
from typing import Any

from tugboat.api import gojson
from tugboat.api.conversion import ConversionError, Converter

Obj = dict[str, Any]

METRICS = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"
ROUND_TRIP = frozenset({METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR})
DEFAULT_CPU_UTILIZATION = 80


def _put(out: Obj, key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _is_cpu_utilization(metric: Obj) -> bool:
    res = metric.get("resource") or {}
    return metric.get("type") == "Resource" and res.get("name") == "cpu" \
        and (res.get("target") or {}).get("averageUtilization") is not None


def _cpu_metric(utilization: int) -> Obj:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": utilization}}}


# -- metric specs and statuses: v2 <-> v1's annotation shape --------------------------------


def _ref(ref: Obj | None) -> Obj:
    ref = ref or {}
    out: Obj = {"kind": ref.get("kind", ""), "name": ref.get("name", "")}
    _put(out, "apiVersion", ref.get("apiVersion"))
    return out


def _to_v1(metric: Obj, part: str) -> Obj:
    """A v2 MetricSpec (part "target") or MetricStatus ("current") in v1's annotation
    shape: the two differ only in the prefix of their value fields (targetValue,
    currentValue ...)."""
    out: Obj = {"type": metric.get("type", "")}
    if (m := metric.get("object")) is not None:
        value, ident = m.get(part) or {}, m.get("metric") or {}
        o: Obj = {"target": _ref(m.get("describedObject")), "metricName": ident.get("name", "")}
        _put(o, f"{part}Value", value.get("value"))
        _put(o, "selector", ident.get("selector"))
        _put(o, "averageValue", value.get("averageValue"))
        out["object"] = o
    if (m := metric.get("pods")) is not None:
        value, ident = m.get(part) or {}, m.get("metric") or {}
        o = {"metricName": ident.get("name", "")}
        _put(o, f"{part}AverageValue", value.get("averageValue"))
        _put(o, "selector", ident.get("selector"))
        out["pods"] = o
    for source in ("resource", "containerResource"):
        if (m := metric.get(source)) is not None:
            value = m.get(part) or {}
            o = {"name": m.get("name", "")}
            _put(o, f"{part}AverageUtilization", value.get("averageUtilization"))
            _put(o, f"{part}AverageValue", value.get("averageValue"))
            _put(o, "container", m.get("container"))
            out[source] = o
    if (m := metric.get("external")) is not None:
        value, ident = m.get(part) or {}, m.get("metric") or {}
        o = {"metricName": ident.get("name", "")}
        _put(o, "metricSelector", ident.get("selector"))
        _put(o, f"{part}Value", value.get("value"))
        _put(o, f"{part}AverageValue", value.get("averageValue"))
        out["external"] = o
    return out


def _identifier(name: Any, selector: Any) -> Obj:
    out: Obj = {"name": name or ""}
    _put(out, "selector", selector)
    return out


def _from_v1(metric: Obj, part: str) -> Obj:
    """v1's annotation shape back to a v2 MetricSpec (part "target", whose MetricTarget
    names its type) or MetricStatus ("current", a MetricValueStatus without one)."""
    def value(kind: str, **values: Any) -> Obj:
        out: Obj = {"type": kind} if part == "target" else {}
        for key, v in values.items():
            _put(out, key, v)
        return out

    out: Obj = {"type": metric.get("type", "")}
    if (m := metric.get("object")) is not None:
        kind = "Value" if m.get("averageValue") is None else "AverageValue"
        o: Obj = {"describedObject": _ref(m.get("target")),
                  part: value(kind, value=m.get(f"{part}Value"),
                              averageValue=m.get("averageValue")),
                  "metric": _identifier(m.get("metricName"), m.get("selector"))}
        # Go's field order: ObjectMetricStatus names the metric first
        out["object"] = o if part == "target" else {k: o[k] for k in (
            "metric", part, "describedObject")}
    if (m := metric.get("pods")) is not None:
        out["pods"] = {"metric": _identifier(m.get("metricName"), m.get("selector")),
                       part: value("AverageValue", averageValue=m.get(f"{part}AverageValue"))}
    for source in ("resource", "containerResource"):
        if (m := metric.get(source)) is not None:
            util = m.get(f"{part}AverageUtilization")
            o = {"name": m.get("name", ""), part: value(
                "AverageValue" if util is None else "Utilization",
                averageValue=m.get(f"{part}AverageValue"), averageUtilization=util)}
            _put(o, "container", m.get("container"))
            out[source] = o
    if (m := metric.get("external")) is not None:
        kind = "AverageValue" if m.get(f"{part}Value") is None else "Value"
        out["external"] = {"metric": _identifier(m.get("metricName"), m.get("metricSelector")),
                           part: value(kind, value=m.get(f"{part}Value"),
                                       averageValue=m.get(f"{part}AverageValue"))}
    return out


# -- the objects -------------------------------------------------------------------------------


def _copy(obj: Any) -> Any:
    return json.loads(json.dumps(obj))


def v2_to_v1(obj: Obj) -> Obj:
    """A stored autoscaling/v2 HPA as autoscaling/v1."""
    meta = _copy(obj.get("metadata") or {})
    spec, status = obj.get("spec"), obj.get("status") or {}
    annotations = dict(meta.get("annotations") or {})
    out: Obj = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                "metadata": meta}
    if spec is not None:
        v1spec: Obj = {}
        for key in ("scaleTargetRef", "minReplicas", "maxReplicas"):
            _put(v1spec, key, _copy(spec.get(key)))
        metrics = spec.get("metrics") or []
        for m in metrics:  # the first CPU Resource metric decides, as Kubernetes' loop
            if m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu":
                _put(v1spec, "targetCPUUtilizationPercentage",
                     (m["resource"].get("target") or {}).get("averageUtilization"))
                break
        other = [_to_v1(m, "target") for m in metrics if not _is_cpu_utilization(m)]
        if other:
            annotations[METRICS] = gojson.dumps(other)
        if spec.get("behavior") is not None:
            annotations[BEHAVIOR] = gojson.dumps(spec["behavior"])
        out["spec"] = v1spec
    v1status: Obj = {}
    for key in ("observedGeneration", "lastScaleTime"):
        _put(v1status, key, status.get(key))
    v1status["currentReplicas"] = status.get("currentReplicas") or 0
    v1status["desiredReplicas"] = status.get("desiredReplicas") or 0
    current = status.get("currentMetrics") or []
    for m in current:  # no break here in Kubernetes: the last CPU metric wins
        res = m.get("resource") or {}
        util = (res.get("current") or {}).get("averageUtilization")
        if m.get("type") == "Resource" and res.get("name") == "cpu" and util is not None:
            v1status["currentCPUUtilizationPercentage"] = util
    if current:
        annotations[CURRENT_METRICS] = gojson.dumps([_to_v1(m, "current") for m in current])
    if status.get("conditions"):
        annotations[CONDITIONS] = gojson.dumps(status["conditions"])
    if annotations:
        meta["annotations"] = annotations
    out["status"] = v1status
    return out


def _annotation(annotations: Obj, key: str) -> Any:
    text = annotations.pop(key)
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as e:
        raise ConversionError(f"annotation {key}: {e}") from None
    return value


def _list_annotation(annotations: Obj, key: str) -> list[Obj]:
    value = _annotation(annotations, key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConversionError(f"annotation {key}: a JSON list of objects is expected")
    return value


def v1_to_v2(obj: Obj) -> Obj:
    """An autoscaling/v1 HPA as the autoscaling/v2 object to store."""
    meta = _copy(obj.get("metadata") or {})
    spec, status = obj.get("spec"), obj.get("status") or {}
    annotations = dict(meta.get("annotations") or {})
    out: Obj = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": meta}
    v2spec: Obj | None = None
    if spec is not None:
        v2spec = {}
        for key in ("scaleTargetRef", "minReplicas", "maxReplicas"):
            _put(v2spec, key, _copy(spec.get(key)))
        cpu = spec.get("targetCPUUtilizationPercentage")
        metrics = [] if cpu is None else [_cpu_metric(cpu)]
        if METRICS in annotations:
            metrics = [_from_v1(m, "target") for m in _list_annotation(annotations, METRICS)] + metrics
        v2spec["metrics"] = metrics or [_cpu_metric(DEFAULT_CPU_UTILIZATION)]
        if BEHAVIOR in annotations:
            behavior = _annotation(annotations, BEHAVIOR)
            if not isinstance(behavior, dict):
                raise ConversionError(f"annotation {BEHAVIOR}: a JSON object is expected")
            v2spec["behavior"] = behavior
        out["spec"] = v2spec
    v2status: Obj = {}
    for key in ("observedGeneration", "lastScaleTime"):
        _put(v2status, key, status.get(key))
    if status.get("currentReplicas"):  # omitempty in v2, always written in v1
        v2status["currentReplicas"] = status["currentReplicas"]
    v2status["desiredReplicas"] = status.get("desiredReplicas") or 0
    if CURRENT_METRICS in annotations:  # more than the CPU figure: it wins
        v2status["currentMetrics"] = [_from_v1(m, "current") for m in
                                      _list_annotation(annotations, CURRENT_METRICS)]
    elif status.get("currentCPUUtilizationPercentage") is not None:
        v2status["currentMetrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "current": {
                "averageUtilization": status["currentCPUUtilizationPercentage"]}}}]
    if CONDITIONS in annotations:
        v2status["conditions"] = _list_annotation(annotations, CONDITIONS)
    for key in (METRICS, BEHAVIOR):  # on an object without spec they mean nothing
        annotations.pop(key, None)
    if annotations or not ROUND_TRIP.intersection(meta.get("annotations") or {}):
        if "annotations" in meta:
            meta["annotations"] = annotations
    else:  # emptied by taking the round-trip annotations out: as if there had been none
        meta.pop("annotations")
    out["status"] = v2status
    return out


V1 = Converter(to_storage=v1_to_v2, from_storage=v2_to_v1)
