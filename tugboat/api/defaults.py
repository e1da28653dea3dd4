"""Kubernetes' defaulting (pkg/apis/*/v1/defaults.go and the create-time parts of the
registry strategies): fills what a user may leave out so that every component reads one
complete shape. The apiserver calls `apply_defaults` on every decoded write, then
`default_job_selector` once a Job has its uid, then `default_pod_status_on_create` for new
pods; all three mutate in place and are cheap (no copies, no parsing beyond QoS).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from tugboat.api.apps import (
    DaemonSet,
    DaemonSetUpdateStrategy,
    Deployment,
    DeploymentStrategy,
    ReplicaSet,
    RollingUpdateDaemonSet,
    RollingUpdateDeployment,
)
from tugboat.api.autoscaling import (
    HorizontalPodAutoscaler,
    MetricSpec,
    MetricTarget,
    ResourceMetricSource,
)
from tugboat.api.batch import (
    CONTROLLER_UID_LABEL,
    JOB_NAME_LABEL,
    LEGACY_CONTROLLER_UID_LABEL,
    LEGACY_JOB_NAME_LABEL,
    Job,
)
from tugboat.api.container import Container, HTTPGetAction, Probe, ResourceRequirements
from tugboat.api.core import Endpoints, Namespace, ReplicationController, Secret
from tugboat.api.fieldtypes import quantity_fraction
from tugboat.api.meta import LabelSelector
from tugboat.api.node import Node
from tugboat.api.pod import (
    OTHER_VOLUME_SOURCES,
    EmptyDirVolumeSource,
    Pod,
    PodSpec,
    PodStatus,
    PodTemplateSpec,
    Volume,
)
from tugboat.api.service import Service

DEFAULT_SCHEDULER_NAME = "default-scheduler"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
_DEFAULT_FILE_MODE = 0o644  # 420, volumes' defaultMode


# --- containers and pod specs --------------------------------------------------------------


def image_pull_policy_for(image: str | None) -> str:
    """Always for `:latest` or no tag (a digest counts as a tag), else IfNotPresent.

    A colon in the last path segment is a tag; one before a slash is a registry port
    (`localhost:5000/app` has no tag)."""
    if not image:
        return "IfNotPresent"  # Kubernetes' image parser fails, so no "latest" tag is seen
    name, at, _digest = image.partition("@")
    last = name.rpartition("/")[2]
    _repo, colon, tag = last.rpartition(":")
    if colon:
        return "Always" if tag == "latest" else "IfNotPresent"
    return "IfNotPresent" if at else "Always"


def _default_http_get(action: HTTPGetAction | None) -> None:
    if action is None:
        return
    if not action.path:
        action.path = "/"
    if not action.scheme:
        action.scheme = "HTTP"


def _default_probe(probe: Probe | None) -> None:
    # Go cannot tell 0 from unset, so an explicit 0 is defaulted too.
    if probe is None:
        return
    if not probe.timeoutSeconds:
        probe.timeoutSeconds = 1
    if not probe.periodSeconds:
        probe.periodSeconds = 10
    if not probe.successThreshold:
        probe.successThreshold = 1
    if not probe.failureThreshold:
        probe.failureThreshold = 3
    _default_http_get(probe.httpGet)


def _default_container(c: Container) -> None:
    if not c.imagePullPolicy:
        c.imagePullPolicy = image_pull_policy_for(c.image)
    if not c.terminationMessagePath:
        c.terminationMessagePath = "/dev/termination-log"
    if not c.terminationMessagePolicy:
        c.terminationMessagePolicy = "File"
    if c.resources is None:
        c.resources = ResourceRequirements()
    if c.ports:
        for p in c.ports:
            if not p.protocol:
                p.protocol = "TCP"
    _default_probe(c.livenessProbe)
    _default_probe(c.readinessProbe)
    _default_probe(c.startupProbe)
    if c.lifecycle is not None:
        for hook in (c.lifecycle.postStart, c.lifecycle.preStop):
            if hook is not None:
                _default_http_get(hook.httpGet)
    if c.env:
        for e in c.env:
            ref = e.valueFrom.fieldRef if e.valueFrom is not None else None
            if ref is not None and not ref.apiVersion:
                ref.apiVersion = "v1"


def _default_volume(v: Volume) -> None:
    if v.configMap is not None:
        if v.configMap.defaultMode is None:
            v.configMap.defaultMode = _DEFAULT_FILE_MODE
    elif v.secret is not None:
        if v.secret.defaultMode is None:
            v.secret.defaultMode = _DEFAULT_FILE_MODE
    elif v.hostPath is not None:
        if v.hostPath.type is None:
            v.hostPath.type = ""
    elif v.emptyDir is None:
        for kind in ("projected", "downwardAPI"):
            src = getattr(v, kind)
            if src is not None:
                src.setdefault("defaultMode", _DEFAULT_FILE_MODE)
                return
        if not any(getattr(v, kind) is not None for kind in OTHER_VOLUME_SOURCES):
            v.emptyDir = EmptyDirVolumeSource()


def default_pod_spec(spec: PodSpec) -> None:
    """SetDefaults_PodSpec and everything nested in it; shared by pods and pod templates."""
    if not spec.dnsPolicy:
        spec.dnsPolicy = "ClusterFirst"
    if not spec.restartPolicy:
        spec.restartPolicy = "Always"
    if spec.securityContext is None:
        spec.securityContext = {}
    if spec.terminationGracePeriodSeconds is None:
        spec.terminationGracePeriodSeconds = 30
    if not spec.schedulerName:
        spec.schedulerName = DEFAULT_SCHEDULER_NAME
    for c in spec.containers:
        _default_container(c)
    if spec.initContainers:
        for c in spec.initContainers:
            _default_container(c)
    if spec.volumes:
        for v in spec.volumes:
            _default_volume(v)


def _default_template(template: PodTemplateSpec | None) -> None:
    if template is not None:
        default_pod_spec(template.spec)


def _requests_from_limits(c: Container) -> None:
    res = c.resources
    if res is None or not res.limits:
        return
    if res.requests is None:
        res.requests = dict(res.limits)
        return
    for name, value in res.limits.items():
        res.requests.setdefault(name, value)


def _default_pod(pod: Pod) -> None:
    """SetDefaults_Pod: the pod-only rules on top of the pod spec's."""
    spec = pod.spec
    default_pod_spec(spec)
    containers = spec.containers + (spec.initContainers or [])
    for c in containers:
        _requests_from_limits(c)
    if spec.enableServiceLinks is None:
        spec.enableServiceLinks = True
    if spec.hostNetwork:
        for c in containers:
            for p in c.ports or ():
                if p.hostPort is None:
                    p.hostPort = p.containerPort


# --- pod status on create ------------------------------------------------------------------

_QOS_RESOURCES = ("cpu", "memory")


@functools.lru_cache(maxsize=4096)
def _positive_quantity(value: str) -> Fraction | None:
    q = quantity_fraction(value)
    return q if q is not None and q > 0 else None


def _positive(quantities: dict[str, str] | None, name: str) -> Fraction | None:
    value = quantities.get(name) if quantities else None
    return _positive_quantity(value) if value is not None else None


def qos_class(spec: PodSpec) -> str:
    """GetPodQOS: BestEffort when no container requests or limits cpu/memory, Guaranteed when
    every container limits both and the summed requests equal the summed limits, else
    Burstable. (Invalid quantities count as absent; validation rejects them anyway.)"""
    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    guaranteed = True
    for c in spec.containers + (spec.initContainers or []):
        res = c.resources
        if res is None or not (res.requests or res.limits):
            guaranteed = False
            continue
        for name in _QOS_RESOURCES:
            req = _positive(res.requests, name)
            if req is not None:
                requests[name] = requests[name] + req if name in requests else req
            lim = _positive(res.limits, name)
            if lim is None:
                guaranteed = False
            else:
                limits[name] = limits[name] + lim if name in limits else lim
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and len(requests) == len(limits) and all(
            (lim := limits.get(n)) is not None and (lim is v or lim == v)
            for n, v in requests.items()):
        return "Guaranteed"
    return "Burstable"


def default_pod_status_on_create(pod: Pod) -> None:
    """What the pod registry does on create: the status starts over as Pending, with the
    pod's QoS class. Call after apply_defaults (requests defaulted from limits count)."""
    pod.status = PodStatus(phase="Pending", qosClass=qos_class(pod.spec))


# --- workloads -----------------------------------------------------------------------------


def _default_replication_controller(rc: ReplicationController) -> None:
    spec = rc.spec
    labels = spec.template.metadata.labels if spec.template is not None else None
    if labels:
        if not spec.selector:
            spec.selector = dict(labels)
        if not rc.metadata.labels:
            rc.metadata.labels = dict(labels)
    if spec.replicas is None:
        spec.replicas = 1
    _default_template(spec.template)


def _default_replica_set(rs: ReplicaSet) -> None:
    if rs.spec.replicas is None:
        rs.spec.replicas = 1
    _default_template(rs.spec.template)


def _default_deployment(d: Deployment) -> None:
    spec = d.spec
    if spec.replicas is None:
        spec.replicas = 1
    if spec.strategy is None:
        spec.strategy = DeploymentStrategy()
    strategy = spec.strategy
    if not strategy.type:
        strategy.type = "RollingUpdate"
    if strategy.type == "RollingUpdate":
        if strategy.rollingUpdate is None:
            strategy.rollingUpdate = RollingUpdateDeployment()
        if strategy.rollingUpdate.maxUnavailable is None:
            strategy.rollingUpdate.maxUnavailable = "25%"
        if strategy.rollingUpdate.maxSurge is None:
            strategy.rollingUpdate.maxSurge = "25%"
    if spec.revisionHistoryLimit is None:
        spec.revisionHistoryLimit = 10
    if spec.progressDeadlineSeconds is None:
        spec.progressDeadlineSeconds = 600
    _default_template(spec.template)


def _default_daemon_set(ds: DaemonSet) -> None:
    spec = ds.spec
    if spec.updateStrategy is None:
        spec.updateStrategy = DaemonSetUpdateStrategy()
    strategy = spec.updateStrategy
    if not strategy.type:
        strategy.type = "RollingUpdate"
    if strategy.type == "RollingUpdate":
        if strategy.rollingUpdate is None:
            strategy.rollingUpdate = RollingUpdateDaemonSet()
        if strategy.rollingUpdate.maxUnavailable is None:
            strategy.rollingUpdate.maxUnavailable = 1
        if strategy.rollingUpdate.maxSurge is None:
            strategy.rollingUpdate.maxSurge = 0
    if spec.revisionHistoryLimit is None:
        spec.revisionHistoryLimit = 10
    _default_template(spec.template)


def _default_job(job: Job) -> None:
    spec = job.spec
    if spec.completions is None and spec.parallelism is None:
        spec.completions = 1
    if spec.parallelism is None:
        spec.parallelism = 1
    if spec.backoffLimit is None:
        spec.backoffLimit = 2147483647 if spec.backoffLimitPerIndex is not None else 6
    labels = spec.template.metadata.labels
    if labels and not job.metadata.labels:
        job.metadata.labels = dict(labels)
    if spec.completionMode is None:
        spec.completionMode = "NonIndexed"
    if spec.suspend is None:
        spec.suspend = False
    if spec.podReplacementPolicy is None and spec.podFailurePolicy is None:
        spec.podReplacementPolicy = "TerminatingOrFailed"
    _default_template(spec.template)


def default_job_selector(job: Job) -> None:
    """The job registry's generateSelector: unless manualSelector, label the pod template
    with the job's name and uid and select on the uid. Needs metadata.uid, so the apiserver
    calls it after assigning one; a no-op before."""
    uid = job.metadata.uid
    if job.spec.manualSelector or not uid:
        return
    template_meta = job.spec.template.metadata
    before = template_meta.labels or {}
    labels = dict(before)
    name = job.metadata.name or ""
    labels.setdefault(LEGACY_JOB_NAME_LABEL, name)
    labels.setdefault(JOB_NAME_LABEL, name)
    labels.setdefault(LEGACY_CONTROLLER_UID_LABEL, uid)
    labels.setdefault(CONTROLLER_UID_LABEL, uid)
    template_meta.labels = labels
    if job.spec.selector is None:
        job.spec.selector = LabelSelector()
    match = dict(job.spec.selector.matchLabels or {})
    match.setdefault(CONTROLLER_UID_LABEL, uid)
    job.spec.selector.matchLabels = match
    # Kubernetes' job labels default to (the same map as) the template's, so they gain the
    # generated labels too when the user set none of their own.
    if not job.metadata.labels or job.metadata.labels == before:
        job.metadata.labels = dict(labels)


# --- everything else -----------------------------------------------------------------------


def _default_service(svc: Service) -> None:
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


def _default_endpoints(ep: Endpoints) -> None:
    for subset in ep.subsets or ():
        for p in subset.ports or ():
            if not p.protocol:
                p.protocol = "TCP"


def _default_namespace(ns: Namespace) -> None:
    if ns.metadata.name:
        labels = ns.metadata.labels if ns.metadata.labels is not None else {}
        labels[NAMESPACE_NAME_LABEL] = ns.metadata.name
        ns.metadata.labels = labels
    if not ns.status.phase:
        ns.status.phase = "Active"


def _default_node(node: Node) -> None:
    status = node.status
    if status.allocatable is None and status.capacity is not None:
        status.allocatable = dict(status.capacity)


def _default_secret(secret: Secret) -> None:
    if not secret.type:
        secret.type = "Opaque"
    if secret.stringData:
        import base64  # rare path

        data = dict(secret.data or {})
        for k, v in secret.stringData.items():
            data[k] = base64.b64encode(v.encode()).decode()
        secret.data = data
    secret.stringData = None


_SCALE_UP_RULES: dict[str, Any] = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15},
    ],
}
_SCALE_DOWN_RULES: dict[str, Any] = {
    "selectPolicy": "Max",
    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}


def _scaling_rules(given: dict[str, Any] | None, default: dict[str, Any]) -> dict[str, Any]:
    rules = {k: (list(v) if isinstance(v, list) else v) for k, v in default.items()}
    for k, v in (given or {}).items():
        if v is not None:
            rules[k] = v
    return rules


def _default_hpa(hpa: HorizontalPodAutoscaler) -> None:
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
        behavior = dict(spec.behavior)
        behavior["scaleUp"] = _scaling_rules(behavior.get("scaleUp"), _SCALE_UP_RULES)
        behavior["scaleDown"] = _scaling_rules(behavior.get("scaleDown"), _SCALE_DOWN_RULES)
        spec.behavior = behavior


_DEFAULTERS: dict[type, Callable[[Any], None]] = {
    Pod: _default_pod,
    ReplicationController: _default_replication_controller,
    ReplicaSet: _default_replica_set,
    Deployment: _default_deployment,
    DaemonSet: _default_daemon_set,
    Job: _default_job,
    Service: _default_service,
    Endpoints: _default_endpoints,
    Namespace: _default_namespace,
    Node: _default_node,
    Secret: _default_secret,
    HorizontalPodAutoscaler: _default_hpa,
}


def apply_defaults(obj: Any) -> None:
    """Fill Kubernetes' defaults into `obj` in place; kinds without defaults are untouched."""
    defaulter = _DEFAULTERS.get(type(obj))
    if defaulter is not None:
        defaulter(obj)
