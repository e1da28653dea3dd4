"""The official Python client's typed calls for every served type: create, read, list,
patch (merge, strategic merge, JSON patch), replace and delete, each answer decoded into
the client's own (strict) model as its return type says — a delete of a type whose
storage answers a Status decodes as V1Status, of a pod, service, service account or
namespace as the object. One parametrized test over the resource table, so a newly
served type without a case here fails rather than goes untested."""

from __future__ import annotations

import re
from typing import Any

import pytest
from kubernetes import client

from tugboat.api.resources import RESOURCES, ResourceInfo

Obj = dict[str, Any]
REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}


def _template(labels: dict[str, str], restart: str = "Always") -> Obj:
    return {"metadata": {"labels": labels},
            "spec": {"restartPolicy": restart,
                     "containers": [{"name": "main", "image": "nginx:1.25"}]}}


def _workload(labels: dict[str, str]) -> Obj:
    return {"selector": {"matchLabels": labels}, "template": _template(labels)}


# resource (group/resource) -> the body of a valid object, without metadata.name
BODIES: dict[str, Obj] = {
    "namespaces": {},
    "pods": {"spec": {"containers": [{"name": "main", "image": "nginx:1.25"}]}},
    "nodes": {},
    "services": {"spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}},
    "endpoints": {"subsets": [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 80}]}]},
    "events": {"involvedObject": {"kind": "Pod", "name": "web", "apiVersion": "v1"},
               "reason": "Testing", "message": "typed", "type": "Normal",
               "source": {"component": "compat"}},
    "replicationcontrollers": {"spec": {"replicas": 0, "selector": {"app": "rc"},
                                        "template": _template({"app": "rc"})}},
    "configmaps": {"data": {"k": "v"}},
    "secrets": {"stringData": {"k": "v"}},
    "serviceaccounts": {},
    "apps/replicasets": {"spec": {"replicas": 0, **_workload({"app": "rs"})}},
    "apps/deployments": {"spec": {"replicas": 0, **_workload({"app": "dep"})}},
    "apps/daemonsets": {"spec": _workload({"app": "ds"})},
    "apps/statefulsets": {"spec": {"replicas": 0, "serviceName": "sts",
                                   **_workload({"app": "sts"})}},
    "batch/jobs": {"spec": {"suspend": True, "template": _template({"job": "j"}, "Never")}},
    "discovery.k8s.io/endpointslices": {"addressType": "IPv4", "endpoints": [
        {"addresses": ["10.1.2.3"]}], "ports": [{"port": 80, "protocol": "TCP"}]},
    "coordination.k8s.io/leases": {"spec": {"holderIdentity": "me",
                                            "leaseDurationSeconds": 15}},
    "rbac.authorization.k8s.io/roles": {"rules": [{"apiGroups": [""], "resources": ["pods"],
                                                   "verbs": ["get"]}]},
    "rbac.authorization.k8s.io/clusterroles": {"rules": [{"apiGroups": [""],
                                                          "resources": ["pods"],
                                                          "verbs": ["get"]}]},
    "rbac.authorization.k8s.io/rolebindings": {
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "view"},
        "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}]},
    "rbac.authorization.k8s.io/clusterrolebindings": {
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "view"},
        "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}]},
    "autoscaling/v2/horizontalpodautoscalers": {"spec": {
        "scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 3, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": 70}}}]}},
    "autoscaling/v1/horizontalpodautoscalers": {"spec": {
        "scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 3,
        "targetCPUUtilizationPercentage": 70}},
    "batch/cronjobs": {"spec": {"schedule": "@hourly", "suspend": True, "jobTemplate": {
        "spec": {"template": _template({"job": "cj"}, "Never")}}}},
    "resourcequotas": {"spec": {"hard": {"configmaps": "100"}}},
    "limitranges": {"spec": {"limits": [{"type": "Container", "max": {"cpu": "64"}}]}},
    "policy/poddisruptionbudgets": {"spec": {"minAvailable": 1,
                                             "selector": {"matchLabels": {"app": "pdb"}}}},
    "scheduling.k8s.io/priorityclasses": {"value": 10, "description": "typed"},
}
# The storages that answer a delete with the object (ReturnDeletedObject) — the client
# types those deletes so; every other delete answers a Status.
RETURNS_OBJECT = {"pods": client.V1Pod, "services": client.V1Service,
                  "serviceaccounts": client.V1ServiceAccount,
                  "resourcequotas": client.V1ResourceQuota}


def _key(r: ResourceInfo) -> str:
    if r.group == "autoscaling":
        return f"{r.group}/{r.version}/{r.resource}"
    return f"{r.group}/{r.resource}" if r.group else r.resource


# A CRD's name is <plural>.<group>, so it cannot take this test's names: the typed calls of
# ApiextensionsV1Api are in test_python_customresources.py.
SERVED = [r for r in RESOURCES if r.stored and "create" in r.verbs
          and r.resource != "customresourcedefinitions"]


def _snake(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def _api(api_client: client.ApiClient, r: ResourceInfo) -> Any:
    group = r.group.removesuffix(".k8s.io")
    name = "".join(p.capitalize() for p in group.split(".")) if group else "Core"
    return getattr(client, f"{name}{r.version.capitalize()}Api")(api_client)


class Typed:
    """The client's methods for one resource: create_namespaced_config_map(ns, body) or
    create_node(body), and so on."""

    def __init__(self, api: Any, r: ResourceInfo, ns: str):
        self.api, self.r, self.ns = api, r, ns
        self.kind = _snake(r.kind)

    def call(self, verb: str, *args: Any, **kw: Any) -> Any:
        if self.r.namespaced:
            return getattr(self.api, f"{verb}_namespaced_{self.kind}")(
                *args[:1], self.ns, *args[1:], **kw) if verb not in ("create", "list") \
                else getattr(self.api, f"{verb}_namespaced_{self.kind}")(self.ns, *args, **kw)
        return getattr(self.api, f"{verb}_{self.kind}")(*args, **kw)


def _model(r: ResourceInfo) -> type:
    name = f"{r.version.capitalize()}{r.kind}"
    return getattr(client, name, None) or getattr(client, f"Core{name}")  # CoreV1Event


def test_every_served_type_has_a_case() -> None:
    assert sorted(_key(r) for r in SERVED) == sorted(BODIES)


@pytest.mark.parametrize("info", SERVED, ids=_key)
def test_typed_calls(api_client: client.ApiClient, ns: str, info: ResourceInfo) -> None:
    typed = Typed(_api(api_client, info), info, ns)
    model = _model(info)
    name = "typed" if info.namespaced else f"{ns}-typed"
    body = {"apiVersion": info.api_version, "kind": info.kind,
            "metadata": {"name": name, "labels": {"app": "typed"}}, **BODIES[_key(info)]}
    if info.resource == "events":  # an event is about an object of its own namespace
        body["involvedObject"] = {**body["involvedObject"], "namespace": ns}

    made = typed.call("create", body)
    assert isinstance(made, model), type(made)
    assert made.metadata.name == name and made.metadata.uid

    got = typed.call("read", name)
    assert isinstance(got, model) and got.metadata.uid == made.metadata.uid

    listed = typed.call("list", label_selector="app=typed") if info.namespaced else \
        typed.call("list", field_selector=f"metadata.name={name}")
    assert [i.metadata.name for i in listed.items] == [name]
    assert isinstance(listed.items[0], model)

    merged = typed.call("patch", name, {"metadata": {"labels": {"merge": "yes"}}},
                        _content_type="application/merge-patch+json")
    assert isinstance(merged, model) and merged.metadata.labels["merge"] == "yes"
    strategic = typed.call("patch", name, {"metadata": {"labels": {"smp": "yes"}}},
                           _content_type="application/strategic-merge-patch+json")
    assert strategic.metadata.labels["smp"] == "yes"
    jsonpatch = typed.call("patch", name, [{"op": "add", "path": "/metadata/labels/jp",
                                            "value": "yes"}],
                           _content_type="application/json-patch+json")
    assert {"app": "typed", "merge": "yes", "smp": "yes",
            "jp": "yes"}.items() <= jsonpatch.metadata.labels.items()

    cur = typed.call("read", name)
    cur.metadata.labels["replaced"] = "yes"
    replaced = typed.call("replace", name, cur)
    assert isinstance(replaced, model) and replaced.metadata.labels["replaced"] == "yes"

    gone = typed.call("delete", name)
    if info.resource in RETURNS_OBJECT and not info.group:
        assert isinstance(gone, RETURNS_OBJECT[info.resource]), type(gone)
        assert gone.metadata.uid == made.metadata.uid
    elif info.resource == "namespaces":  # a namespace lingers, Terminating, until emptied
        assert gone["kind"] == "Namespace" and gone["status"]["phase"] == "Terminating"
    else:  # a Status, decoded as whatever the client's return type is
        status = gone if isinstance(gone, dict) else gone.to_dict()
        assert status["kind"] == "Status" and status["status"] == "Success", status
        assert status["details"]["name"] == name
        assert status["details"]["kind"] == info.resource
