"""CRUD over HTTP on several kinds: server-set metadata, defaulting, optimistic concurrency,
generateName, type-meta defaulting, namespace rules, generation and the status rule."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.integration.kube import (
    RFC3339,
    UID,
    assert_status,
    configmap,
    container,
    deployment,
    job,
    pod,
    rv,
)

Obj = dict[str, Any]

# (collection path template, kind, apiVersion, a valid body without metadata.name)
KINDS: dict[str, tuple[str, str, str, Obj]] = {
    "pods": ("/api/v1/namespaces/{ns}/pods", "Pod", "v1",
             {"spec": {"containers": [container()]}}),
    "services": ("/api/v1/namespaces/{ns}/services", "Service", "v1",
                 {"spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
    "configmaps": ("/api/v1/namespaces/{ns}/configmaps", "ConfigMap", "v1",
                   {"data": {"k": "v"}}),
    "nodes": ("/api/v1/nodes", "Node", "v1", {"spec": {}}),
    "deployments": ("/apis/apps/v1/namespaces/{ns}/deployments", "Deployment", "apps/v1",
                    {"spec": deployment("web")["spec"]}),
    "jobs": ("/apis/batch/v1/namespaces/{ns}/jobs", "Job", "batch/v1",
             {"spec": job("j")["spec"]}),
    "leases": ("/apis/coordination.k8s.io/v1/namespaces/{ns}/leases", "Lease",
               "coordination.k8s.io/v1", {"spec": {"holderIdentity": "me",
                                                   "leaseDurationSeconds": 15}}),
    "hpa": ("/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
            "HorizontalPodAutoscaler", "autoscaling/v2",
            {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                         "name": "web"}, "minReplicas": 1, "maxReplicas": 3}}),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_crud_lifecycle(client: httpx.Client, ns: str, name: str, kind: str) -> None:
    coll_t, kind_name, api_version, body = KINDS[kind]
    coll = coll_t.format(ns=ns)
    obj = {"apiVersion": api_version, "kind": kind_name, "metadata": {"name": name},
           **copy.deepcopy(body)}

    r = client.post(coll, json=obj)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["kind"] == kind_name and created["apiVersion"] == api_version
    m = created["metadata"]
    assert m["name"] == name
    assert UID.match(m["uid"]), m
    assert RFC3339.match(m["creationTimestamp"]), m
    assert isinstance(m["resourceVersion"], str) and m["resourceVersion"].isdigit()
    if "{ns}" in coll_t:
        assert m["namespace"] == ns
    else:
        assert "namespace" not in m

    r = client.get(f"{coll}/{name}")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["kind"] == kind_name and got["apiVersion"] == api_version
    assert got["metadata"]["uid"] == m["uid"]
    assert got["metadata"]["resourceVersion"] == m["resourceVersion"]

    r = client.get(coll)
    assert r.status_code == 200, r.text
    lst = r.json()
    assert lst["kind"] == kind_name + "List" and lst["apiVersion"] == api_version
    assert isinstance(lst["items"], list)
    assert isinstance(lst["metadata"]["resourceVersion"], str)
    assert int(lst["metadata"]["resourceVersion"]) >= rv(created)
    assert name in [i["metadata"]["name"] for i in lst["items"]]

    # update with the current resourceVersion
    upd = copy.deepcopy(got)
    upd["metadata"].setdefault("labels", {})["step"] = "one"
    r = client.put(f"{coll}/{name}", json=upd)
    assert r.status_code == 200, r.text
    one = r.json()
    assert one["metadata"]["labels"]["step"] == "one"
    assert rv(one) > rv(got)
    assert one["metadata"]["uid"] == m["uid"]
    assert one["metadata"]["creationTimestamp"] == m["creationTimestamp"]

    # the same (now stale) resourceVersion again: 409 Conflict, nothing written
    upd["metadata"]["labels"]["step"] = "stale"
    assert_status(client.put(f"{coll}/{name}", json=upd), 409, "Conflict")
    assert client.get(f"{coll}/{name}").json()["metadata"]["labels"]["step"] == "one"

    # without a resourceVersion the update is unconditional
    upd["metadata"].pop("resourceVersion")
    upd["metadata"]["labels"]["step"] = "two"
    r = client.put(f"{coll}/{name}", json=upd)
    assert r.status_code == 200, r.text
    two = r.json()
    assert two["metadata"]["labels"]["step"] == "two" and rv(two) > rv(one)

    r = client.request("DELETE", f"{coll}/{name}", json={"propagationPolicy": "Background"})
    assert r.status_code == 200, r.text
    gone = r.json()
    if kind in ("pods", "services"):  # their storage returns the deleted object
        assert gone["kind"] == kind_name and gone["metadata"]["name"] == name
        assert gone["metadata"]["uid"] == m["uid"]
    else:  # the rest a Status naming it (details.kind is the resource, as Kubernetes')
        assert gone["kind"] == "Status" and gone["status"] == "Success", gone
        assert gone["details"]["name"] == name and gone["details"]["uid"] == m["uid"]
        assert gone["details"]["kind"] == coll.rsplit("/", 1)[1]
    assert_status(client.get(f"{coll}/{name}"), 404, "NotFound")
    assert_status(client.request("DELETE", f"{coll}/{name}"), 404, "NotFound")


def test_pod_defaults(client: httpx.Client, ns: str) -> None:
    probe = {"httpGet": {"path": "/healthz", "port": 80}}
    body = pod("defaults",
               container("notag", "nginx"),
               container("latest", "nginx:latest"),
               container("pinned", "nginx:1.25", livenessProbe=probe, readinessProbe=probe),
               container("digest", "nginx@sha256:" + "a" * 64),
               container("explicit", "nginx:latest", imagePullPolicy="Never"))
    r = client.post(f"/api/v1/namespaces/{ns}/pods", json=body)
    assert r.status_code == 201, r.text
    for got in (r.json(), client.get(f"/api/v1/namespaces/{ns}/pods/defaults").json()):
        spec = got["spec"]
        assert spec["restartPolicy"] == "Always"
        assert spec["terminationGracePeriodSeconds"] == 30
        policies = {c["name"]: c["imagePullPolicy"] for c in spec["containers"]}
        assert policies == {"notag": "Always", "latest": "Always", "pinned": "IfNotPresent",
                            "digest": "IfNotPresent", "explicit": "Never"}
        pinned = spec["containers"][2]
        for which in ("livenessProbe", "readinessProbe"):
            p = pinned[which]
            assert (p["periodSeconds"], p["timeoutSeconds"], p["successThreshold"],
                    p["failureThreshold"]) == (10, 1, 1, 3), p
        assert got["status"]["phase"] == "Pending"
        assert got["metadata"]["generation"] == 1


def test_duplicate_create_is_already_exists(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    first = client.post(coll, json=configmap("dup", a="1"))
    assert first.status_code == 201
    body = assert_status(client.post(coll, json=configmap("dup", a="2")), 409, "AlreadyExists")
    assert body["details"]["name"] == "dup"
    assert client.get(f"{coll}/dup").json()["data"] == {"a": "1"}


def test_generate_name(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    made = set()
    for _ in range(3):
        r = client.post(coll, json={"metadata": {"generateName": "web-"}, "data": {}})
        assert r.status_code == 201, r.text
        n = r.json()["metadata"]["name"]
        assert n.startswith("web-") and len(n) > len("web-"), n
        assert r.json()["metadata"]["generateName"] == "web-"
        assert client.get(f"{coll}/{n}").status_code == 200
        made.add(n)
    assert len(made) == 3


@pytest.mark.parametrize("path,body,kind,api_version", [
    ("/api/v1/namespaces/{ns}/configmaps", {"metadata": {"name": "x"}, "data": {"a": "b"}},
     "ConfigMap", "v1"),
    ("/apis/apps/v1/namespaces/{ns}/deployments",
     {"metadata": {"name": "x"}, "spec": deployment("x")["spec"]}, "Deployment", "apps/v1"),
])
def test_type_meta_defaulted_when_missing(client: httpx.Client, ns: str, path: str, body: Obj,
                                          kind: str, api_version: str) -> None:
    r = client.post(path.format(ns=ns), json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["apiVersion"]) == (kind, api_version)
    got = client.get(path.format(ns=ns) + "/x").json()
    assert (got["kind"], got["apiVersion"]) == (kind, api_version)


def test_body_of_another_kind_is_rejected(client: httpx.Client, ns: str) -> None:
    body = configmap("wrongkind")
    body["kind"] = "Secret"
    assert_status(client.post(f"/api/v1/namespaces/{ns}/configmaps", json=body), 400,
                  "BadRequest")
    assert_status(client.get(f"/api/v1/namespaces/{ns}/configmaps/wrongkind"), 404)


def test_body_namespace_mismatch_is_bad_request(client: httpx.Client, ns: str) -> None:
    body = configmap("mismatch")
    body["metadata"]["namespace"] = "default"
    assert_status(client.post(f"/api/v1/namespaces/{ns}/configmaps", json=body), 400,
                  "BadRequest")
    assert_status(client.get(f"/api/v1/namespaces/{ns}/configmaps/mismatch"), 404)
    assert_status(client.get("/api/v1/namespaces/default/configmaps/mismatch"), 404)
    # a matching namespace in the body is fine
    body["metadata"]["namespace"] = ns
    assert client.post(f"/api/v1/namespaces/{ns}/configmaps", json=body).status_code == 201


def test_update_body_namespace_mismatch_is_bad_request(client: httpx.Client, ns: str) -> None:
    """Kubernetes' BeforeUpdate: "the namespace of the provided object does not match the
    namespace sent on the request" (400) — on PUT and on a patch that changes it."""
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    assert client.post(coll, json=configmap("m", k="1")).status_code == 201
    cur = client.get(f"{coll}/m").json()
    upd = copy.deepcopy(cur)
    upd["metadata"]["namespace"] = "default"
    upd["data"] = {"k": "2"}
    assert_status(client.put(f"{coll}/m", json=upd), 400, "BadRequest")
    r = client.patch(f"{coll}/m", content=b'{"metadata":{"namespace":"default"},"data":{"k":"3"}}',
                     headers={"Content-Type": "application/merge-patch+json"})
    assert_status(r, 400, "BadRequest")
    assert client.get(f"{coll}/m").json() == cur
    assert_status(client.get("/api/v1/namespaces/default/configmaps/m"), 404)


def test_create_in_unknown_namespace_is_namespace_not_found(client: httpx.Client,
                                                           name: str) -> None:
    r = client.post(f"/api/v1/namespaces/{name}/configmaps", json=configmap("x"))
    body = assert_status(r, 404, "NotFound")
    assert body["details"]["kind"] == "namespaces", body
    assert body["details"]["name"] == name, body
    assert f'namespaces "{name}" not found' in body["message"]


def test_create_in_terminating_namespace_is_forbidden(client: httpx.Client, ns: str) -> None:
    assert client.post(f"/api/v1/namespaces/{ns}/configmaps",
                       json=configmap("before")).status_code == 201
    r = client.delete(f"/api/v1/namespaces/{ns}")
    assert r.status_code == 200, r.text
    body = assert_status(client.post(f"/api/v1/namespaces/{ns}/configmaps",
                                     json=configmap("after")), 403, "Forbidden")
    assert "being terminated" in body["message"]
    assert_status(client.get(f"/api/v1/namespaces/{ns}/configmaps/after"), 404)
    # existing content is still readable
    assert client.get(f"/api/v1/namespaces/{ns}/configmaps/before").status_code == 200


def test_namespace_delete_marks_terminating(client: httpx.Client, name: str) -> None:
    r = client.post("/api/v1/namespaces", json={"metadata": {"name": name}})
    assert r.status_code == 201
    assert r.json()["status"]["phase"] == "Active"
    r = client.delete(f"/api/v1/namespaces/{name}")
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "Namespace"
    got = client.get(f"/api/v1/namespaces/{name}").json()
    assert got["status"]["phase"] == "Terminating"
    assert RFC3339.match(got["metadata"]["deletionTimestamp"])
    assert got["spec"]["finalizers"] == ["kubernetes"]
    # the namespace controller's last step: clearing spec.finalizers through /finalize
    got["spec"]["finalizers"] = []
    r = client.put(f"/api/v1/namespaces/{name}/finalize", json=got)
    assert r.status_code == 200, r.text
    assert_status(client.get(f"/api/v1/namespaces/{name}"), 404)


@pytest.mark.parametrize("protected", ["default", "kube-system"])
def test_deleting_protected_namespace_is_forbidden(client: httpx.Client,
                                                   protected: str) -> None:
    assert_status(client.delete(f"/api/v1/namespaces/{protected}"), 403, "Forbidden")
    got = client.get(f"/api/v1/namespaces/{protected}").json()
    assert got["status"]["phase"] == "Active"
    assert "deletionTimestamp" not in got["metadata"]


# -- generation and status ---------------------------------------------------------------

def test_generation_moves_on_spec_changes_only(client: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/gen"
    r = client.post(f"/apis/apps/v1/namespaces/{ns}/deployments", json=deployment("gen"))
    assert r.status_code == 201
    d = r.json()
    assert d["metadata"]["generation"] == 1

    d["spec"]["replicas"] = 3
    d = client.put(url, json=d).json()
    assert d["metadata"]["generation"] == 2 and d["spec"]["replicas"] == 3

    d["metadata"]["labels"] = {"only": "metadata"}
    d["metadata"]["annotations"] = {"a": "b"}
    d = client.put(url, json=d).json()
    assert d["metadata"]["generation"] == 2 and d["metadata"]["labels"] == {"only": "metadata"}

    r = client.patch(url, content=b'{"metadata":{"labels":{"more":"x"}}}',
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200 and r.json()["metadata"]["generation"] == 2

    d = client.get(url).json()
    d["status"] = {"observedGeneration": 2, "replicas": 3}
    r = client.put(url + "/status", json=d)
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["generation"] == 2
    assert r.json()["status"]["observedGeneration"] == 2

    r = client.patch(url, content=b'{"spec":{"replicas":5}}',
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.json()["metadata"]["generation"] == 3

    # a client cannot set generation itself
    d = client.get(url).json()
    d["metadata"]["generation"] = 99
    assert client.put(url, json=d).json()["metadata"]["generation"] == 3


def test_a_default_spelt_out_or_left_out_is_no_spec_change(client: httpx.Client,
                                                            ns: str) -> None:
    """A patch that only drops a field the server defaults (a fieldRef's apiVersion) leaves
    the object as it was: the same generation and revision (a no-op write)."""
    pod = {"metadata": {"name": "dflt"}, "spec": {"containers": [{
        "name": "c", "image": "busybox:1.35",
        "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}],
        "volumes": [{"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}]}}
    created = client.post(f"/api/v1/namespaces/{ns}/pods", json=pod).json()
    assert created["spec"]["volumes"][0]["downwardAPI"]["items"][0]["fieldRef"][
        "apiVersion"] == "v1"
    r = client.patch(f"/api/v1/namespaces/{ns}/pods/dflt", json={"spec": {"volumes": [
        {"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}]}},
        headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert r.status_code == 200, r.text
    got = r.json()["metadata"]
    assert got["generation"] == created["metadata"]["generation"] == 1
    assert got["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_status_is_written_only_through_status(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/pods"
    body = pod("st")
    body["status"] = {"phase": "Running"}  # ignored on create
    created = client.post(coll, json=body).json()
    assert created["status"]["phase"] == "Pending"

    # PUT of the main resource with a changed status keeps the old status
    upd = copy.deepcopy(created)
    upd["status"]["phase"] = "Running"
    upd["metadata"]["labels"] = {"x": "y"}
    r = client.put(f"{coll}/st", json=upd)
    assert r.status_code == 200, r.text
    assert r.json()["status"]["phase"] == "Pending"
    assert r.json()["metadata"]["labels"] == {"x": "y"}
    assert client.get(f"{coll}/st").json()["status"]["phase"] == "Pending"

    # PUT /status changes only status
    cur = client.get(f"{coll}/st").json()
    upd = copy.deepcopy(cur)
    upd["status"]["phase"] = "Running"
    upd["metadata"]["labels"] = {"x": "changed"}
    upd["spec"]["activeDeadlineSeconds"] = 100
    r = client.put(f"{coll}/st/status", json=upd)
    assert r.status_code == 200, r.text
    after = client.get(f"{coll}/st").json()
    assert after["status"]["phase"] == "Running"
    assert after["metadata"]["labels"] == {"x": "y"}
    assert "activeDeadlineSeconds" not in after["spec"]
    assert after["metadata"]["generation"] == cur["metadata"]["generation"]
    assert rv(after) > rv(cur)

    r = client.get(f"{coll}/st/status")
    assert r.status_code == 200 and r.json()["status"]["phase"] == "Running"


def test_update_of_missing_object_is_not_found(client: httpx.Client, ns: str) -> None:
    assert_status(client.put(f"/api/v1/namespaces/{ns}/configmaps/nope",
                             json=configmap("nope")), 404, "NotFound")
    assert_status(client.get(f"/api/v1/namespaces/{ns}/configmaps/nope"), 404)


def test_update_name_mismatch_is_bad_request(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    assert client.post(coll, json=configmap("a", k="1")).status_code == 201
    assert_status(client.put(f"{coll}/a", json=configmap("b", k="2")), 400, "BadRequest")
    assert client.get(f"{coll}/a").json()["data"] == {"k": "1"}


def test_cluster_scoped_list_and_namespaced_list_across_namespaces(
        client: httpx.Client, ns: str) -> None:
    assert client.post(f"/api/v1/namespaces/{ns}/configmaps",
                       json=configmap("everywhere")).status_code == 201
    r = client.get("/api/v1/configmaps")
    assert r.status_code == 200
    found = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in r.json()["items"]]
    assert (ns, "everywhere") in found
    r = client.get("/api/v1/namespaces")
    assert {"default", "kube-system", ns} <= {i["metadata"]["name"] for i in r.json()["items"]}


def test_empty_list_has_items_array(client: httpx.Client, ns: str) -> None:
    r = client.get(f"/apis/batch/v1/namespaces/{ns}/jobs")
    assert r.status_code == 200
    assert r.json()["items"] == []
    assert isinstance(r.json()["metadata"]["resourceVersion"], str)
