"""One valid object of every stored kind, named `seed` (namespaced ones in the fuzz
namespace), so that the fuzzer's reads and writes of a named object find something to act
on instead of answering 404 to nearly every case."""

from __future__ import annotations

from typing import Any

import httpx

from tugboat.api.resources import RESOURCES, ResourceInfo

Obj = dict[str, Any]
NAMESPACE = "fuzz"
NAME = "seed"
VICTIM_NAMESPACE = "fuzz-victim"  # the namespace the fuzzer may update and delete

_LABELS = {"app": NAME}
_POD_SPEC: Obj = {"containers": [{"name": "c", "image": "busybox"}]}
_TEMPLATE: Obj = {"metadata": {"labels": _LABELS}, "spec": _POD_SPEC}
_SELECTOR: Obj = {"matchLabels": _LABELS}
_RULES = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]
_SUBJECTS = [{"kind": "User", "name": NAME, "apiGroup": "rbac.authorization.k8s.io"}]

BODIES: dict[str, Obj] = {
    "namespaces": {},
    "pods": {"spec": _POD_SPEC},
    "nodes": {},
    "services": {"spec": {"ports": [{"port": 80}], "selector": _LABELS}},
    "endpoints": {"subsets": []},
    "endpointslices": {"addressType": "IPv4", "endpoints": []},
    "events": {"involvedObject": {"kind": "Pod", "name": NAME, "namespace": NAMESPACE},
               "reason": "Seeded", "message": "seeded for the fuzz suite"},
    "replicationcontrollers": {"spec": {"replicas": 1, "selector": _LABELS,
                                        "template": _TEMPLATE}},
    "configmaps": {"data": {"k": "v"}},
    "secrets": {"data": {"k": "dg=="}},
    "serviceaccounts": {},
    "replicasets": {"spec": {"replicas": 1, "selector": _SELECTOR, "template": _TEMPLATE}},
    "deployments": {"spec": {"replicas": 1, "selector": _SELECTOR, "template": _TEMPLATE}},
    "daemonsets": {"spec": {"selector": _SELECTOR, "template": _TEMPLATE}},
    "statefulsets": {"spec": {"replicas": 1, "serviceName": NAME, "selector": _SELECTOR,
                              "template": _TEMPLATE}},
    "jobs": {"spec": {"template": {"spec": {**_POD_SPEC, "restartPolicy": "Never"}}}},
    "cronjobs": {"spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {
        "spec": {**_POD_SPEC, "restartPolicy": "Never"}}}}}},
    "leases": {"spec": {"holderIdentity": NAME}},
    "roles": {"rules": _RULES},
    "clusterroles": {"rules": _RULES},
    "rolebindings": {"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                 "name": NAME}, "subjects": _SUBJECTS},
    "clusterrolebindings": {"roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                        "kind": "ClusterRole", "name": NAME},
                            "subjects": _SUBJECTS},
    "horizontalpodautoscalers": {"spec": {"scaleTargetRef": {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": NAME},
        "minReplicas": 1, "maxReplicas": 2}},
    "resourcequotas": {"spec": {"hard": {"pods": "10", "requests.cpu": "2"}}},
    "limitranges": {"spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"},
                                         "defaultRequest": {"cpu": "100m"}}]}},
    "poddisruptionbudgets": {"spec": {"minAvailable": 1, "selector": _SELECTOR}},
    "priorityclasses": {"value": 1000, "description": "seeded for the fuzz suite"},
    "customresourcedefinitions": {"spec": {
        "group": "fuzz.example.com", "scope": "Namespaced",
        "names": {"plural": "seeds", "kind": "Seed"},
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
            "openAPIV3Schema": {"type": "object", "properties": {"spec": {
                "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}},
}


def seeded() -> list[ResourceInfo]:
    """The resources that get a seed: every stored one that can be created."""
    return [r for r in RESOURCES if r.stored and "create" in r.verbs]


# A CRD's name is its plural and group: it cannot be `seed`.
_NAMES = {"namespaces": NAMESPACE, "customresourcedefinitions": "seeds.fuzz.example.com"}


def manifest(r: ResourceInfo) -> Obj:
    name = _NAMES.get(r.resource, NAME)
    return {"apiVersion": r.api_version, "kind": r.kind, "metadata": {"name": name},
            **BODIES[r.resource]}


def plant(http: httpx.Client, r: ResourceInfo) -> httpx.Response:
    """Create the seed of `r` (201), or find it there already (409)."""
    return http.post(r.path(NAMESPACE), json=manifest(r))


def plant_all(http: httpx.Client) -> None:
    for ns in (NAMESPACE, VICTIM_NAMESPACE):
        r = http.post("/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                  "metadata": {"name": ns}})
        assert r.status_code in (201, 409), r.text
    for r in seeded():
        resp = plant(http, r)
        assert resp.status_code in (201, 409), f"seed {r.resource}: {resp.text}"
