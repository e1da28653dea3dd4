"""Garbage in, never a 500 out: every field of a valid object of each kind is replaced in
turn by values of the wrong shape, then sent as a create, a replace and each patch type.
Every answer must be a Status below 500, and a rejected write must leave the stored object
as it was. (Kubernetes answers all of these with 400 or 422.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

Obj = dict[str, Any]
JUNK: list[Any] = [None, 5, -1, 1.5, "s", True, [], {}, [None], [5], [{}], {"a": None},
                   2 ** 70, "x" * 70000]
TEMPLATE = {"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i:1", "ports": [
                {"containerPort": 80}]}]}}
KINDS: dict[str, tuple[str, Obj]] = {
    "pods": ("/api/v1/namespaces/{ns}/pods", {"spec": TEMPLATE["spec"]}),
    "services": ("/api/v1/namespaces/{ns}/services",
                 {"spec": {"selector": {"a": "b"}, "ports": [{"port": 80, "targetPort": 8080}]}}),
    "configmaps": ("/api/v1/namespaces/{ns}/configmaps", {"data": {"a": "b"}}),
    "replicationcontrollers": ("/api/v1/namespaces/{ns}/replicationcontrollers", {
        "spec": {"replicas": 1, "selector": {"a": "b"}, "template": TEMPLATE}}),
    "deployments": ("/apis/apps/v1/namespaces/{ns}/deployments", {
        "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": TEMPLATE}}),
    "jobs": ("/apis/batch/v1/namespaces/{ns}/jobs", {"spec": {"template": {
        "spec": {**TEMPLATE["spec"], "restartPolicy": "Never"}}}}),
    "horizontalpodautoscalers": ("/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
                                 {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"},
                                           "minReplicas": 1, "maxReplicas": 2}}),
    "leases": ("/apis/coordination.k8s.io/v1/namespaces/{ns}/leases",
               {"spec": {"holderIdentity": "me", "leaseDurationSeconds": 10}}),
    "nodes": ("/api/v1/nodes", {"spec": {"unschedulable": False}}),
}


def mutations(obj: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(obj, dict):
        items: Any = obj.items()
    elif isinstance(obj, list):
        items = enumerate(obj)
    else:
        return
    for k, v in items:
        for j in JUNK:
            yield path + (k,), j
        yield from mutations(v, path + (k,))


def with_value(obj: Obj, path: tuple, value: Any) -> Obj:
    out = json.loads(json.dumps(obj))
    cur = out
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return out


def pointer(path: tuple) -> str:
    return "/" + "/".join(str(p) for p in path)


@pytest.mark.parametrize("kind", list(KINDS))
def test_wrong_shapes_never_500(client: httpx.Client, ns: str, name: str, kind: str) -> None:
    coll_t, spec = KINDS[kind]
    coll = coll_t.format(ns=ns)
    base = {"metadata": {"name": name, "labels": {"k": "v"}}, **spec}
    failures: list[str] = []

    def check(what: str, r: httpx.Response) -> None:
        ok = r.status_code < 500 and r.headers.get("content-type", "").startswith(
            "application/json")
        if r.status_code >= 400:
            ok = ok and r.json().get("kind") == "Status"
        if not ok:
            failures.append(f"{what} → {r.status_code} {r.text[:150]}")

    # creates: each one of a fresh name, so an accepted one does not hide the next
    for i, (path, junk) in enumerate(mutations(base)):
        if path[:2] == ("metadata", "name"):
            continue
        body = with_value(base, path, junk)
        if isinstance(body.get("metadata"), dict):
            body["metadata"]["name"] = f"{name}-{i}"
        check(f"POST {pointer(path)}={junk!r:.20}", client.post(coll, json=body))

    # updates of one stored object, in every encoding
    r = client.post(coll, json=base)
    assert r.status_code == 201, r.text
    url = f"{coll}/{name}"
    for path, junk in mutations(base):
        if path[:2] == ("metadata", "name"):
            continue
        before = client.get(url).json()
        body = with_value(base, path, junk)
        attempts = [
            ("PUT", "application/json", body),
            ("PATCH", "application/merge-patch+json", body),
            ("PATCH", "application/strategic-merge-patch+json", body),
            ("PATCH", "application/apply-patch+yaml", body),
            ("PATCH", "application/json-patch+json",
             [{"op": "replace", "path": pointer(path), "value": junk}]),
        ]
        for method, ct, payload in attempts:
            r = client.request(method, url, content=json.dumps(payload).encode(),
                               headers={"Content-Type": ct})
            what = f"{method} {ct.split('/')[1]} {pointer(path)}={junk!r:.20}"
            check(what, r)
            if r.status_code >= 400:
                after = client.get(url).json()
                if after != before:
                    failures.append(f"{what} → {r.status_code} but the object changed")
            else:
                before = client.get(url).json()
    assert not failures, f"{len(failures)} bad answers, e.g.:\n" + "\n".join(failures[:12])
