"""PATCH in its four content types (merge, JSON patch, strategic merge, server-side apply),
patch preconditions, and dryRun=All on every write verb."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from tests.integration.kube import (
    assert_status,
    configmap,
    container,
    deployment,
    pod,
    rv,
)

Obj = dict[str, Any]
MERGE = {"Content-Type": "application/merge-patch+json"}
JSONPATCH = {"Content-Type": "application/json-patch+json"}
STRATEGIC = {"Content-Type": "application/strategic-merge-patch+json"}
APPLY = {"Content-Type": "application/apply-patch+yaml"}


def patch(client: httpx.Client, url: str, body: Any, headers: dict[str, str],
          **params: str) -> httpx.Response:
    return client.patch(url, content=json.dumps(body).encode(), headers=headers, params=params)


@pytest.fixture
def deploy(client: httpx.Client, ns: str) -> str:
    d = deployment("web")
    d["spec"]["template"]["spec"]["containers"] = [
        container("a", "busybox:1", env=[{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
                  ports=[{"containerPort": 80}]),
        container("b", "nginx:1.25")]
    d["metadata"]["labels"] = {"tier": "front", "keep": "me"}
    r = client.post(f"/apis/apps/v1/namespaces/{ns}/deployments", json=d)
    assert r.status_code == 201, r.text
    return f"/apis/apps/v1/namespaces/{ns}/deployments/web"


def containers_of(obj: Obj) -> list[Obj]:
    return obj["spec"]["template"]["spec"]["containers"]


def test_merge_patch(client: httpx.Client, deploy: str) -> None:
    before = client.get(deploy).json()
    r = patch(client, deploy, {"metadata": {"labels": {"tier": None, "new": "x"}},
                               "spec": {"replicas": 4}}, MERGE)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["metadata"]["labels"] == {"keep": "me", "new": "x"}
    assert got["spec"]["replicas"] == 4
    assert rv(got) > rv(before)
    assert got["metadata"]["generation"] == 2
    # a merge patch replaces lists wholesale
    r = patch(client, deploy, {"spec": {"template": {"spec": {"containers": [
        {"name": "only", "image": "redis:7"}]}}}}, MERGE)
    assert r.status_code == 200, r.text
    assert [c["name"] for c in containers_of(r.json())] == ["only"]
    assert client.get(deploy).json() == r.json()


def test_json_patch(client: httpx.Client, deploy: str) -> None:
    ops = [{"op": "test", "path": "/spec/replicas", "value": 1},
           {"op": "replace", "path": "/spec/replicas", "value": 2},
           {"op": "add", "path": "/metadata/labels/added", "value": "yes"},
           {"op": "remove", "path": "/metadata/labels/tier"},
           {"op": "add", "path": "/spec/template/spec/containers/-",
            "value": {"name": "c", "image": "redis:7"}}]
    r = patch(client, deploy, ops, JSONPATCH)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["spec"]["replicas"] == 2
    assert got["metadata"]["labels"] == {"keep": "me", "added": "yes"}
    assert [c["name"] for c in containers_of(got)] == ["a", "b", "c"]
    assert containers_of(got)[2]["imagePullPolicy"] == "IfNotPresent"  # defaulted


def test_json_patch_failures_are_client_errors(client: httpx.Client, deploy: str) -> None:
    before = client.get(deploy).json()
    failing = [
        [{"op": "test", "path": "/spec/replicas", "value": 99},
         {"op": "replace", "path": "/spec/replicas", "value": 5}],
        [{"op": "remove", "path": "/metadata/labels/absent"}],
        [{"op": "replace", "path": "/spec/nope/deeper", "value": 1}],
        [{"op": "frobnicate", "path": "/spec/replicas"}],
        [{"op": "add"}],
    ]
    for ops in failing:
        r = patch(client, deploy, ops, JSONPATCH)
        assert r.status_code == 422, (ops, r.status_code, r.text)
        assert_status(r, 422)
    # not a list of operations
    assert_status(patch(client, deploy, {"op": "add"}, JSONPATCH), 400)
    assert client.get(deploy).json() == before


def test_strategic_merge_containers_merge_by_name(client: httpx.Client, deploy: str) -> None:
    body = {"spec": {"template": {"spec": {"containers": [
        {"name": "b", "image": "nginx:1.27"},
        {"name": "a", "env": [{"name": "Y", "value": "changed"}, {"name": "Z", "value": "3"}]},
    ]}}}}
    r = patch(client, deploy, body, STRATEGIC)
    assert r.status_code == 200, r.text
    cs = {c["name"]: c for c in containers_of(r.json())}
    assert set(cs) == {"a", "b"}
    assert cs["b"]["image"] == "nginx:1.27"
    assert cs["a"]["image"] == "busybox:1"  # untouched fields stay
    assert cs["a"]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    env = {e["name"]: e["value"] for e in cs["a"]["env"]}
    assert env == {"X": "1", "Y": "changed", "Z": "3"}


def test_strategic_merge_ports_merge_by_container_port(client: httpx.Client,
                                                      deploy: str) -> None:
    body = {"spec": {"template": {"spec": {"containers": [
        {"name": "a", "ports": [{"containerPort": 80, "name": "http"},
                                {"containerPort": 443, "name": "https"}]}]}}}}
    r = patch(client, deploy, body, STRATEGIC)
    assert r.status_code == 200, r.text
    a = next(c for c in containers_of(r.json()) if c["name"] == "a")
    ports = {p["containerPort"]: p for p in a["ports"]}
    assert set(ports) == {80, 443}
    assert ports[80]["name"] == "http" and ports[80]["protocol"] == "TCP"
    assert len(a["env"]) == 2  # untouched lists stay


def test_strategic_merge_patch_delete_and_element_order(client: httpx.Client,
                                                        deploy: str) -> None:
    # what kubectl apply sends (COMPAT §6)
    body = {"metadata": {"labels": {"tier": None}},
            "spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "a"}],
                "containers": [{"env": None, "image": "busybox:2", "name": "a"},
                               {"$patch": "delete", "name": "b"}]}}}}
    r = patch(client, deploy, body, STRATEGIC)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["metadata"]["labels"] == {"keep": "me"}
    cs = containers_of(got)
    assert [c["name"] for c in cs] == ["a"]
    assert cs[0]["image"] == "busybox:2" and "env" not in cs[0]
    text = json.dumps(got)
    assert "$setElementOrder" not in text and "$patch" not in text
    assert client.get(deploy).json() == got

    # without $setElementOrder, patch items come before server-only ones (Kubernetes'
    # mergeSortedSlice); with it, the merged list takes the given order
    r = patch(client, deploy, {"spec": {"template": {"spec": {"containers": [
        {"name": "z", "image": "redis:7"}]}}}}, STRATEGIC)
    assert [c["name"] for c in containers_of(r.json())] == ["z", "a"]
    r = patch(client, deploy, {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "a"}, {"name": "z"}],
        "containers": [{"name": "z", "image": "redis:8"}]}}}}, STRATEGIC)
    assert r.status_code == 200, r.text
    assert [c["name"] for c in containers_of(r.json())] == ["a", "z"]
    assert containers_of(r.json())[1]["image"] == "redis:8"
    assert "$setElementOrder" not in json.dumps(r.json())


def test_server_side_apply_creates_then_merges(client: httpx.Client, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/configmaps/applied"
    doc = (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n"
           b"  labels: {app: web}\ndata:\n  a: '1'\n")
    r = client.patch(url, content=doc, headers=APPLY,
                     params={"fieldManager": "kubectl", "force": "false"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["data"] == {"a": "1"} and created["metadata"]["uid"]
    # JSON is YAML, as kubectl sends it
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"},
            "data": {"b": "2"}}
    r = patch(client, url, body, APPLY, fieldManager="kubectl")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["data"]["b"] == "2"
    assert got["metadata"]["uid"] == created["metadata"]["uid"]
    assert rv(got) > rv(created)
    assert client.get(url).json()["data"]["b"] == "2"


def test_server_side_apply_deployment(client: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/ssa"
    d = deployment("ssa")
    r = patch(client, url, d, {"Content-Type": "application/apply-patch+yaml"},
              fieldManager="me")
    assert r.status_code == 201, r.text
    assert r.json()["metadata"]["generation"] == 1
    d["spec"]["replicas"] = 3
    r = patch(client, url, d, APPLY, fieldManager="me")
    assert r.status_code == 200, r.text
    assert r.json()["spec"]["replicas"] == 3 and r.json()["metadata"]["generation"] == 2


def test_server_side_apply_name_mismatch(client: httpx.Client, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/configmaps/one"
    assert_status(patch(client, url, configmap("two"), APPLY, fieldManager="me"), 400)
    assert_status(client.get(url), 404)


def test_patch_of_missing_object_is_not_found(client: httpx.Client, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/configmaps/missing"
    assert_status(patch(client, url, {"data": {"a": "b"}}, MERGE), 404, "NotFound")
    assert_status(patch(client, url, {"data": {"a": "b"}}, STRATEGIC), 404, "NotFound")
    assert_status(client.get(url), 404)


def test_patch_with_stale_resource_version_conflicts(client: httpx.Client, deploy: str) -> None:
    old = client.get(deploy).json()
    assert patch(client, deploy, {"spec": {"replicas": 2}}, MERGE).status_code == 200
    current = client.get(deploy).json()
    for headers in (MERGE, STRATEGIC):
        r = patch(client, deploy, {"metadata": {"resourceVersion": old["metadata"][
            "resourceVersion"]}, "spec": {"replicas": 7}}, headers)
        assert_status(r, 409, "Conflict")
    assert client.get(deploy).json() == current
    # the current resourceVersion is accepted
    r = patch(client, deploy, {"metadata": {"resourceVersion": current["metadata"][
        "resourceVersion"]}, "spec": {"replicas": 7}}, MERGE)
    assert r.status_code == 200 and r.json()["spec"]["replicas"] == 7


def test_patch_status_subresource(client: httpx.Client, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/pods/p"
    assert client.post(f"/api/v1/namespaces/{ns}/pods", json=pod("p")).status_code == 201
    r = patch(client, url + "/status", {"status": {"phase": "Running"},
                                        "metadata": {"labels": {"ignored": "yes"}}}, MERGE)
    assert r.status_code == 200, r.text
    got = client.get(url).json()
    assert got["status"]["phase"] == "Running"
    assert "ignored" not in (got["metadata"].get("labels") or {})
    r = patch(client, url, {"status": {"phase": "Failed"}}, MERGE)
    assert r.status_code == 200
    assert client.get(url).json()["status"]["phase"] == "Running"


# -- dryRun=All --------------------------------------------------------------------------

def test_dry_run_create(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/pods"
    r = client.post(coll, params={"dryRun": "All"}, json=pod("dry", container("c", "nginx")))
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["kind"] == "Pod" and got["metadata"]["name"] == "dry"
    assert got["metadata"]["namespace"] == ns
    assert got["spec"]["containers"][0]["imagePullPolicy"] == "Always"  # defaults applied
    assert got["spec"]["restartPolicy"] == "Always"
    assert_status(client.get(f"{coll}/dry"), 404)
    assert client.get(coll).json()["items"] == []
    # validation still runs
    bad = {"metadata": {"name": "dry"}, "spec": {"containers": [{"name": "c"}]}}
    assert_status(client.post(coll, params={"dryRun": "All"}, json=bad), 422, "Invalid")


def test_dry_run_create_of_existing_conflicts(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    assert client.post(coll, json=configmap("x", a="1")).status_code == 201
    assert_status(client.post(coll, params={"dryRun": "All"}, json=configmap("x", a="2")),
                  409, "AlreadyExists")


def test_dry_run_update_patch_delete(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    url = f"{coll}/dry"
    assert client.post(coll, json=configmap("dry", a="1")).status_code == 201
    stored = client.get(url).json()

    upd = copy.deepcopy(stored)
    upd["data"] = {"a": "put"}
    r = client.put(url, params={"dryRun": "All"}, json=upd)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"a": "put"} and r.json()["metadata"]["uid"] == stored[
        "metadata"]["uid"]
    assert client.get(url).json() == stored

    for body, headers in (({"data": {"a": "merge"}}, MERGE),
                          ([{"op": "replace", "path": "/data/a", "value": "json"}], JSONPATCH),
                          ({"data": {"a": "smp"}}, STRATEGIC),
                          (configmap("dry", a="apply"), APPLY)):
        r = patch(client, url, body, headers, dryRun="All",  # apply takes the creator's field
                  **({"fieldManager": "me", "force": "true"} if headers is APPLY else {}))
        assert r.status_code == 200, r.text
        assert r.json()["data"]["a"] != "1", (headers, r.json())
        assert client.get(url).json() == stored, headers

    r = client.delete(url, params={"dryRun": "All"})
    assert r.status_code == 200, r.text
    assert r.json()["details"]["name"] == "dry"  # the Status a removal answers
    assert client.get(url).json() == stored

    # server-side apply of an absent object under dryRun creates nothing
    r = patch(client, f"{coll}/ghost", configmap("ghost"), APPLY, dryRun="All",
              fieldManager="me")
    assert r.status_code == 201, r.text
    assert_status(client.get(f"{coll}/ghost"), 404)


def test_dry_run_graceful_delete_of_bound_pod(client: httpx.Client, ns: str) -> None:
    from tests.integration.kube import bind

    coll = f"/api/v1/namespaces/{ns}/pods"
    assert client.post(coll, json=pod("bound")).status_code == 201
    assert bind(client, ns, "bound").status_code == 201
    stored = client.get(f"{coll}/bound").json()
    r = client.delete(f"{coll}/bound", params={"dryRun": "All"})
    assert r.status_code == 200, r.text
    assert client.get(f"{coll}/bound").json() == stored
