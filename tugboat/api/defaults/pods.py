"""Pod defaulting (SetDefaults_Pod, SetDefaults_PodSpec, SetDefaults_Container and
friends, shared by pods and every pod template) and the pod registry's create-time status:
phase Pending and the QoS class.
"""

from __future__ import annotations

from typing import Any

from tugboat.api.container import Container, HTTPGetAction, Probe, ResourceRequirements
from tugboat.api.pod import (
    OTHER_VOLUME_SOURCES,
    EmptyDirVolumeSource,
    Pod,
    PodSpec,
    PodStatus,
    PodTemplateSpec,
    Volume,
)
from tugboat.api.qos import qos_class
from tugboat.api.security import PodSecurityContext

DEFAULT_SCHEDULER_NAME = "default-scheduler"
_DEFAULT_FILE_MODE = 0o644  # 420, volumes' defaultMode


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
        for src in (v.projected, v.downwardAPI):
            if src is not None:
                if src.defaultMode is None:
                    src.defaultMode = _DEFAULT_FILE_MODE
                _default_projection_items(src)
                return
        if not any(getattr(v, kind) is not None for kind in OTHER_VOLUME_SOURCES):
            v.emptyDir = EmptyDirVolumeSource()


def _default_projection_items(src: Any) -> None:
    """fieldRef.apiVersion "v1" and a token's expirationSeconds 3600, as Kubernetes."""
    files = list(src.items or ()) if hasattr(src, "items") else []
    for p in getattr(src, "sources", None) or ():
        if p.downwardAPI is not None:
            files += p.downwardAPI.items or ()
        if p.serviceAccountToken is not None and p.serviceAccountToken.expirationSeconds is None:
            p.serviceAccountToken.expirationSeconds = 3600
    for f in files:
        if f.fieldRef is not None and not f.fieldRef.apiVersion:
            f.fieldRef.apiVersion = "v1"


def default_pod_spec(spec: PodSpec) -> None:
    """SetDefaults_PodSpec and everything nested in it; shared by pods and pod templates."""
    if not spec.dnsPolicy:
        spec.dnsPolicy = "ClusterFirst"
    if not spec.restartPolicy:
        spec.restartPolicy = "Always"
    if spec.securityContext is None:
        spec.securityContext = PodSecurityContext()
    if spec.terminationGracePeriodSeconds is None:
        spec.terminationGracePeriodSeconds = 30
    if not spec.schedulerName:
        spec.schedulerName = DEFAULT_SCHEDULER_NAME
    for c in spec.containers:
        _default_container(c)
    if spec.initContainers:
        for c in spec.initContainers:
            _default_container(c)
    for c in spec.ephemeralContainers or ():
        _default_container(c)
    if spec.volumes:
        for v in spec.volumes:
            _default_volume(v)


def default_template(template: PodTemplateSpec | None) -> None:
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


def default_pod(pod: Pod) -> None:
    """SetDefaults_Pod: the pod-only rules on top of the pod spec's."""
    spec = pod.spec
    default_pod_spec(spec)
    # Kubernetes' Pod conversion (1.27+): a negative grace period is invalid and reads as
    # 1 s; stored as sent, it made a delete remove the pod at once, before the kubelet had
    # stopped its containers.
    if spec.terminationGracePeriodSeconds is not None and spec.terminationGracePeriodSeconds < 0:
        spec.terminationGracePeriodSeconds = 1
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

def default_pod_status_on_create(pod: Pod) -> None:
    """What the pod registry does on create: the status starts over as Pending, with the
    pod's QoS class. Call after apply_defaults (requests defaulted from limits count)."""
    pod.status = PodStatus(phase="Pending", qosClass=qos_class(pod.spec))
