"""The typed object model: every resource in the table resolves to a model with the right
apiVersion and kind, full objects round-trip to the same wire dict (no None values), and
wrong types are rejected with Kubernetes-style causes."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
import yaml

from tugboat.api.apps import DaemonSet, Deployment
from tugboat.api.autoscaling import HorizontalPodAutoscaler, Scale
from tugboat.api.batch import Job
from tugboat.api.coordination import Lease
from tugboat.api.core import Binding, Endpoints, Event, Node, Pod, ReplicationController, Service
from tugboat.api.defaults import apply_defaults
from tugboat.api.metrics import NodeMetrics, PodMetrics
from tugboat.api.resources import RESOURCES
from tugboat.api.validation import causes_from_pydantic, validate

FULL_POD = yaml.safe_load("""
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: default
  uid: 1c9e5a52-2c0a-4b8e-a5f6-0c7b9d1e2f30
  resourceVersion: "1042"
  generation: 1
  creationTimestamp: "2025-01-01T00:00:00Z"
  labels: {app: web, tier: frontend}
  annotations: {example.com/owner: team-a}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: web-6d4cf56db6, uid: 0b1c, controller: true,
     blockOwnerDeletion: true}
  finalizers: [example.com/cleanup]
spec:
  initContainers:
  - name: init
    image: busybox:1.36
    command: [sh, -c, "echo ready > /work/ready"]
    volumeMounts: [{name: work, mountPath: /work}]
    imagePullPolicy: IfNotPresent
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: File
    resources: {}
  containers:
  - name: web
    image: registry.local:5000/web:1.2
    command: [/bin/web]
    args: [--port, "8080"]
    workingDir: /srv
    ports:
    - {name: http, containerPort: 8080, protocol: TCP}
    - {containerPort: 9090, hostPort: 19090, protocol: UDP, hostIP: 0.0.0.0}
    env:
    - {name: MODE, value: prod}
    - name: POD_NAME
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: creds, key: password, optional: false}}
    envFrom:
    - configMapRef: {name: web-config}
      prefix: CFG_
    resources:
      requests: {cpu: 250m, memory: 64Mi}
      limits: {cpu: "1", memory: 128Mi}
    volumeMounts:
    - {name: work, mountPath: /work, readOnly: true}
    - {name: config, mountPath: /etc/web}
    livenessProbe:
      httpGet: {path: /healthz, port: http, scheme: HTTP,
                httpHeaders: [{name: X-Probe, value: liveness}]}
      initialDelaySeconds: 5
      timeoutSeconds: 1
      periodSeconds: 10
      successThreshold: 1
      failureThreshold: 3
    readinessProbe:
      tcpSocket: {port: 8080}
      timeoutSeconds: 2
      periodSeconds: 5
      successThreshold: 2
      failureThreshold: 3
    startupProbe:
      exec: {command: [cat, /work/ready]}
      timeoutSeconds: 1
      periodSeconds: 1
      successThreshold: 1
      failureThreshold: 30
      terminationGracePeriodSeconds: 10
    lifecycle:
      preStop: {exec: {command: [sh, -c, sleep 5]}}
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: FallbackToLogsOnError
    imagePullPolicy: IfNotPresent
    securityContext: {runAsUser: 1000, capabilities: {drop: [ALL]}}
    stdin: false
    tty: false
  volumes:
  - {name: work, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
  - {name: config, configMap: {name: web-config, defaultMode: 420,
                               items: [{key: app.conf, path: app.conf}]}}
  - {name: host, hostPath: {path: /var/log, type: Directory}}
  - {name: creds, secret: {secretName: creds, defaultMode: 256}}
  - {name: data, persistentVolumeClaim: {claimName: data}}
  restartPolicy: Always
  terminationGracePeriodSeconds: 30
  activeDeadlineSeconds: 3600
  dnsPolicy: ClusterFirst
  nodeSelector: {disktype: ssd}
  serviceAccountName: web
  nodeName: node-1
  hostNetwork: false
  securityContext: {fsGroup: 2000}
  imagePullSecrets: [{name: regcred}]
  hostname: web-0
  subdomain: web
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions: [{key: zone, operator: In, values: [a, b]}]
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 10
        preference: {matchExpressions: [{key: gpu, operator: Exists}]}
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector: {matchLabels: {app: web}}
          topologyKey: kubernetes.io/hostname
  schedulerName: default-scheduler
  tolerations:
  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute,
     tolerationSeconds: 300}
  priorityClassName: high
  priority: 1000
  enableServiceLinks: true
status:
  phase: Running
  conditions:
  - {type: Ready, status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:10Z"}
  hostIP: 192.168.1.10
  hostIPs: [{ip: 192.168.1.10}]
  podIP: 10.244.1.7
  podIPs: [{ip: 10.244.1.7}]
  startTime: "2025-01-01T00:00:01Z"
  initContainerStatuses:
  - name: init
    state:
      terminated: {exitCode: 0, reason: Completed, startedAt: "2025-01-01T00:00:02Z",
                   finishedAt: "2025-01-01T00:00:03Z", containerID: "docker://aa"}
    ready: true
    restartCount: 0
    image: busybox:1.36
    imageID: docker-pullable://busybox@sha256:00
    containerID: docker://aa
  containerStatuses:
  - name: web
    state: {running: {startedAt: "2025-01-01T00:00:04Z"}}
    lastState:
      terminated: {exitCode: 137, signal: 9, reason: OOMKilled, message: killed,
                   startedAt: "2025-01-01T00:00:03Z", finishedAt: "2025-01-01T00:00:04Z"}
    ready: true
    restartCount: 1
    image: registry.local:5000/web:1.2
    imageID: docker-pullable://web@sha256:11
    containerID: docker://bb
    started: true
  qosClass: Burstable
""")


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def has_none(value: Any) -> bool:
    if isinstance(value, dict):
        return any(v is None or has_none(v) for v in value.values())
    if isinstance(value, list):
        return any(has_none(v) for v in value)
    return value is None


def test_full_pod_round_trips() -> None:
    pod = Pod.model_validate(FULL_POD)
    wire = pod.wire()
    assert wire == without_nulls(FULL_POD)
    assert not has_none(wire)


def test_full_pod_is_valid_and_already_defaulted() -> None:
    pod = Pod.model_validate(FULL_POD)
    before = pod.wire()
    apply_defaults(pod)
    assert pod.wire() == before
    assert validate(pod) == []


ROUND_TRIPS: list[tuple[type, dict[str, Any]]] = [
    (Node, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1", "labels": {
        "kubernetes.io/hostname": "node-1"}},
        "spec": {"podCIDR": "10.244.1.0/24", "unschedulable": True, "taints": [
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
             "timeAdded": "2025-01-01T00:00:00Z"}]},
        "status": {"capacity": {"cpu": "2", "memory": "4028Mi", "pods": "110"},
                   "allocatable": {"cpu": "2", "memory": "3900Mi", "pods": "110"},
                   "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                   "lastHeartbeatTime": "2025-01-01T00:00:00Z"}],
                   "addresses": [{"type": "InternalIP", "address": "192.168.1.10"}],
                   "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                   "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b",
                                "kernelVersion": "6.1", "osImage": "Debian",
                                "containerRuntimeVersion": "docker://27.0",
                                "kubeletVersion": "v1.32.4", "kubeProxyVersion": "",
                                "operatingSystem": "linux", "architecture": "amd64"},
                   "images": [{"names": ["busybox:1.36"], "sizeBytes": 4000000}]}}),
    (Service, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": [
                   {"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http",
                    "nodePort": 30080}], "clusterIP": "10.96.0.10",
                   "clusterIPs": ["10.96.0.10"], "type": "NodePort",
                   "sessionAffinity": "None"},
               "status": {"loadBalancer": {}}}),
    (Endpoints, {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"},
                 "subsets": [{"addresses": [{"ip": "10.244.1.7", "nodeName": "node-1",
                                             "targetRef": {"kind": "Pod", "name": "web-0"}}],
                              "notReadyAddresses": [{"ip": "10.244.1.8", "hostname": "b"}],
                              "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]}),
    (Event, {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web-0.1"},
             "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "default",
                                "uid": "u", "fieldPath": "spec.containers{web}"},
             "reason": "Pulled", "message": "ok", "source": {"component": "kubelet",
                                                              "host": "node-1"},
             "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:00:00Z",
             "count": 2, "type": "Normal", "reportingComponent": "kubelet",
             "reportingInstance": "node-1", "action": "Pull",
             "related": {"kind": "Node", "name": "node-1"}}),
    (ReplicationController, {"apiVersion": "v1", "kind": "ReplicationController",
                             "metadata": {"name": "rc"},
                             "spec": {"replicas": 3, "selector": {"app": "web"},
                                      "minReadySeconds": 5, "template": {
                                          "metadata": {"labels": {"app": "web"}},
                                          "spec": {"containers": [{"name": "c",
                                                                   "image": "x"}]}}},
                             "status": {"replicas": 3, "fullyLabeledReplicas": 3,
                                        "readyReplicas": 2, "availableReplicas": 2,
                                        "observedGeneration": 4, "conditions": [
                                            {"type": "ReplicaFailure", "status": "True"}]}}),
    (Deployment, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "w"},
                                                       "matchExpressions": [
                                                           {"key": "tier", "operator": "In",
                                                            "values": ["a"]}]},
                           "template": {"metadata": {"labels": {"app": "w"}},
                                        "spec": {"containers": [{"name": "c", "image": "x"}]}},
                           "strategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxSurge": 1,
                                                          "maxUnavailable": "10%"}},
                           "revisionHistoryLimit": 3, "paused": False,
                           "progressDeadlineSeconds": 60, "minReadySeconds": 1},
                  "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
                             "readyReplicas": 2, "availableReplicas": 2,
                             "unavailableReplicas": 0, "collisionCount": 0, "conditions": [
                                 {"type": "Available", "status": "True",
                                  "lastUpdateTime": "2025-01-01T00:00:00Z",
                                  "reason": "MinimumReplicasAvailable"}]}}),
    (DaemonSet, {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds"},
                 "spec": {"selector": {"matchLabels": {"app": "a"}},
                          "template": {"metadata": {"labels": {"app": "a"}},
                                       "spec": {"containers": [{"name": "c", "image": "x"}]}},
                          "updateStrategy": {"type": "OnDelete"}},
                 "status": {"currentNumberScheduled": 3, "numberMisscheduled": 0,
                            "desiredNumberScheduled": 3, "numberReady": 3,
                            "updatedNumberScheduled": 3, "numberAvailable": 3,
                            "numberUnavailable": 0, "observedGeneration": 1}}),
    (Job, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
           "spec": {"parallelism": 2, "completions": 4, "backoffLimit": 1,
                    "activeDeadlineSeconds": 100, "ttlSecondsAfterFinished": 60,
                    "completionMode": "Indexed", "suspend": False, "manualSelector": True,
                    "selector": {"matchLabels": {"app": "pi"}},
                    "template": {"metadata": {"labels": {"app": "pi"}},
                                 "spec": {"restartPolicy": "Never",
                                          "containers": [{"name": "c", "image": "x"}]}}},
           "status": {"active": 1, "succeeded": 2, "failed": 1, "ready": 1,
                      "startTime": "2025-01-01T00:00:00Z",
                      "completionTime": "2025-01-01T00:01:00Z",
                      "conditions": [{"type": "Complete", "status": "True",
                                      "lastProbeTime": "2025-01-01T00:01:00Z",
                                      "lastTransitionTime": "2025-01-01T00:01:00Z",
                                      "reason": "CompletionsReached", "message": "done"}]}}),
    (Lease, {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "node-1", "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40,
                      "acquireTime": "2025-01-01T00:00:00.000000Z",
                      "renewTime": "2025-01-01T00:00:10.000000Z", "leaseTransitions": 0}}),
    (HorizontalPodAutoscaler, {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                    "name": "web"}, "minReplicas": 1, "maxReplicas": 10,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                     "type": "Utilization", "averageUtilization": 50}}},
                             {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {
                                 "type": "AverageValue", "averageValue": "10"}}}],
                 "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}},
        "status": {"currentReplicas": 2, "desiredReplicas": 3,
                   "lastScaleTime": "2025-01-01T00:00:00Z", "observedGeneration": 1,
                   "currentMetrics": [{"type": "Resource", "resource": {
                       "name": "cpu", "current": {"averageUtilization": 70,
                                                  "averageValue": "350m"}}}],
                   "conditions": [{"type": "AbleToScale", "status": "True",
                                   "reason": "ReadyForNewScale"}]}}),
    (Scale, {"apiVersion": "autoscaling/v1", "kind": "Scale",
             "metadata": {"name": "web", "namespace": "default"},
             "spec": {"replicas": 3}, "status": {"replicas": 2, "selector": "app=web"}}),
    (NodeMetrics, {"apiVersion": "metrics.k8s.io/v1beta1", "kind": "NodeMetrics",
                   "metadata": {"name": "node-1"}, "timestamp": "2025-01-01T00:00:00Z",
                   "window": "10s", "usage": {"cpu": "250m", "memory": "1Gi"}}),
    (PodMetrics, {"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
                  "metadata": {"name": "web-0", "namespace": "default"},
                  "timestamp": "2025-01-01T00:00:00Z", "window": "10s",
                  "containers": [{"name": "web", "usage": {"cpu": "5m",
                                                           "memory": "20Mi"}}]}),
    (Binding, {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web-0"},
               "target": {"apiVersion": "v1", "kind": "Node", "name": "node-1"}}),
]


@pytest.mark.parametrize(("model", "data"), ROUND_TRIPS, ids=lambda v: getattr(v, "__name__", ""))
def test_round_trip(model: type, data: dict[str, Any]) -> None:
    assert model.model_validate(data).wire() == data


@pytest.mark.parametrize("info", RESOURCES, ids=lambda r: f"{r.group}/{r.resource}")
def test_resource_table_models(info: Any) -> None:
    obj = info.model()
    assert (obj.apiVersion, obj.kind) == (info.api_version, info.kind)
    assert not has_none(obj.wire())


def test_quantities_accept_numbers() -> None:
    pod = Pod.model_validate({"spec": {"containers": [{"name": "c", "resources": {
        "limits": {"cpu": 2, "memory": 1.5e9}, "requests": {"cpu": 0.5}}}]}})
    assert pod.wire()["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "2", "memory": "1500000000"}, "requests": {"cpu": "0.5"}}


def test_int_or_string_keeps_its_type() -> None:
    pod = Pod.model_validate({"spec": {"containers": [{"name": "c", "livenessProbe": {
        "httpGet": {"port": "http"}}, "readinessProbe": {"tcpSocket": {"port": 8080}}}]}})
    c = pod.spec.containers[0]
    assert c.livenessProbe.httpGet.port == "http"
    assert c.readinessProbe.tcpSocket.port == 8080


def test_unknown_fields_are_dropped() -> None:
    pod = Pod.model_validate({"spec": {"bogus": 1, "containers": [{"name": "c", "x": 2}]}})
    assert pod.wire()["spec"] == {"containers": [{"name": "c"}]}


def _causes(model: type, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(data)
    return [(c.field, c.reason, c.message) for c in causes_from_pydantic(info.value)]


TYPE_ERRORS = [
    ("containers not a list", Pod, {"spec": {"containers": {"name": "c"}}},
     ("spec.containers", "FieldValueInvalid",
      'Invalid value: "object": spec.containers in body must be of type array')),
    ("containerPort not a number", Pod,
     {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": "abc"}]}]}},
     ("spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
      'Invalid value: "abc": spec.containers[0].ports[0].containerPort in body must be of type '
      "integer")),
    ("container name missing", Pod, {"spec": {"containers": [{"image": "x"}]}},
     ("spec.containers[0].name", "FieldValueRequired", "Required value")),
    ("label value not a string", Pod, {"metadata": {"labels": {"app": 1}}},
     ("metadata.labels[app]", "FieldValueInvalid",
      "Invalid value: 1: metadata.labels[app] in body must be of type string")),
    ("port neither int nor string", Pod,
     {"spec": {"containers": [{"name": "c", "livenessProbe": {"tcpSocket": {"port": [80]}}}]}},
     ("spec.containers[0].livenessProbe.tcpSocket.port", "FieldValueInvalid",
      'Invalid value: "array": spec.containers[0].livenessProbe.tcpSocket.port in body must be '
      "of type integer or string")),
    ("phase not a string", Pod, {"status": {"phase": 3}},
     ("status.phase", "FieldValueInvalid",
      "Invalid value: 3: status.phase in body must be of type string")),
    ("replicas not a number", Deployment, {"spec": {"replicas": "three"}},
     ("spec.replicas", "FieldValueInvalid",
      'Invalid value: "three": spec.replicas in body must be of type integer')),
    ("maxReplicas missing", HorizontalPodAutoscaler,
     {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "w"}}},
     ("spec.maxReplicas", "FieldValueRequired", "Required value")),
    ("Port capitalised", Node, {"status": {"daemonEndpoints": {"kubeletEndpoint": {
        "Port": "x"}}}},
     ("status.daemonEndpoints.kubeletEndpoint.Port", "FieldValueInvalid",
      'Invalid value: "x": status.daemonEndpoints.kubeletEndpoint.Port in body must be of type '
      "integer")),
]


@pytest.mark.parametrize(("model", "data", "expected"), [c[1:] for c in TYPE_ERRORS],
                         ids=[c[0] for c in TYPE_ERRORS])
def test_type_errors_become_causes(model: type, data: dict[str, Any],
                                   expected: tuple[str, str, str]) -> None:
    assert expected in _causes(model, data)


def test_one_cause_per_field() -> None:
    found = _causes(Pod, {"spec": {"containers": [{"name": "c", "livenessProbe": {
        "httpGet": {"port": None}}}]}})
    assert [f for f, _, _ in found] == ["spec.containers[0].livenessProbe.httpGet.port"]


def test_causes_without_a_known_model() -> None:
    class Loose(pydantic.BaseModel):
        items: list[int]

    with pytest.raises(pydantic.ValidationError) as info:
        Loose.model_validate({"items": [1, "x"]})
    [cause] = causes_from_pydantic(info.value)
    assert cause.field == "items[1]"
