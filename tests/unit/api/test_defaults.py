"""Kubernetes' defaulting, one table row per rule: build an object from a wire dict, apply
the defaults, and read one field back from the wire form."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tugboat.api.apps import DaemonSet, Deployment, ReplicaSet
from tugboat.api.autoscaling import HorizontalPodAutoscaler
from tugboat.api.batch import Job
from tugboat.api.coordination import Lease
from tugboat.api.core import (
    ConfigMap,
    Endpoints,
    Namespace,
    Node,
    Pod,
    ReplicationController,
    Secret,
    Service,
)
from tugboat.api.defaults import (
    apply_defaults,
    default_job_selector,
    default_pod_status_on_create,
    image_pull_policy_for,
    qos_class,
)
from tugboat.api.pod import PodSpec

_STEP = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def get(obj: dict[str, Any], path: str) -> Any:
    """Read `spec.containers[0].image` (or `metadata.labels[app]`) from a wire dict."""
    cur: Any = obj
    for name, index in _STEP.findall(path):
        if name:
            cur = cur.get(name) if isinstance(cur, dict) else None
        elif isinstance(cur, list):
            cur = cur[int(index)]
        else:
            cur = cur.get(index) if isinstance(cur, dict) else None
    return cur


def container(**extra: Any) -> dict[str, Any]:
    return {"name": "c", "image": "busybox:1.36", **extra}


def pod(spec: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [container()], **(spec or {})}, **extra}


def template(spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [container()], **(spec or {})}}


def defaulted(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    obj = model.model_validate(data)
    apply_defaults(obj)
    return obj.wire()


PROBE = {"exec": {"command": ["true"]}}
HTTP_PROBE = {"httpGet": {"port": 8080}}

CASES = [
    # pod spec
    ("restartPolicy Always", Pod, pod(), "spec.restartPolicy", "Always"),
    ("restartPolicy kept", Pod, pod({"restartPolicy": "Never"}), "spec.restartPolicy", "Never"),
    ("grace period 30", Pod, pod(), "spec.terminationGracePeriodSeconds", 30),
    ("grace period kept", Pod, pod({"terminationGracePeriodSeconds": 0}),
     "spec.terminationGracePeriodSeconds", 0),
    ("huge grace period kept", Pod, pod({"terminationGracePeriodSeconds": 2**62}),
     "spec.terminationGracePeriodSeconds", 2**62),
    ("negative grace period reads as 1", Pod, pod({"terminationGracePeriodSeconds": -5}),
     "spec.terminationGracePeriodSeconds", 1),
    ("negative grace period of a template kept", Job,
     {"spec": {"template": template({"terminationGracePeriodSeconds": -5})}},
     "spec.template.spec.terminationGracePeriodSeconds", -5),
    ("dnsPolicy", Pod, pod(), "spec.dnsPolicy", "ClusterFirst"),
    ("schedulerName", Pod, pod(), "spec.schedulerName", "default-scheduler"),
    ("securityContext {}", Pod, pod(), "spec.securityContext", {}),
    ("enableServiceLinks", Pod, pod(), "spec.enableServiceLinks", True),
    # containers
    ("pull IfNotPresent for a tag", Pod, pod(), "spec.containers[0].imagePullPolicy",
     "IfNotPresent"),
    ("pull Always for no tag", Pod, pod({"containers": [container(image="busybox")]}),
     "spec.containers[0].imagePullPolicy", "Always"),
    ("pull policy kept", Pod, pod({"containers": [container(imagePullPolicy="Never")]}),
     "spec.containers[0].imagePullPolicy", "Never"),
    ("init container pull policy", Pod,
     pod({"initContainers": [container(name="i", image="x:latest")]}),
     "spec.initContainers[0].imagePullPolicy", "Always"),
    ("terminationMessagePath", Pod, pod(), "spec.containers[0].terminationMessagePath",
     "/dev/termination-log"),
    ("terminationMessagePolicy", Pod, pod(), "spec.containers[0].terminationMessagePolicy",
     "File"),
    ("resources {}", Pod, pod(), "spec.containers[0].resources", {}),
    ("port protocol TCP", Pod, pod({"containers": [container(ports=[{"containerPort": 80}])]}),
     "spec.containers[0].ports[0].protocol", "TCP"),
    ("hostNetwork hostPort", Pod,
     pod({"hostNetwork": True, "containers": [container(ports=[{"containerPort": 80}])]}),
     "spec.containers[0].ports[0].hostPort", 80),
    ("requests from limits", Pod,
     pod({"containers": [container(resources={"limits": {"cpu": "1"}})]}),
     "spec.containers[0].resources.requests", {"cpu": "1"}),
    ("requests kept", Pod,
     pod({"containers": [container(resources={"limits": {"cpu": "1"},
                                              "requests": {"cpu": "100m"}})]}),
     "spec.containers[0].resources.requests[cpu]", "100m"),
    ("env fieldRef apiVersion", Pod,
     pod({"containers": [container(env=[{"name": "N", "valueFrom": {
         "fieldRef": {"fieldPath": "metadata.name"}}}])]}),
     "spec.containers[0].env[0].valueFrom.fieldRef.apiVersion", "v1"),
    # probes
    ("probe timeoutSeconds", Pod, pod({"containers": [container(livenessProbe=PROBE)]}),
     "spec.containers[0].livenessProbe.timeoutSeconds", 1),
    ("probe periodSeconds", Pod, pod({"containers": [container(readinessProbe=PROBE)]}),
     "spec.containers[0].readinessProbe.periodSeconds", 10),
    ("probe successThreshold", Pod, pod({"containers": [container(startupProbe=PROBE)]}),
     "spec.containers[0].startupProbe.successThreshold", 1),
    ("probe failureThreshold", Pod, pod({"containers": [container(livenessProbe=PROBE)]}),
     "spec.containers[0].livenessProbe.failureThreshold", 3),
    ("probe 0 is defaulted like Go", Pod,
     pod({"containers": [container(livenessProbe={**PROBE, "periodSeconds": 0})]}),
     "spec.containers[0].livenessProbe.periodSeconds", 10),
    ("probe value kept", Pod,
     pod({"containers": [container(livenessProbe={**PROBE, "periodSeconds": 3})]}),
     "spec.containers[0].livenessProbe.periodSeconds", 3),
    ("httpGet scheme", Pod, pod({"containers": [container(livenessProbe=HTTP_PROBE)]}),
     "spec.containers[0].livenessProbe.httpGet.scheme", "HTTP"),
    ("httpGet path", Pod, pod({"containers": [container(livenessProbe=HTTP_PROBE)]}),
     "spec.containers[0].livenessProbe.httpGet.path", "/"),
    ("lifecycle httpGet path", Pod,
     pod({"containers": [container(lifecycle={"preStop": HTTP_PROBE})]}),
     "spec.containers[0].lifecycle.preStop.httpGet.path", "/"),
    # volumes
    ("volume without source is emptyDir", Pod, pod({"volumes": [{"name": "v"}]}),
     "spec.volumes[0].emptyDir", {}),
    ("configMap defaultMode", Pod, pod({"volumes": [{"name": "v", "configMap": {"name": "c"}}]}),
     "spec.volumes[0].configMap.defaultMode", 420),
    ("secret defaultMode", Pod,
     pod({"volumes": [{"name": "v", "secret": {"secretName": "s"}}]}),
     "spec.volumes[0].secret.defaultMode", 420),
    ("hostPath type", Pod, pod({"volumes": [{"name": "v", "hostPath": {"path": "/x"}}]}),
     "spec.volumes[0].hostPath.type", ""),
    ("pvc is not emptyDir", Pod,
     pod({"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "c"}}]}),
     "spec.volumes[0].emptyDir", None),
    # services and endpoints
    ("service type", Service, {"spec": {"ports": [{"port": 80}]}}, "spec.type", "ClusterIP"),
    ("service sessionAffinity", Service, {"spec": {}}, "spec.sessionAffinity", "None"),
    ("service port protocol", Service, {"spec": {"ports": [{"port": 80}]}},
     "spec.ports[0].protocol", "TCP"),
    ("service targetPort = port", Service, {"spec": {"ports": [{"port": 80}]}},
     "spec.ports[0].targetPort", 80),
    ("service targetPort kept", Service,
     {"spec": {"ports": [{"port": 80, "targetPort": "http"}]}}, "spec.ports[0].targetPort",
     "http"),
    ("service ClientIP timeout", Service, {"spec": {"sessionAffinity": "ClientIP"}},
     "spec.sessionAffinityConfig.clientIP.timeoutSeconds", 10800),
    ("NodePort externalTrafficPolicy", Service, {"spec": {"type": "NodePort"}},
     "spec.externalTrafficPolicy", "Cluster"),
    ("endpoints port protocol", Endpoints,
     {"subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]},
     "subsets[0].ports[0].protocol", "TCP"),
    # workloads
    ("rc replicas", ReplicationController, {"spec": {"template": template()}},
     "spec.replicas", 1),
    ("rc selector from template", ReplicationController, {"spec": {"template": template()}},
     "spec.selector", {"app": "web"}),
    ("rc labels from template", ReplicationController, {"spec": {"template": template()}},
     "metadata.labels", {"app": "web"}),
    ("rc selector kept", ReplicationController,
     {"spec": {"selector": {"x": "y"}, "template": template()}}, "spec.selector", {"x": "y"}),
    ("rc template spec", ReplicationController, {"spec": {"template": template()}},
     "spec.template.spec.restartPolicy", "Always"),
    ("rs replicas", ReplicaSet, {"spec": {"template": template()}}, "spec.replicas", 1),
    ("rs template", ReplicaSet, {"spec": {"template": template()}},
     "spec.template.spec.containers[0].imagePullPolicy", "IfNotPresent"),
    ("deploy replicas", Deployment, {"spec": {"template": template()}}, "spec.replicas", 1),
    ("deploy replicas 0 kept", Deployment, {"spec": {"replicas": 0}}, "spec.replicas", 0),
    ("deploy strategy", Deployment, {"spec": {}}, "spec.strategy.type", "RollingUpdate"),
    ("deploy maxSurge", Deployment, {"spec": {}}, "spec.strategy.rollingUpdate.maxSurge", "25%"),
    ("deploy maxUnavailable", Deployment, {"spec": {}},
     "spec.strategy.rollingUpdate.maxUnavailable", "25%"),
    ("deploy Recreate has no rollingUpdate", Deployment,
     {"spec": {"strategy": {"type": "Recreate"}}}, "spec.strategy.rollingUpdate", None),
    ("deploy revisionHistoryLimit", Deployment, {"spec": {}}, "spec.revisionHistoryLimit", 10),
    ("deploy progressDeadlineSeconds", Deployment, {"spec": {}},
     "spec.progressDeadlineSeconds", 600),
    ("deploy template", Deployment, {"spec": {"template": template()}},
     "spec.template.spec.dnsPolicy", "ClusterFirst"),
    ("ds updateStrategy", DaemonSet, {"spec": {}}, "spec.updateStrategy.type", "RollingUpdate"),
    ("ds maxUnavailable", DaemonSet, {"spec": {}},
     "spec.updateStrategy.rollingUpdate.maxUnavailable", 1),
    ("ds maxSurge", DaemonSet, {"spec": {}}, "spec.updateStrategy.rollingUpdate.maxSurge", 0),
    ("ds revisionHistoryLimit", DaemonSet, {"spec": {}}, "spec.revisionHistoryLimit", 10),
    ("ds template", DaemonSet, {"spec": {"template": template()}},
     "spec.template.spec.schedulerName", "default-scheduler"),
    ("job completions", Job, {"spec": {"template": template()}}, "spec.completions", 1),
    ("job parallelism", Job, {"spec": {"template": template()}}, "spec.parallelism", 1),
    ("job work queue keeps completions unset", Job, {"spec": {"parallelism": 3}},
     "spec.completions", None),
    ("job backoffLimit", Job, {"spec": {}}, "spec.backoffLimit", 6),
    ("job completionMode", Job, {"spec": {}}, "spec.completionMode", "NonIndexed"),
    ("job suspend", Job, {"spec": {}}, "spec.suspend", False),
    ("job labels from template", Job, {"spec": {"template": template()}}, "metadata.labels",
     {"app": "web"}),
    ("job template", Job, {"spec": {"template": template({"restartPolicy": "Never"})}},
     "spec.template.spec.terminationGracePeriodSeconds", 30),
    # the rest
    ("secret type", Secret, {}, "type", "Opaque"),
    ("secret stringData folded into data", Secret, {"stringData": {"k": "hi"}}, "data",
     {"k": "aGk="}),
    ("secret stringData never served", Secret, {"stringData": {"k": "hi"}}, "stringData", None),
    ("namespace phase", Namespace, {"metadata": {"name": "team"}}, "status.phase", "Active"),
    ("namespace name label", Namespace, {"metadata": {"name": "team"}},
     "metadata.labels[kubernetes.io/metadata.name]", "team"),
    ("node allocatable from capacity", Node, {"status": {"capacity": {"cpu": "2"}}},
     "status.allocatable", {"cpu": "2"}),
    ("node allocatable kept", Node,
     {"status": {"capacity": {"cpu": "2"}, "allocatable": {"cpu": "1"}}},
     "status.allocatable", {"cpu": "1"}),
    ("hpa minReplicas", HorizontalPodAutoscaler,
     {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "w"}, "maxReplicas": 3}},
     "spec.minReplicas", 1),
    ("hpa cpu 80%", HorizontalPodAutoscaler,
     {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "w"}, "maxReplicas": 3}},
     "spec.metrics[0].resource.target.averageUtilization", 80),
    ("hpa behavior scaleDown", HorizontalPodAutoscaler,
     {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "w"}, "maxReplicas": 3,
               "behavior": {"scaleUp": {"stabilizationWindowSeconds": 5}}}},
     "spec.behavior.scaleDown.policies[0].value", 100),
    ("hpa behavior kept", HorizontalPodAutoscaler,
     {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "w"}, "maxReplicas": 3,
               "behavior": {"scaleUp": {"stabilizationWindowSeconds": 5}}}},
     "spec.behavior.scaleUp.stabilizationWindowSeconds", 5),
    ("configmap untouched", ConfigMap, {"data": {"a": "b"}}, "data", {"a": "b"}),
    ("lease untouched", Lease, {"spec": {}}, "spec", {}),
]


@pytest.mark.parametrize(("model", "data", "path", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_default(model: Any, data: dict[str, Any], path: str, expected: Any) -> None:
    assert get(defaulted(model, data), path) == expected


@pytest.mark.parametrize(("image", "policy"), [
    ("busybox", "Always"),
    ("busybox:latest", "Always"),
    ("busybox:1.36", "IfNotPresent"),
    ("localhost:5000/app", "Always"),
    ("localhost:5000/app:v2", "IfNotPresent"),
    ("localhost:5000/app:latest", "Always"),
    ("busybox@sha256:0123abcd", "IfNotPresent"),
    ("busybox:latest@sha256:0123abcd", "Always"),
    ("registry.example.com/team/app:1.0", "IfNotPresent"),
])
def test_image_pull_policy(image: str, policy: str) -> None:
    assert image_pull_policy_for(image) == policy


def _spec(*resources: dict[str, Any]) -> PodSpec:
    containers = [{"name": f"c{i}", "image": "x", "resources": r} for i, r in enumerate(resources)]
    return PodSpec.model_validate({"containers": containers})


GUARANTEED = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m",
                                                                    "memory": "1Gi"}}


@pytest.mark.parametrize(("spec", "qos"), [
    (_spec({}), "BestEffort"),
    (_spec({"requests": {"cpu": "0"}}), "BestEffort"),
    (_spec({"requests": {"ephemeral-storage": "1Gi"}}), "BestEffort"),
    (_spec({"requests": {"cpu": "100m"}}), "Burstable"),
    (_spec({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m",
                                                                  "memory": "1Gi"}}),
     "Burstable"),
    (_spec({"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}), "Burstable"),
    (_spec(GUARANTEED), "Guaranteed"),
    (_spec(GUARANTEED, GUARANTEED), "Guaranteed"),
    (_spec(GUARANTEED, {}), "Burstable"),
], ids=["empty", "zero", "other-resource", "request", "request<limit", "cpu-only", "equal",
        "two-equal", "one-empty"])
def test_qos_class(spec: PodSpec, qos: str) -> None:
    assert qos_class(spec) == qos


def test_pod_status_on_create_replaces_client_status() -> None:
    p = Pod.model_validate(pod({"containers": [container(resources={
        "limits": {"cpu": "1", "memory": "64Mi"}})]}, status={"phase": "Running",
                                                               "podIP": "1.2.3.4"}))
    apply_defaults(p)
    default_pod_status_on_create(p)
    assert p.wire()["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}


def _job(**spec: Any) -> Job:
    job = Job.model_validate({"metadata": {"name": "pi", "namespace": "default"},
                              "spec": {"template": template({"restartPolicy": "Never"}),
                                       **spec}})
    apply_defaults(job)
    return job


def test_job_selector_generated_from_uid() -> None:
    job = _job()
    job.metadata.uid = "u-1"
    default_job_selector(job)
    assert job.spec.selector.matchLabels == {"batch.kubernetes.io/controller-uid": "u-1"}
    assert job.spec.template.metadata.labels == {
        "app": "web", "batch.kubernetes.io/controller-uid": "u-1",
        "batch.kubernetes.io/job-name": "pi", "controller-uid": "u-1", "job-name": "pi"}
    assert job.metadata.labels == job.spec.template.metadata.labels


def test_job_selector_needs_uid() -> None:
    job = _job()
    default_job_selector(job)
    assert job.spec.selector is None


def test_job_manual_selector_left_alone() -> None:
    job = _job(manualSelector=True, selector={"matchLabels": {"app": "web"}})
    job.metadata.uid = "u-1"
    default_job_selector(job)
    assert job.spec.selector.matchLabels == {"app": "web"}
    assert job.spec.template.metadata.labels == {"app": "web"}


def test_job_own_labels_kept() -> None:
    job = Job.model_validate({"metadata": {"name": "pi", "labels": {"team": "a"}},
                              "spec": {"template": template()}})
    apply_defaults(job)
    job.metadata.uid = "u-1"
    default_job_selector(job)
    assert job.metadata.labels == {"team": "a"}


def test_defaults_are_idempotent() -> None:
    p = Pod.model_validate(pod({"containers": [container(livenessProbe=HTTP_PROBE)]}))
    apply_defaults(p)
    once = p.wire()
    apply_defaults(p)
    assert p.wire() == once


def test_kinds_without_defaults_are_untouched() -> None:
    cm = ConfigMap.model_validate({"metadata": {"name": "c"}, "data": {"a": "b"}})
    before = cm.wire()
    apply_defaults(cm)
    assert cm.wire() == before
