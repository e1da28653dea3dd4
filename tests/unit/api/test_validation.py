"""Kubernetes' validation, one table row per rule: start from a valid object of the kind,
change one field, and expect a cause naming that field with Kubernetes' reason (and, where
the wording matters to users, its message)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tugboat.api.apps import DaemonSet, Deployment, ReplicaSet
from tugboat.api.autoscaling import HorizontalPodAutoscaler, Scale
from tugboat.api.batch import Job
from tugboat.api.coordination import Lease
from tugboat.api.core import (
    Binding,
    ConfigMap,
    Endpoints,
    Event,
    Namespace,
    Node,
    Pod,
    ReplicationController,
    Secret,
    Service,
)
from tugboat.api.defaults import apply_defaults, default_job_selector
from tugboat.api.validation import validate

DELETE = object()
_STEP = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def changed(base: dict[str, Any], *edits: tuple[str, Any]) -> dict[str, Any]:
    """A deep copy of `base` with `path = value` edits (DELETE removes the key)."""
    data = copy.deepcopy(base)
    for path, value in edits:
        steps = [(n, i) for n, i in _STEP.findall(path)]
        cur: Any = data
        for name, index in steps[:-1]:
            key: Any = name or (int(index) if isinstance(cur, list) else index)
            if isinstance(cur, dict) and key not in cur:
                cur[key] = {}
            cur = cur[key]
        name, index = steps[-1]
        key = name or (int(index) if isinstance(cur, list) else index)
        if value is DELETE:
            del cur[key]
        else:
            cur[key] = value
    return data


def container(**extra: Any) -> dict[str, Any]:
    return {"name": "app", "image": "busybox:1.36", **extra}


POD_SPEC = {"containers": [container(ports=[{"containerPort": 80, "name": "http"}])]}
META = {"name": "web", "namespace": "default"}
TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": POD_SPEC}
SELECTOR = {"matchLabels": {"app": "web"}}
JOB_UID = "5e1b8c39-0d3c-4e65-9d5a-000000000001"

VALID: dict[type, dict[str, Any]] = {
    Pod: {"metadata": META, "spec": POD_SPEC},
    Namespace: {"metadata": {"name": "team-a"}},
    Node: {"metadata": {"name": "node-1"}, "spec": {"podCIDR": "10.244.1.0/24"}},
    Service: {"metadata": META, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}},
    Endpoints: {"metadata": META, "subsets": [{"addresses": [{"ip": "10.244.1.5"}],
                                               "ports": [{"port": 80}]}]},
    Event: {"metadata": {"name": "web.1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"},
            "reason": "Scheduled", "type": "Normal"},
    ReplicationController: {"metadata": META, "spec": {"replicas": 2, "template": TEMPLATE}},
    ConfigMap: {"metadata": META, "data": {"app.conf": "x=1"}},
    Secret: {"metadata": META, "data": {"password": "aGk="}},
    ReplicaSet: {"metadata": META, "spec": {"selector": SELECTOR, "template": TEMPLATE}},
    Deployment: {"metadata": META, "spec": {"selector": SELECTOR, "template": TEMPLATE}},
    DaemonSet: {"metadata": META, "spec": {"selector": SELECTOR, "template": TEMPLATE}},
    Job: {"metadata": {**META, "uid": JOB_UID},
          "spec": {"template": changed(TEMPLATE, ("spec.restartPolicy", "Never"))}},
    Lease: {"metadata": {"name": "node-1", "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": "node-1", "leaseDurationSeconds": 40}},
    HorizontalPodAutoscaler: {"metadata": META, "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 1, "maxReplicas": 5}},
    Scale: {"metadata": META, "spec": {"replicas": 3}},
    Binding: {"metadata": META, "target": {"kind": "Node", "name": "node-1"}},
}


def build(model: type, data: dict[str, Any]) -> Any:
    obj = model.model_validate(data)
    apply_defaults(obj)
    if isinstance(obj, Job):
        default_job_selector(obj)
    return obj


def causes(model: type, data: dict[str, Any], old: dict[str, Any] | None = None) -> list[Any]:
    return validate(build(model, data), build(model, old) if old is not None else None)


@pytest.mark.parametrize("model", list(VALID), ids=lambda m: m.__name__)
def test_valid_objects_have_no_causes(model: type) -> None:
    assert causes(model, VALID[model]) == []


PODS = VALID[Pod]
C0 = "spec.containers[0]"
SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
RESTART_MSG = 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'
HANDLER = {"exec": {"command": ["true"]}}

CASES: list[tuple[str, type, dict[str, Any], str, str, str]] = [
    # metadata
    ("name required", Pod, changed(PODS, ("metadata.name", DELETE)), "metadata.name",
     "FieldValueRequired", "Required value: name or generateName is required"),
    ("name subdomain", Pod, changed(PODS, ("metadata.name", "Foo_bar")), "metadata.name",
     "FieldValueInvalid", f'Invalid value: "Foo_bar": {SUBDOMAIN}'),
    ("name with an empty label", Pod, changed(PODS, ("metadata.name", "a..b")),
     "metadata.name", "FieldValueInvalid", ""),
    ("name too long", Pod, changed(PODS, ("metadata.name", "a" * 254)), "metadata.name",
     "FieldValueInvalid", "must be no more than 253 characters"),
    ("generateName checked", Pod, changed(PODS, ("metadata.generateName", "Web-")),
     "metadata.generateName", "FieldValueInvalid", SUBDOMAIN),
    ("namespace required", Pod, changed(PODS, ("metadata.namespace", DELETE)),
     "metadata.namespace", "FieldValueRequired", "Required value"),
    ("label key", Pod, changed(PODS, ("metadata.labels", {"a/b/c": "x"})), "metadata.labels",
     "FieldValueInvalid", "a qualified name must consist of"),
    ("label value", Pod, changed(PODS, ("metadata.labels", {"app": "-x"})), "metadata.labels",
     "FieldValueInvalid", "a valid label must be an empty string"),
    ("label value length", Pod, changed(PODS, ("metadata.labels", {"app": "x" * 64})),
     "metadata.labels", "FieldValueInvalid", "must be no more than 63 characters"),
    ("annotation key", Pod, changed(PODS, ("metadata.annotations", {"bad key": "x"})),
     "metadata.annotations", "FieldValueInvalid", "name part must consist of"),
    ("annotations size", Pod, changed(PODS, ("metadata.annotations", {"k": "x" * 262144})),
     "metadata.annotations", "FieldValueTooLong", "Too long: may not be more than 262144 bytes"),
    ("owner reference uid", Pod, changed(PODS, ("metadata.ownerReferences", [
        {"apiVersion": "v1", "kind": "ReplicationController", "name": "rc", "uid": ""}])),
     "metadata.ownerReferences.uid", "FieldValueInvalid", "must not be empty"),
    ("finalizer name", Pod, changed(PODS, ("metadata.finalizers", ["custom"])),
     "metadata.finalizers", "FieldValueInvalid", "neither a standard finalizer name"),
    # pod spec
    ("containers required", Pod, changed(PODS, ("spec.containers", [])), "spec.containers",
     "FieldValueRequired", "Required value"),
    ("container names unique", Pod, changed(PODS, ("spec.containers", [container(),
                                                                      container()])),
     "spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "app"'),
    ("init and app container names unique", Pod,
     changed(PODS, ("spec.initContainers", [container()])), "spec.initContainers[0].name",
     "FieldValueDuplicate", ""),
    ("container name DNS label", Pod, changed(PODS, (f"{C0}.name", "App.1")), f"{C0}.name",
     "FieldValueInvalid", "a lowercase RFC 1123 label must consist of"),
    ("image required", Pod, changed(PODS, (f"{C0}.image", DELETE)), f"{C0}.image",
     "FieldValueRequired", "Required value"),
    ("image whitespace", Pod, changed(PODS, (f"{C0}.image", " busybox")), f"{C0}.image",
     "FieldValueInvalid", "must not have leading or trailing whitespace"),
    ("containerPort range", Pod, changed(PODS, (f"{C0}.ports[0].containerPort", 70000)),
     f"{C0}.ports[0].containerPort", "FieldValueInvalid",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ("containerPort required", Pod, changed(PODS, (f"{C0}.ports[0].containerPort", 0)),
     f"{C0}.ports[0].containerPort", "FieldValueRequired", ""),
    ("hostPort range", Pod, changed(PODS, (f"{C0}.ports[0].hostPort", -1)),
     f"{C0}.ports[0].hostPort", "FieldValueInvalid", "between 1 and 65535"),
    ("port names unique", Pod, changed(PODS, (f"{C0}.ports", [
        {"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}])),
     f"{C0}.ports[1].name", "FieldValueDuplicate", ""),
    ("port name syntax", Pod, changed(PODS, (f"{C0}.ports[0].name", "HTTP")),
     f"{C0}.ports[0].name", "FieldValueInvalid", "must contain only alpha-numeric characters"),
    ("port protocol", Pod, changed(PODS, (f"{C0}.ports[0].protocol", "ICMP")),
     f"{C0}.ports[0].protocol", "FieldValueNotSupported",
     'supported values: "SCTP", "TCP", "UDP"'),
    ("host ports unique", Pod, changed(PODS, ("spec.containers", [
        container(ports=[{"containerPort": 80, "hostPort": 8080}]),
        container(name="b", ports=[{"containerPort": 81, "hostPort": 8080}])])),
     "spec.containers[1].ports[0].hostPort", "FieldValueDuplicate", ""),
    ("hostNetwork hostPort matches", Pod, changed(PODS, ("spec.hostNetwork", True), (
        f"{C0}.ports[0].hostPort", 8080)), f"{C0}.ports[0].hostPort", "FieldValueInvalid",
     "must match `containerPort` when `hostNetwork` is true"),
    ("restartPolicy", Pod, changed(PODS, ("spec.restartPolicy", "Sometimes")),
     "spec.restartPolicy", "FieldValueNotSupported", RESTART_MSG),
    ("dnsPolicy", Pod, changed(PODS, ("spec.dnsPolicy", "Google")), "spec.dnsPolicy",
     "FieldValueNotSupported", ""),
    ("imagePullPolicy", Pod, changed(PODS, (f"{C0}.imagePullPolicy", "Sometimes")),
     f"{C0}.imagePullPolicy", "FieldValueNotSupported",
     'supported values: "Always", "IfNotPresent", "Never"'),
    ("terminationMessagePolicy", Pod,
     changed(PODS, (f"{C0}.terminationMessagePolicy", "Stdout")),
     f"{C0}.terminationMessagePolicy", "FieldValueNotSupported", ""),
    ("activeDeadlineSeconds", Pod, changed(PODS, ("spec.activeDeadlineSeconds", 0)),
     "spec.activeDeadlineSeconds", "FieldValueInvalid", "must be between 1 and 2147483647"),
    ("nodeName", Pod, changed(PODS, ("spec.nodeName", "Node_1")), "spec.nodeName",
     "FieldValueInvalid", SUBDOMAIN),
    ("nodeSelector", Pod, changed(PODS, ("spec.nodeSelector", {"disk": "s s d"})),
     "spec.nodeSelector", "FieldValueInvalid", ""),
    ("hostname", Pod, changed(PODS, ("spec.hostname", "a.b")), "spec.hostname",
     "FieldValueInvalid", ""),
    # probes and lifecycle
    ("probe handler required", Pod, changed(PODS, (f"{C0}.livenessProbe", {})),
     f"{C0}.livenessProbe", "FieldValueRequired", "Required value: must specify a handler type"),
    ("probe one handler", Pod, changed(PODS, (f"{C0}.readinessProbe", {
        **HANDLER, "tcpSocket": {"port": 80}})), f"{C0}.readinessProbe.tcpSocket",
     "FieldValueForbidden", "may not specify more than 1 handler type"),
    ("probe exec command", Pod, changed(PODS, (f"{C0}.readinessProbe", {"exec": {}})),
     f"{C0}.readinessProbe.exec.command", "FieldValueRequired", ""),
    ("probe period positive", Pod, changed(PODS, (f"{C0}.livenessProbe", {
        **HANDLER, "periodSeconds": -1})), f"{C0}.livenessProbe.periodSeconds",
     "FieldValueInvalid", "must be greater than or equal to 0"),
    ("probe timeout positive", Pod, changed(PODS, (f"{C0}.readinessProbe", {
        **HANDLER, "timeoutSeconds": -5})), f"{C0}.readinessProbe.timeoutSeconds",
     "FieldValueInvalid", ""),
    ("probe failureThreshold positive", Pod, changed(PODS, (f"{C0}.readinessProbe", {
        **HANDLER, "failureThreshold": -1})), f"{C0}.readinessProbe.failureThreshold",
     "FieldValueInvalid", ""),
    ("probe initialDelay nonnegative", Pod, changed(PODS, (f"{C0}.readinessProbe", {
        **HANDLER, "initialDelaySeconds": -1})), f"{C0}.readinessProbe.initialDelaySeconds",
     "FieldValueInvalid", ""),
    ("liveness successThreshold 1", Pod, changed(PODS, (f"{C0}.livenessProbe", {
        **HANDLER, "successThreshold": 2})), f"{C0}.livenessProbe.successThreshold",
     "FieldValueInvalid", "Invalid value: 2: must be 1"),
    ("startup successThreshold 1", Pod, changed(PODS, (f"{C0}.startupProbe", {
        **HANDLER, "successThreshold": 3})), f"{C0}.startupProbe.successThreshold",
     "FieldValueInvalid", "must be 1"),
    ("httpGet port", Pod, changed(PODS, (f"{C0}.readinessProbe", {"httpGet": {"port": 0}})),
     f"{C0}.readinessProbe.httpGet.port", "FieldValueInvalid", ""),
    ("httpGet named port syntax", Pod, changed(PODS, (f"{C0}.readinessProbe", {
        "httpGet": {"port": "80"}})), f"{C0}.readinessProbe.httpGet.port", "FieldValueInvalid",
     "must contain at least one letter (a-z)"),
    ("httpGet scheme", Pod, changed(PODS, (f"{C0}.readinessProbe", {
        "httpGet": {"port": 80, "scheme": "FTP"}})), f"{C0}.readinessProbe.httpGet.scheme",
     "FieldValueNotSupported", ""),
    ("tcpSocket port", Pod, changed(PODS, (f"{C0}.livenessProbe", {
        "tcpSocket": {"port": 65536}})), f"{C0}.livenessProbe.tcpSocket.port",
     "FieldValueInvalid", ""),
    ("grpc port", Pod, changed(PODS, (f"{C0}.livenessProbe", {"grpc": {"port": 0}})),
     f"{C0}.livenessProbe.grpc.port", "FieldValueInvalid", ""),
    ("lifecycle handler required", Pod, changed(PODS, (f"{C0}.lifecycle", {"preStop": {}})),
     f"{C0}.lifecycle.preStop", "FieldValueRequired", ""),
    ("init container probes", Pod, changed(PODS, ("spec.initContainers", [
        container(name="init", livenessProbe=HANDLER)])),
     "spec.initContainers[0].livenessProbe", "FieldValueForbidden", ""),
    ("app container restartPolicy", Pod, changed(PODS, (f"{C0}.restartPolicy", "Always")),
     f"{C0}.restartPolicy", "FieldValueForbidden", ""),
    # env, resources, volumes
    ("env name", Pod, changed(PODS, (f"{C0}.env", [{"name": "1X", "value": "v"}])),
     f"{C0}.env[0].name", "FieldValueInvalid", "a valid environment variable name"),
    ("env value and valueFrom", Pod, changed(PODS, (f"{C0}.env", [{
        "name": "X", "value": "v", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}])),
     f"{C0}.env[0].valueFrom", "FieldValueInvalid", "may not be specified when `value`"),
    ("env fieldPath", Pod, changed(PODS, (f"{C0}.env", [{
        "name": "X", "valueFrom": {"fieldRef": {"fieldPath": "spec.secret"}}}])),
     f"{C0}.env[0].valueFrom.fieldRef.fieldPath", "FieldValueNotSupported", ""),
    ("envFrom source", Pod, changed(PODS, (f"{C0}.envFrom", [{"prefix": "P_"}])),
     f"{C0}.envFrom", "FieldValueInvalid", "must specify one of"),
    ("quantity syntax", Pod, changed(PODS, (f"{C0}.resources", {"limits": {"cpu": "lots"}})),
     f"{C0}.resources.limits[cpu]", "FieldValueInvalid", "quantities must match"),
    ("quantity nonnegative", Pod, changed(PODS, (f"{C0}.resources", {
        "requests": {"memory": "-1Gi"}})), f"{C0}.resources.requests[memory]",
     "FieldValueInvalid", "must be greater than or equal to 0"),
    ("resource name", Pod, changed(PODS, (f"{C0}.resources", {"limits": {"gpu": "1"}})),
     f"{C0}.resources.limits[gpu]", "FieldValueInvalid", "must be a standard resource"),
    ("requests within limits", Pod, changed(PODS, (f"{C0}.resources", {
        "limits": {"cpu": "500m"}, "requests": {"cpu": "1"}})), f"{C0}.resources.requests",
     "FieldValueInvalid", "must be less than or equal to cpu limit of 500m"),
    ("volume names unique", Pod, changed(PODS, ("spec.volumes", [
        {"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}])),
     "spec.volumes[1].name", "FieldValueDuplicate", ""),
    ("volume name label", Pod, changed(PODS, ("spec.volumes", [{"name": "V", "emptyDir": {}}])),
     "spec.volumes[0].name", "FieldValueInvalid", ""),
    ("one volume type", Pod, changed(PODS, ("spec.volumes", [
        {"name": "v", "emptyDir": {}, "hostPath": {"path": "/x"}}])),
     "spec.volumes[0].hostPath", "FieldValueForbidden", "may not specify more than 1 volume type"),
    ("hostPath type", Pod, changed(PODS, ("spec.volumes", [
        {"name": "v", "hostPath": {"path": "/x", "type": "Dir"}}])),
     "spec.volumes[0].hostPath.type", "FieldValueNotSupported", ""),
    ("configMap volume name", Pod, changed(PODS, ("spec.volumes", [
        {"name": "v", "configMap": {}}])), "spec.volumes[0].configMap.name",
     "FieldValueRequired", ""),
    ("mount refers to a volume", Pod, changed(PODS, (f"{C0}.volumeMounts", [
        {"name": "data", "mountPath": "/data"}])), f"{C0}.volumeMounts[0].name",
     "FieldValueNotFound", 'Not found: "data"'),
    ("mount paths unique", Pod, changed(PODS, ("spec.volumes", [{"name": "d", "emptyDir": {}}]),
                                        (f"{C0}.volumeMounts", [
                                            {"name": "d", "mountPath": "/d"},
                                            {"name": "d", "mountPath": "/d"}])),
     f"{C0}.volumeMounts[1].mountPath", "FieldValueInvalid", "must be unique"),
    # scheduling fields
    ("toleration operator", Pod, changed(PODS, ("spec.tolerations", [
        {"key": "k", "operator": "Like"}])), "spec.tolerations[0].operator",
     "FieldValueNotSupported", ""),
    ("toleration Exists value", Pod, changed(PODS, ("spec.tolerations", [
        {"key": "k", "operator": "Exists", "value": "v"}])), "spec.tolerations[0].operator",
     "FieldValueInvalid", "value must be empty when `operator` is 'Exists'"),
    ("toleration empty key", Pod, changed(PODS, ("spec.tolerations", [{"value": "v"}])),
     "spec.tolerations[0].operator", "FieldValueInvalid", "operator must be Exists"),
    ("toleration seconds need NoExecute", Pod, changed(PODS, ("spec.tolerations", [
        {"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}])),
     "spec.tolerations[0].effect", "FieldValueInvalid", "effect must be 'NoExecute'"),
    ("node affinity terms", Pod, changed(PODS, ("spec.affinity", {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}})),
     "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
     "nodeSelectorTerms", "FieldValueRequired", ""),
    ("node affinity In values", Pod, changed(PODS, ("spec.affinity", {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In"}]}]}}})),
     "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
     "nodeSelectorTerms[0].matchExpressions[0].values", "FieldValueRequired", ""),
    ("node affinity weight", Pod, changed(PODS, ("spec.affinity", {"nodeAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 0, "preference": {"matchExpressions": [
                {"key": "zone", "operator": "Exists"}]}}]}})),
     "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
     "FieldValueInvalid", "must be in the range 1-100"),
    # templates (DESIGN S5)
    ("rc template restartPolicy", ReplicationController,
     changed(VALID[ReplicationController], ("spec.template.spec.restartPolicy", "OnFailure")),
     "spec.template.spec.restartPolicy", "FieldValueNotSupported",
     'Unsupported value: "OnFailure": supported values: "Always"'),
    ("rc selector matches labels", ReplicationController,
     changed(VALID[ReplicationController], ("spec.selector", {"app": "db"})),
     "spec.template.metadata.labels", "FieldValueInvalid",
     "`selector` does not match template `labels`"),
    ("rc replicas", ReplicationController,
     changed(VALID[ReplicationController], ("spec.replicas", -1)), "spec.replicas",
     "FieldValueInvalid", "must be greater than or equal to 0"),
    ("rc template required", ReplicationController, {"metadata": META, "spec": {}},
     "spec.template", "FieldValueRequired", ""),
    ("rc template pod spec", ReplicationController, changed(
        VALID[ReplicationController], ("spec.template.spec.containers[0].image", DELETE)),
     "spec.template.spec.containers[0].image", "FieldValueRequired", ""),
    ("rc template activeDeadlineSeconds", ReplicationController, changed(
        VALID[ReplicationController], ("spec.template.spec.activeDeadlineSeconds", 5)),
     "spec.template.spec.activeDeadlineSeconds", "FieldValueInvalid", "not Supported"),
    ("rs selector required", ReplicaSet, changed(VALID[ReplicaSet], ("spec.selector", DELETE)),
     "spec.selector", "FieldValueRequired", ""),
    ("rs selector matches", ReplicaSet, changed(
        VALID[ReplicaSet], ("spec.selector", {"matchLabels": {"app": "db"}})),
     "spec.template.metadata.labels", "FieldValueInvalid", "does not match"),
    ("rs selector expression", ReplicaSet, changed(VALID[ReplicaSet], ("spec.selector", {
        "matchExpressions": [{"key": "app", "operator": "In"}]})),
     "spec.selector.matchExpressions[0].values", "FieldValueRequired", ""),
    ("rs template restartPolicy", ReplicaSet, changed(
        VALID[ReplicaSet], ("spec.template.spec.restartPolicy", "Never")),
     "spec.template.spec.restartPolicy", "FieldValueNotSupported", ""),
    ("rs replicas", ReplicaSet, changed(VALID[ReplicaSet], ("spec.replicas", -2)),
     "spec.replicas", "FieldValueInvalid", ""),
    ("deploy empty selector", Deployment, changed(VALID[Deployment], ("spec.selector", {})),
     "spec.selector", "FieldValueInvalid", "empty selector is invalid for deployment"),
    ("deploy selector matches", Deployment, changed(VALID[Deployment], (
        "spec.selector", {"matchExpressions": [{"key": "tier", "operator": "Exists"}]})),
     "spec.template.metadata.labels", "FieldValueInvalid", "does not match"),
    ("deploy strategy type", Deployment, changed(VALID[Deployment], (
        "spec.strategy", {"type": "BlueGreen"})), "spec.strategy.type", "FieldValueNotSupported",
     'supported values: "Recreate", "RollingUpdate"'),
    ("deploy maxSurge percent", Deployment, changed(VALID[Deployment], (
        "spec.strategy", {"rollingUpdate": {"maxSurge": "25"}})),
     "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid", "a valid percent string"),
    ("deploy both zero", Deployment, changed(VALID[Deployment], (
        "spec.strategy", {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}})),
     "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
     "may not be 0 when `maxSurge` is 0"),
    ("deploy maxUnavailable over 100%", Deployment, changed(VALID[Deployment], (
        "spec.strategy", {"rollingUpdate": {"maxUnavailable": "150%"}})),
     "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", "greater than 100%"),
    ("deploy Recreate with rollingUpdate", Deployment, changed(VALID[Deployment], (
        "spec.strategy", {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})),
     "spec.strategy.rollingUpdate", "FieldValueForbidden", ""),
    ("deploy progressDeadline", Deployment, changed(VALID[Deployment], (
        "spec.minReadySeconds", 700)), "spec.progressDeadlineSeconds", "FieldValueInvalid",
     "must be greater than minReadySeconds"),
    ("deploy revisionHistoryLimit", Deployment, changed(VALID[Deployment], (
        "spec.revisionHistoryLimit", -1)), "spec.revisionHistoryLimit", "FieldValueInvalid", ""),
    ("ds template restartPolicy", DaemonSet, changed(
        VALID[DaemonSet], ("spec.template.spec.restartPolicy", "Never")),
     "spec.template.spec.restartPolicy", "FieldValueNotSupported", 'supported values: "Always"'),
    ("ds selector required", DaemonSet, changed(VALID[DaemonSet], ("spec.selector", DELETE)),
     "spec.selector", "FieldValueRequired", ""),
    ("ds update strategy", DaemonSet, changed(VALID[DaemonSet], (
        "spec.updateStrategy", {"type": "Sometimes"})), "spec.updateStrategy.type",
     "FieldValueNotSupported", ""),
    ("ds surge and unavailable", DaemonSet, changed(VALID[DaemonSet], (
        "spec.updateStrategy", {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}})),
     "spec.updateStrategy.rollingUpdate.maxSurge", "FieldValueInvalid", ""),
    ("job restartPolicy Always", Job, changed(
        VALID[Job], ("spec.template.spec.restartPolicy", "Always")),
     "spec.template.spec.restartPolicy", "FieldValueNotSupported",
     'Unsupported value: "Always": supported values: "OnFailure", "Never"'),
    ("job restartPolicy defaulted to Always", Job, changed(
        VALID[Job], ("spec.template.spec.restartPolicy", DELETE)),
     "spec.template.spec.restartPolicy", "FieldValueNotSupported", ""),
    ("job completions", Job, changed(VALID[Job], ("spec.completions", -1)), "spec.completions",
     "FieldValueInvalid", "must be greater than or equal to 0"),
    ("job parallelism", Job, changed(VALID[Job], ("spec.parallelism", -1)), "spec.parallelism",
     "FieldValueInvalid", ""),
    ("job backoffLimit", Job, changed(VALID[Job], ("spec.backoffLimit", -1)),
     "spec.backoffLimit", "FieldValueInvalid", ""),
    ("job completionMode", Job, changed(VALID[Job], ("spec.completionMode", "Some")),
     "spec.completionMode", "FieldValueNotSupported", ""),
    ("job selector needs uid label", Job, changed(VALID[Job], ("spec.selector", {
        "matchLabels": {"batch.kubernetes.io/controller-uid": "other"}})),
     "spec.selector", "FieldValueInvalid", "`selector` not auto-generated"),
    ("job manual selector required", Job, changed(VALID[Job], ("spec.manualSelector", True)),
     "spec.selector", "FieldValueRequired", ""),
    ("job name makes a long label", Job, changed(VALID[Job], ("metadata.name", "j" * 64)),
     "spec.template.metadata.labels", "FieldValueInvalid", "must be no more than 63 characters"),
    # services and endpoints
    ("service name DNS-1035", Service, changed(VALID[Service], ("metadata.name", "1web")),
     "metadata.name", "FieldValueInvalid", "a DNS-1035 label must consist of"),
    ("service ports required", Service, changed(VALID[Service], ("spec.ports", [])),
     "spec.ports", "FieldValueRequired", ""),
    ("service port range", Service, changed(VALID[Service], ("spec.ports[0].port", 0)),
     "spec.ports[0].port", "FieldValueInvalid", "between 1 and 65535"),
    ("service port names required", Service, changed(VALID[Service], (
        "spec.ports", [{"port": 80, "name": "http"}, {"port": 443}])),
     "spec.ports[1].name", "FieldValueRequired", ""),
    ("service port names unique", Service, changed(VALID[Service], (
        "spec.ports", [{"port": 80, "name": "http"}, {"port": 443, "name": "http"}])),
     "spec.ports[1].name", "FieldValueDuplicate", ""),
    ("service targetPort", Service, changed(VALID[Service], ("spec.ports[0].targetPort", 70000)),
     "spec.ports[0].targetPort", "FieldValueInvalid", ""),
    ("service type", Service, changed(VALID[Service], ("spec.type", "Internal")), "spec.type",
     "FieldValueNotSupported", ""),
    ("service nodePort on ClusterIP", Service, changed(VALID[Service], (
        "spec.ports[0].nodePort", 30080)), "spec.ports[0].nodePort", "FieldValueForbidden",
     "may not be used when `type` is 'ClusterIP'"),
    ("service clusterIP", Service, changed(VALID[Service], ("spec.clusterIP", "10.0.0.300")),
     "spec.clusterIP", "FieldValueInvalid", "must be a valid IP address"),
    ("service selector", Service, changed(VALID[Service], ("spec.selector", {"app": "a b"})),
     "spec.selector", "FieldValueInvalid", ""),
    ("endpoints ip", Endpoints, changed(VALID[Endpoints], ("subsets[0].addresses[0].ip", "x")),
     "subsets[0].addresses[0].ip", "FieldValueInvalid", ""),
    ("endpoints addresses", Endpoints, changed(VALID[Endpoints], ("subsets[0].addresses", [])),
     "subsets[0]", "FieldValueRequired", ""),
    ("endpoints port", Endpoints, changed(VALID[Endpoints], ("subsets[0].ports[0].port", 0)),
     "subsets[0].ports[0].port", "FieldValueInvalid", ""),
    # everything else
    ("namespace name is a label", Namespace, {"metadata": {"name": "team.a"}}, "metadata.name",
     "FieldValueInvalid", "a lowercase RFC 1123 label"),
    ("node taint effect", Node, changed(VALID[Node], ("spec.taints", [
        {"key": "k", "effect": "Sometimes"}])), "spec.taints[0].effect",
     "FieldValueNotSupported", ""),
    ("node taints unique", Node, changed(VALID[Node], ("spec.taints", [
        {"key": "k", "effect": "NoSchedule"}, {"key": "k", "value": "v",
                                                "effect": "NoSchedule"}])),
     "spec.taints[1]", "FieldValueDuplicate", "taints must be unique by key and effect pair"),
    ("node podCIDR", Node, changed(VALID[Node], ("spec.podCIDR", "10.244.1.0/33")),
     "spec.podCIDRs[0]", "FieldValueInvalid", ""),
    ("event namespace", Event, changed(VALID[Event], ("involvedObject.namespace", "other")),
     "involvedObject.namespace", "FieldValueInvalid", "does not match event.namespace"),
    ("event involvedObject required", Event, changed(VALID[Event], ("involvedObject", {})),
     "involvedObject", "FieldValueRequired", "Required value"),
    ("event reportingComponent", Event, changed(VALID[Event], (
        "eventTime", "2025-01-01T00:00:00.000000Z"), ("action", "Binding")),
     "reportingComponent", "FieldValueRequired", ""),
    ("configmap key", ConfigMap, changed(VALID[ConfigMap], ("data", {"a b": "x"})),
     "data[a b]", "FieldValueInvalid", "a valid config key"),
    ("configmap duplicate key", ConfigMap, changed(VALID[ConfigMap], (
        "binaryData", {"app.conf": "aGk="})), "binaryData[app.conf]", "FieldValueInvalid",
     "duplicate of key present in data"),
    ("secret base64", Secret, changed(VALID[Secret], ("data", {"k": "not base64!"})), "data[k]",
     "FieldValueInvalid", ""),
    ("secret tls keys", Secret, changed(VALID[Secret], ("type", "kubernetes.io/tls")),
     "data[tls.crt]", "FieldValueRequired", ""),
    ("lease duration", Lease, changed(VALID[Lease], ("spec.leaseDurationSeconds", 0)),
     "spec.leaseDurationSeconds", "FieldValueInvalid", "must be greater than 0"),
    ("lease transitions", Lease, changed(VALID[Lease], ("spec.leaseTransitions", -1)),
     "spec.leaseTransitions", "FieldValueInvalid", ""),
    ("hpa minReplicas", HorizontalPodAutoscaler, changed(
        VALID[HorizontalPodAutoscaler], ("spec.minReplicas", 0)), "spec.minReplicas",
     "FieldValueInvalid", "must be greater than or equal to 1"),
    ("hpa maxReplicas below min", HorizontalPodAutoscaler, changed(
        VALID[HorizontalPodAutoscaler], ("spec.minReplicas", 4), ("spec.maxReplicas", 2)),
     "spec.maxReplicas", "FieldValueInvalid", "must be greater than or equal to `minReplicas`"),
    ("hpa target name", HorizontalPodAutoscaler, changed(
        VALID[HorizontalPodAutoscaler], ("spec.scaleTargetRef.name", "")),
     "spec.scaleTargetRef.name", "FieldValueRequired", ""),
    ("hpa utilization", HorizontalPodAutoscaler, changed(
        VALID[HorizontalPodAutoscaler], ("spec.metrics", [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}}])),
     "spec.metrics[0].resource.target.averageUtilization", "FieldValueInvalid", ""),
    ("hpa metric source", HorizontalPodAutoscaler, changed(
        VALID[HorizontalPodAutoscaler], ("spec.metrics", [{"type": "Resource"}])),
     "spec.metrics[0].resource", "FieldValueRequired", ""),
    ("scale replicas", Scale, changed(VALID[Scale], ("spec.replicas", -1)), "spec.replicas",
     "FieldValueInvalid", ""),
    # security contexts
    ("seccomp type required", Pod, changed(PODS, ("spec.securityContext.seccompProfile", {})),
     "spec.securityContext.seccompProfile.type", "FieldValueRequired", "Required value"),
    ("seccomp type", Pod, changed(PODS, ("spec.containers[0].securityContext",
                                         {"seccompProfile": {"type": "Docker"}})),
     "spec.containers[0].securityContext.seccompProfile.type", "FieldValueNotSupported",
     'Unsupported value: "Docker": supported values: "Localhost", "RuntimeDefault", '
     '"Unconfined"'),
    ("seccomp localhost needs a profile", Pod,
     changed(PODS, ("spec.securityContext.seccompProfile", {"type": "Localhost"})),
     "spec.securityContext.seccompProfile.localhostProfile", "FieldValueRequired",
     "must be set when seccomp type is Localhost"),
    ("seccomp profile only for localhost", Pod,
     changed(PODS, ("spec.securityContext.seccompProfile",
                    {"type": "RuntimeDefault", "localhostProfile": "a.json"})),
     "spec.securityContext.seccompProfile.localhostProfile", "FieldValueInvalid",
     "can only be set when seccomp type is Localhost"),
    ("seccomp profile relative", Pod,
     changed(PODS, ("spec.securityContext.seccompProfile",
                    {"type": "Localhost", "localhostProfile": "../etc/x.json"})),
     "spec.securityContext.seccompProfile.localhostProfile", "FieldValueInvalid",
     "must not contain '..'"),
    ("runAsUser range", Pod, changed(PODS, ("spec.containers[0].securityContext",
                                            {"runAsUser": -1})),
     "spec.containers[0].securityContext.runAsUser", "FieldValueInvalid",
     "Invalid value: -1: must be between 0 and 2147483647, inclusive"),
    ("supplementalGroups range", Pod,
     changed(PODS, ("spec.securityContext.supplementalGroups", [5, 2**31])),
     "spec.securityContext.supplementalGroups[1]", "FieldValueInvalid", ""),
    ("privileged without escalation", Pod,
     changed(PODS, ("spec.containers[0].securityContext",
                    {"privileged": True, "allowPrivilegeEscalation": False})),
     "spec.containers[0].securityContext", "FieldValueInvalid",
     "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"),
    ("binding target name", Binding, changed(VALID[Binding], ("target.name", "")),
     "target.name", "FieldValueRequired", ""),
]


@pytest.mark.parametrize(("model", "data", "field", "reason", "message"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid(model: type, data: dict[str, Any], field: str, reason: str,
                 message: str) -> None:
    found = causes(model, data)
    matching = [c for c in found if c.field == field and c.reason == reason]
    assert matching, f"no {reason} at {field}: {[(c.field, c.reason) for c in found]}"
    assert any(message in c.message for c in matching), [c.message for c in matching]


# --- updates --------------------------------------------------------------------------------

UPDATE_CASES: list[tuple[str, type, dict[str, Any], dict[str, Any], str, str, str]] = [
    ("pod spec immutable", Pod, PODS, changed(PODS, ("spec.restartPolicy", "Never")), "spec",
     "FieldValueForbidden", "pod updates may not change fields other than"),
    ("nodeName cannot change", Pod, changed(PODS, ("spec.nodeName", "node-1")),
     changed(PODS, ("spec.nodeName", "node-2")), "spec", "FieldValueForbidden", ""),
    ("nodeName cannot be set by update", Pod, PODS, changed(PODS, ("spec.nodeName", "node-1")),
     "spec", "FieldValueForbidden", ""),
    ("pod containers fixed", Pod, PODS, changed(PODS, ("spec.containers", [
        container(), container(name="b")])), "spec.containers", "FieldValueForbidden",
     "may not add or remove containers"),
    ("activeDeadlineSeconds only decreases", Pod, changed(PODS, ("spec.activeDeadlineSeconds",
                                                                 10)),
     changed(PODS, ("spec.activeDeadlineSeconds", 20)), "spec.activeDeadlineSeconds",
     "FieldValueInvalid", "must be less than or equal to previous value"),
    ("tolerations only added", Pod, changed(PODS, ("spec.tolerations", [
        {"key": "a", "operator": "Exists"}])), changed(PODS, ("spec.tolerations", [])),
     "spec.tolerations", "FieldValueForbidden", "existing toleration can not be modified"),
    ("name immutable", Pod, PODS, changed(PODS, ("metadata.name", "other")), "metadata.name",
     "FieldValueInvalid", "field is immutable"),
    ("uid immutable", Pod, changed(PODS, ("metadata.uid", "a")),
     changed(PODS, ("metadata.uid", "b")), "metadata.uid", "FieldValueInvalid", ""),
    ("no finalizers while deleting", Pod, changed(
        PODS, ("metadata.deletionTimestamp", "2025-01-01T00:00:00Z")),
     changed(PODS, ("metadata.deletionTimestamp", "2025-01-01T00:00:00Z"),
             ("metadata.finalizers", ["example.com/x"])),
     "metadata.finalizers", "FieldValueForbidden", "no new finalizers"),
    ("deployment selector immutable", Deployment, VALID[Deployment], changed(
        VALID[Deployment], ("spec.selector.matchLabels.tier", "x"),
        ("spec.template.metadata.labels.tier", "x")), "spec.selector", "FieldValueInvalid",
     "field is immutable"),
    ("replicaset selector immutable", ReplicaSet, VALID[ReplicaSet], changed(
        VALID[ReplicaSet], ("spec.selector.matchLabels.tier", "x"),
        ("spec.template.metadata.labels.tier", "x")), "spec.selector", "FieldValueInvalid", ""),
    ("daemonset selector immutable", DaemonSet, VALID[DaemonSet], changed(
        VALID[DaemonSet], ("spec.selector.matchLabels.tier", "x"),
        ("spec.template.metadata.labels.tier", "x")), "spec.selector", "FieldValueInvalid", ""),
    ("job template immutable", Job, VALID[Job], changed(
        VALID[Job], ("spec.template.spec.containers[0].image", "busybox:2")), "spec.template",
     "FieldValueInvalid", "field is immutable"),
    ("job completions immutable", Job, VALID[Job], changed(VALID[Job], ("spec.completions", 3)),
     "spec.completions", "FieldValueInvalid", ""),
    ("service clusterIP immutable", Service, changed(VALID[Service], (
        "spec.clusterIP", "10.96.0.10")), changed(VALID[Service], ("spec.clusterIP",
                                                                    "10.96.0.11")),
     "spec.clusterIP", "FieldValueInvalid", "field is immutable"),
    ("configmap immutable", ConfigMap, changed(VALID[ConfigMap], ("immutable", True)),
     changed(VALID[ConfigMap], ("immutable", True), ("data", {"a": "b"})), "data",
     "FieldValueForbidden", "field is immutable when `immutable` is set"),
    ("secret type immutable", Secret, VALID[Secret], changed(VALID[Secret], (
        "type", "example.com/other")), "type", "FieldValueInvalid", ""),
    ("node podCIDR immutable", Node, VALID[Node], changed(VALID[Node], ("spec.podCIDR",
                                                                        "10.244.2.0/24")),
     "spec.podCIDRs", "FieldValueForbidden", ""),
]


@pytest.mark.parametrize(("model", "old", "new", "field", "reason", "message"),
                         [c[1:] for c in UPDATE_CASES], ids=[c[0] for c in UPDATE_CASES])
def test_invalid_update(model: type, old: dict[str, Any], new: dict[str, Any], field: str,
                        reason: str, message: str) -> None:
    found = causes(model, new, old)
    matching = [c for c in found if c.field == field and c.reason == reason]
    assert matching, f"no {reason} at {field}: {[(c.field, c.reason) for c in found]}"
    assert any(message in c.message for c in matching), [c.message for c in matching]


ALLOWED_UPDATES: list[tuple[str, type, dict[str, Any], dict[str, Any]]] = [
    ("pod image", Pod, PODS, changed(PODS, (f"{C0}.image", "busybox:1.37"))),
    ("pod labels", Pod, PODS, changed(PODS, ("metadata.labels", {"a": "b"}))),
    ("pod status", Pod, PODS, changed(PODS, ("status", {"phase": "Running"}))),
    ("pod activeDeadlineSeconds set", Pod, PODS, changed(PODS, ("spec.activeDeadlineSeconds",
                                                                30))),
    ("pod toleration added", Pod, PODS, changed(PODS, ("spec.tolerations", [
        {"key": "a", "operator": "Exists"}]))),
    ("pod toleration seconds changed", Pod,
     changed(PODS, ("spec.tolerations", [{"key": "a", "operator": "Exists",
                                          "effect": "NoExecute", "tolerationSeconds": 60}])),
     changed(PODS, ("spec.tolerations", [{"key": "a", "operator": "Exists",
                                          "effect": "NoExecute", "tolerationSeconds": 30}]))),
    ("pod grace period fix-up", Pod, changed(PODS, ("spec.terminationGracePeriodSeconds", -1)),
     changed(PODS, ("spec.terminationGracePeriodSeconds", 1))),
    ("deployment replicas", Deployment, VALID[Deployment], changed(VALID[Deployment], (
        "spec.replicas", 5))),
    ("job parallelism", Job, VALID[Job], changed(VALID[Job], ("spec.completions", 1),
                                                 ("spec.parallelism", 3))),
    ("node podCIDR first set", Node, {"metadata": {"name": "n"}}, VALID[Node] | {
        "metadata": {"name": "n"}}),
]


@pytest.mark.parametrize(("model", "old", "new"), [c[1:] for c in ALLOWED_UPDATES],
                         ids=[c[0] for c in ALLOWED_UPDATES])
def test_allowed_update(model: type, old: dict[str, Any], new: dict[str, Any]) -> None:
    assert causes(model, new, old) == []


def test_unknown_kind_has_no_causes() -> None:
    from tugboat.api.metrics import PodMetrics

    assert validate(PodMetrics()) == []


def test_generate_name_masks_trailing_dash() -> None:
    data = changed(PODS, ("metadata.generateName", "web-"), ("metadata.name", "web-x1y2z"))
    assert causes(Pod, data) == []


def test_a_refused_pod_update_does_not_echo_a_huge_spec() -> None:
    """ValidatePodUpdate names what changed, cut short: a 1 MB env value must not come back
    whole in the 422 of every update that touches it."""
    from tugboat.api import validation
    from tugboat.api.pod import Pod

    def big(value: str) -> Pod:
        return Pod.model_validate({"metadata": {"name": "p", "namespace": "d"}, "spec": {
            "containers": [{"name": "c", "image": "i", "env": [{"name": "A", "value": value}]}]}})
    causes = [c for c in validation.validate(big("y" * 1_000_000), big("x" * 1_000_000))
              if c.field == "spec"]
    assert len(causes) == 1 and "pod updates may not change" in (causes[0].message or "")
    assert len(causes[0].message or "") < 2000
