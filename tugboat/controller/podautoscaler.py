"""The HorizontalPodAutoscaler controller (autoscaling/v2, Resource metrics for cpu and
memory, Utilization or AverageValue targets): every sync period it reads the target's
`scale` subresource (replicas and selector), the selected pods' usage from
metrics.k8s.io PodMetrics and their requests from the pods, computes a replica count with
replicacalculator.py (the highest over all metrics; 80% CPU when none is given),
stabilises downscales over the window, bounds it, writes the scale subresource, and
reports currentMetrics and the AbleToScale / ScalingActive / ScalingLimited conditions."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api import resources
from tugboat.api.autoscaling import MetricSpec
from tugboat.api.labelparser import parse_label_selector
from tugboat.api.quantity import parse_quantity
from tugboat.client import ClientError
from tugboat.controller.conditions import set_condition, stamp
from tugboat.controller.context import ControllerContext
from tugboat.controller.podconditions import is_ready
from tugboat.controller.reconciling import Controller
from tugboat.controller.replicacalculator import (
    MetricsError,
    PodSample,
    Stabilizer,
    bounded,
    resource_replicas,
)

log = logging.getLogger(__name__)

POD_METRICS = resources.lookup("metrics.k8s.io", "v1beta1", "pods")
DEFAULT_METRIC = MetricSpec.model_validate({"type": "Resource", "resource": {
    "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}})


def _amount(resource: str, quantity: Any) -> float:
    """cpu in millicores, memory in bytes."""
    value = parse_quantity(quantity).value
    return float(value * 1000) if resource == "cpu" else float(value)


def pod_request(pod: Any, resource: str) -> float | None:
    total = 0.0
    for c in pod.spec.containers:
        req = (c.resources.requests or {}) if c.resources else {}
        if resource not in req:
            return None
        total += _amount(resource, req[resource])
    return total


def pod_usage(metrics: dict[str, Any], resource: str) -> float:
    return sum(_amount(resource, (c.get("usage") or {}).get(resource, "0"))
               for c in metrics.get("containers") or [])


class HorizontalPodAutoscalerController(Controller):
    name = "horizontalpodautoscaling"
    workers = 2

    def __init__(self, ctx: ControllerContext):
        super().__init__(ctx)
        self.hpas = self.informer("horizontalpodautoscalers", on_change=self.enqueue,
                                  on_delete=lambda h: self.stabilizer.forget(
                                      f"{h.metadata.namespace}/{h.metadata.name}"))
        self.pods = self.informer("pods")
        self.stabilizer = Stabilizer(ctx.options.hpa_downscale_stabilization)

    async def reconcile(self, key: str) -> float | None:
        ns, _, name = key.rpartition("/")
        hpa = self.hpas.get(name, ns)
        if hpa is None or hpa.spec is None:
            self.stabilizer.forget(key)
            return None
        period = self.ctx.options.hpa_sync_period
        now = self.ctx.wall()
        conds = [c.wire() for c in hpa.status.conditions or []]
        ref = hpa.spec.scaleTargetRef
        info = resources.for_kind(ref.apiVersion or "", ref.kind) or \
            resources.resolve(ref.kind.lower())
        try:
            if info is None or "scale" not in info.subresources:
                raise ClientError(f"{ref.kind} has no scale subresource")
            scale = await self.client.get_scale(info, ref.name, ns)
        except ClientError as e:
            conds = set_condition(conds, "AbleToScale", "False", "FailedGetScale",
                                  f"the HPA controller was unable to get the target's current "
                                  f"scale: {e}", now)
            await self._write(hpa, {"conditions": conds})
            return period
        conds = set_condition(conds, "AbleToScale", "True", "SucceededGetScale",
                              "the HPA controller was able to get the target's current scale",
                              now)
        current = (scale.get("spec") or {}).get("replicas") or 0
        selector = (scale.get("status") or {}).get("selector") or ""
        status = await self._decide(key, hpa, current, selector, conds, now)
        desired = status["desiredReplicas"]
        reason = status.pop("_reason", "the replica count is outside [minReplicas, maxReplicas]")
        if desired != current:
            await self.client.patch_scale(info, ref.name, desired, ns)
            status["lastScaleTime"] = stamp(now)
            self.recorder.emit(hpa, "Normal", "SuccessfulRescale",
                               f"New size: {desired}; reason: {reason}")
        await self._write(hpa, status)
        return period

    async def _decide(self, key: str, hpa: Any, current: int, selector: str,
                      conds: list[dict[str, Any]], now: float) -> dict[str, Any]:
        spec = hpa.spec
        minimum = spec.minReplicas if spec.minReplicas is not None else 1
        status: dict[str, Any] = {"currentReplicas": current}
        if current == 0 and minimum != 0:
            status["desiredReplicas"] = 0
            status["conditions"] = set_condition(
                conds, "ScalingActive", "False", "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero", now)
            return status
        try:
            proposal, metric_status, reason = await self._propose(hpa, current, selector)
        except (MetricsError, ClientError, ValueError) as e:
            self.recorder.emit(hpa, "Warning", "FailedGetResourceMetric", str(e))
            status["desiredReplicas"] = min(max(current, minimum), spec.maxReplicas)
            status["conditions"] = set_condition(conds, "ScalingActive", "False",
                                                 "FailedGetResourceMetric", str(e), now)
            return status
        conds = set_condition(conds, "ScalingActive", "True", "ValidMetricFound",
                              f"the HPA was able to successfully calculate a replica count "
                              f"from {reason}", now)
        stable = self.stabilizer.stabilize(key, proposal, self.ctx.clock())
        desired, why, message = bounded(current, stable, minimum, spec.maxReplicas)
        conds = set_condition(conds, "ScalingLimited", "False" if why == "DesiredWithinRange"
                              else "True", why, message, now)
        status.update(desiredReplicas=desired, currentMetrics=metric_status, conditions=conds,
                      _reason=f"{reason} {'above' if desired > current else 'below'} target")
        return status

    async def _propose(self, hpa: Any, current: int, selector: str
                       ) -> tuple[int, list[dict[str, Any]], str]:
        """The highest replica count any metric asks for, with the metrics' status."""
        sel = parse_label_selector(selector)
        ns = hpa.metadata.namespace
        pods = [p for p in self.pods.list(ns) if sel.matches(p.metadata.labels)]
        listed = await self.client.list(POD_METRICS, ns, label_selector=selector or None)
        usage = {m["metadata"]["name"]: m for m in listed.get("items") or []}
        best, statuses, reason = -1, [], ""
        for metric in hpa.spec.metrics or [DEFAULT_METRIC]:
            if metric.type != "Resource" or metric.resource is None:
                raise MetricsError(f"metric type {metric.type} is not supported")
            replicas, current_status = self._resource_metric(metric, current, pods, usage)
            statuses.append(current_status)
            if replicas > best:
                best = replicas
                reason = f"{metric.resource.name} resource utilization (percentage of request)"
        return best, statuses, reason

    def _resource_metric(self, metric: Any, current: int, pods: list[Any],
                         usage: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name, target = metric.resource.name, metric.resource.target
        samples = []
        for p in pods:
            m = usage.get(p.metadata.name)
            request = pod_request(p, name)
            if target.type == "AverageValue" and target.averageValue is not None:
                request = _amount(name, target.averageValue)
            samples.append(PodSample(
                p.metadata.name, request, pod_usage(m, name) if m is not None else None,
                ready=is_ready(p) and p.status.phase == "Running",
                ignored=p.metadata.deletionTimestamp is not None
                or p.status.phase == "Failed"))
        utilization_target = target.averageUtilization or 100
        if target.type == "AverageValue":
            utilization_target = 100
        replicas, utilization, average = resource_replicas(
            current, utilization_target, samples, self.ctx.options.hpa_tolerance)
        shown = f"{int(average)}m" if name == "cpu" else str(int(average))
        value = {"averageValue": shown}
        if target.type == "Utilization":
            value["averageUtilization"] = utilization
        return replicas, {"type": "Resource", "resource": {"name": name, "current": value}}

    async def _write(self, hpa: Any, update: dict[str, Any]) -> None:
        status = {**hpa.status.wire(), **update,
                  "observedGeneration": hpa.metadata.generation}
        if status != hpa.status.wire():
            body = hpa.wire()
            body["status"] = status
            await self.client.update_status("horizontalpodautoscalers", body)
