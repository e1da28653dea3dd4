"""Defaulting of the other kinds: Service and Endpoints ports, Namespace phase and name
label, Node allocatable, Secret type and stringData, HPA replicas, metrics and behavior."""

from __future__ import annotations

import base64

from tugboat.api.autoscaling import (
    HorizontalPodAutoscaler,
    HPAScalingPolicy,
    HPAScalingRules,
    MetricSpec,
    MetricTarget,
    ResourceMetricSource,
)
from tugboat.api.core import Endpoints, Namespace, Secret
from tugboat.api.discovery import EndpointSlice
from tugboat.api.node import Node
from tugboat.api.service import Service

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def default_service(svc: Service) -> None:
    spec = svc.spec
    if not spec.sessionAffinity:
        spec.sessionAffinity = "None"
    if spec.sessionAffinity == "None":
        spec.sessionAffinityConfig = None
    elif spec.sessionAffinity == "ClientIP":
        cfg = spec.sessionAffinityConfig = spec.sessionAffinityConfig or {}
        client_ip = cfg.setdefault("clientIP", {})
        client_ip.setdefault("timeoutSeconds", 10800)
    if not spec.type:
        spec.type = "ClusterIP"
    for p in spec.ports or ():
        if not p.protocol:
            p.protocol = "TCP"
        if p.targetPort is None or p.targetPort == 0 or p.targetPort == "":
            p.targetPort = p.port
    if spec.type in ("NodePort", "LoadBalancer") and not spec.externalTrafficPolicy:
        spec.externalTrafficPolicy = "Cluster"
    if spec.type != "ExternalName" and not spec.internalTrafficPolicy:
        spec.internalTrafficPolicy = "Cluster"
    if spec.type == "LoadBalancer" and spec.allocateLoadBalancerNodePorts is None:
        spec.allocateLoadBalancerNodePorts = True


def default_endpoints(ep: Endpoints) -> None:
    for subset in ep.subsets or ():
        for p in subset.ports or ():
            if not p.protocol:
                p.protocol = "TCP"


def default_endpoint_slice(slice_: EndpointSlice) -> None:
    # SetDefaults_EndpointPort: an unnamed port is named "", a port without protocol is TCP.
    for p in slice_.ports or ():
        if p.name is None:
            p.name = ""
        if not p.protocol:
            p.protocol = "TCP"


def default_namespace(ns: Namespace) -> None:
    if ns.metadata.name:
        labels = ns.metadata.labels if ns.metadata.labels is not None else {}
        labels[NAMESPACE_NAME_LABEL] = ns.metadata.name
        ns.metadata.labels = labels
    if not ns.status.phase:
        ns.status.phase = "Active"


def default_node(node: Node) -> None:
    status = node.status
    if status.allocatable is None and status.capacity is not None:
        status.allocatable = dict(status.capacity)


def default_secret(secret: Secret) -> None:
    if not secret.type:
        secret.type = "Opaque"
    if secret.stringData:
        data = dict(secret.data or {})
        for k, v in secret.stringData.items():
            data[k] = base64.b64encode(v.encode()).decode()
        secret.data = data
    secret.stringData = None


_SCALE_UP_RULES = HPAScalingRules(
    stabilizationWindowSeconds=0, selectPolicy="Max",
    policies=[HPAScalingPolicy(type="Pods", value=4, periodSeconds=15),
              HPAScalingPolicy(type="Percent", value=100, periodSeconds=15)])
_SCALE_DOWN_RULES = HPAScalingRules(
    selectPolicy="Max", policies=[HPAScalingPolicy(type="Percent", value=100, periodSeconds=15)])


def _scaling_rules(given: HPAScalingRules | None, default: HPAScalingRules) -> HPAScalingRules:
    """The given rules with each field they leave out taken from the default."""
    if given is None:
        return default.model_copy(deep=True)
    missing = {k: getattr(default, k) for k in type(default).model_fields
               if getattr(given, k) is None and getattr(default, k) is not None}
    return given.model_copy(update=missing, deep=True)


def default_hpa(hpa: HorizontalPodAutoscaler) -> None:
    spec = hpa.spec
    if spec is None:
        return
    if spec.minReplicas is None:
        spec.minReplicas = 1
    if not spec.metrics:
        target = MetricTarget(type="Utilization", averageUtilization=80)
        spec.metrics = [
            MetricSpec(type="Resource", resource=ResourceMetricSource(name="cpu", target=target))
        ]
    if spec.behavior is not None:
        spec.behavior.scaleUp = _scaling_rules(spec.behavior.scaleUp, _SCALE_UP_RULES)
        spec.behavior.scaleDown = _scaling_rules(spec.behavior.scaleDown, _SCALE_DOWN_RULES)
