"""Deletion as Kubernetes does it: unbound pods go at once, bound pods get a grace period,
finalizers hold an object until the last one is removed, propagation policies and
preconditions; and the binding subresource that makes a pod bound."""

from __future__ import annotations

import copy

import httpx
import pytest

from tests.integration.kube import (
    RFC3339,
    assert_status,
    bind,
    configmap,
    deployment,
    pod,
    rv,
)


@pytest.fixture
def pods(ns: str) -> str:
    return f"/api/v1/namespaces/{ns}/pods"


def test_unbound_pod_is_removed_at_once(client: httpx.Client, pods: str) -> None:
    assert client.post(pods, json=pod("free")).status_code == 201
    r = client.delete(f"{pods}/free")
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "Pod" and r.json()["metadata"]["name"] == "free"
    assert_status(client.get(f"{pods}/free"), 404, "NotFound")


def test_binding_sets_node_and_pod_scheduled(client: httpx.Client, ns: str,
                                            pods: str) -> None:
    created = client.post(pods, json=pod("b")).json()
    r = bind(client, ns, "b", "node-7")
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "Status" and r.json()["status"] == "Success"
    got = client.get(f"{pods}/b").json()
    assert got["spec"]["nodeName"] == "node-7"
    conds = {c["type"]: c for c in got["status"].get("conditions") or []}
    assert conds["PodScheduled"]["status"] == "True"
    assert rv(got) > rv(created)

    # an already bound pod cannot be bound again
    st = assert_status(bind(client, ns, "b", "node-8"), 409, "Conflict")
    assert "already assigned" in st["message"]
    assert client.get(f"{pods}/b").json()["spec"]["nodeName"] == "node-7"


def test_binding_errors(client: httpx.Client, ns: str, pods: str) -> None:
    assert_status(bind(client, ns, "absent"), 404, "NotFound")
    assert client.post(pods, json=pod("p")).status_code == 201
    r = client.post(f"{pods}/p/binding", json={"kind": "Binding", "metadata": {"name": "p"},
                                                "target": {}})
    assert_status(r, 422, "Invalid")
    assert "nodeName" not in client.get(f"{pods}/p").json()["spec"]
    # Kubernetes' BindingREST: "name in URL does not match name in Binding object" (400)
    r = client.post(f"{pods}/p/binding", json={"kind": "Binding", "metadata": {"name": "other"},
                                                "target": {"name": "node-1"}})
    assert_status(r, 400, "BadRequest")
    assert "nodeName" not in client.get(f"{pods}/p").json()["spec"]
    # metadata.uid is a precondition (the scheduler sends it; a recreated pod of the same
    # name must not be bound by a stale decision): a mismatch is a 409 Conflict
    r = client.post(f"{pods}/p/binding", json={
        "kind": "Binding", "metadata": {"name": "p", "uid": "00000000-0000-0000-0000-000000000000"},
        "target": {"name": "node-1"}})
    assert_status(r, 409, "Conflict")
    assert "nodeName" not in client.get(f"{pods}/p").json()["spec"]
    uid = client.get(f"{pods}/p").json()["metadata"]["uid"]
    r = client.post(f"{pods}/p/binding", json={"kind": "Binding", "metadata": {
        "name": "p", "uid": uid}, "target": {"name": "node-1"}})
    assert r.status_code == 201, r.text
    assert client.get(f"{pods}/p").json()["spec"]["nodeName"] == "node-1"


def test_bound_pod_deletion_is_graceful(client: httpx.Client, ns: str, pods: str) -> None:
    assert client.post(pods, json=pod("g")).status_code == 201
    assert bind(client, ns, "g").status_code == 201
    r = client.delete(f"{pods}/g")
    assert r.status_code == 200, r.text
    marked = r.json()
    assert RFC3339.match(marked["metadata"]["deletionTimestamp"]), marked["metadata"]
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
    got = client.get(f"{pods}/g")
    assert got.status_code == 200
    assert got.json()["metadata"]["deletionGracePeriodSeconds"] == 30
    # a second delete with the default grace changes nothing
    again = client.delete(f"{pods}/g")
    assert again.status_code == 200
    assert client.get(f"{pods}/g").json()["metadata"]["resourceVersion"] == got.json()[
        "metadata"]["resourceVersion"]
    # a shorter grace period shortens it; 0 removes the pod
    r = client.delete(f"{pods}/g", params={"gracePeriodSeconds": "5"})
    assert r.status_code == 200
    assert client.get(f"{pods}/g").json()["metadata"]["deletionGracePeriodSeconds"] == 5
    r = client.request("DELETE", f"{pods}/g", json={"gracePeriodSeconds": 0})
    assert r.status_code == 200, r.text
    assert_status(client.get(f"{pods}/g"), 404)


def test_bound_pod_uses_its_termination_grace_period(client: httpx.Client, ns: str,
                                                     pods: str) -> None:
    assert client.post(pods, json=pod("t", terminationGracePeriodSeconds=7)).status_code == 201
    assert bind(client, ns, "t").status_code == 201
    r = client.delete(f"{pods}/t")
    assert r.json()["metadata"]["deletionGracePeriodSeconds"] == 7


def test_cannot_bind_a_terminating_pod(client: httpx.Client, ns: str, pods: str) -> None:
    body = pod("term")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    assert client.post(pods, json=body).status_code == 201
    assert client.delete(f"{pods}/term").status_code == 200
    assert_status(bind(client, ns, "term"), 409)


def test_finished_pod_goes_at_once(client: httpx.Client, ns: str, pods: str) -> None:
    assert client.post(pods, json=pod("done")).status_code == 201
    assert bind(client, ns, "done").status_code == 201
    cur = client.get(f"{pods}/done").json()
    cur["status"]["phase"] = "Succeeded"
    assert client.put(f"{pods}/done/status", json=cur).status_code == 200
    r = client.delete(f"{pods}/done")
    assert r.status_code == 200
    assert_status(client.get(f"{pods}/done"), 404)


def test_finalizers_hold_object_until_last_removed(client: httpx.Client, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/configmaps/held"
    body = configmap("held")
    body["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    assert client.post(f"/api/v1/namespaces/{ns}/configmaps", json=body).status_code == 201
    r = client.delete(url)
    assert r.status_code == 200
    assert r.json()["metadata"]["deletionTimestamp"]
    cur = client.get(url).json()
    assert cur["metadata"]["finalizers"] == ["example.com/a", "example.com/b"]
    assert cur["metadata"]["deletionTimestamp"]

    cur["metadata"]["finalizers"] = ["example.com/b"]
    r = client.put(url, json=cur)
    assert r.status_code == 200
    cur = client.get(url).json()
    assert cur["metadata"]["finalizers"] == ["example.com/b"]
    # the update that removes the last finalizer removes the object
    cur["metadata"]["finalizers"] = []
    r = client.put(url, json=cur)
    assert r.status_code == 200, r.text
    assert_status(client.get(url), 404)


def test_finalizer_removed_by_patch_removes_object(client: httpx.Client, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/configmaps/held"
    body = configmap("held")
    body["metadata"]["finalizers"] = ["example.com/a"]
    assert client.post(f"/api/v1/namespaces/{ns}/configmaps", json=body).status_code == 201
    assert client.delete(url).status_code == 200
    r = client.patch(url, content=b'{"metadata":{"finalizers":null}}',
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    assert_status(client.get(url), 404)


def test_orphan_propagation_adds_orphan_finalizer(client: httpx.Client, ns: str) -> None:
    coll = f"/apis/apps/v1/namespaces/{ns}/deployments"
    assert client.post(coll, json=deployment("orph")).status_code == 201
    r = client.request("DELETE", f"{coll}/orph", json={"kind": "DeleteOptions",
                                                       "apiVersion": "v1",
                                                       "propagationPolicy": "Orphan"})
    assert r.status_code == 200, r.text
    got = client.get(f"{coll}/orph").json()
    assert "orphan" in got["metadata"]["finalizers"]
    assert got["metadata"]["deletionTimestamp"]

    assert client.post(coll, json=deployment("fg")).status_code == 201
    r = client.delete(f"{coll}/fg", params={"propagationPolicy": "Foreground"})
    assert r.status_code == 200, r.text
    assert "foregroundDeletion" in client.get(f"{coll}/fg").json()["metadata"]["finalizers"]

    assert client.post(coll, json=deployment("bg")).status_code == 201
    assert client.delete(f"{coll}/bg", params={"propagationPolicy": "Background"}
                         ).status_code == 200
    assert_status(client.get(f"{coll}/bg"), 404)


def test_bad_propagation_policy(client: httpx.Client, ns: str) -> None:
    coll = f"/apis/apps/v1/namespaces/{ns}/deployments"
    assert client.post(coll, json=deployment("x")).status_code == 201
    assert_status(client.delete(f"{coll}/x", params={"propagationPolicy": "Sideways"}), 400)
    assert_status(client.delete(f"{coll}/x", params={"gracePeriodSeconds": "soon"}), 400)
    assert_status(client.request("DELETE", f"{coll}/x", content=b"{not json",
                                 headers={"Content-Type": "application/json"}), 400)
    got = client.get(f"{coll}/x").json()
    assert "deletionTimestamp" not in got["metadata"]


def test_preconditions(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    created = client.post(coll, json=configmap("pre")).json()
    uid, ver = created["metadata"]["uid"], created["metadata"]["resourceVersion"]
    st = assert_status(client.request("DELETE", f"{coll}/pre", json={
        "preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}), 409, "Conflict")
    assert "Precondition failed" in st["message"]
    st = assert_status(client.request("DELETE", f"{coll}/pre", json={
        "preconditions": {"resourceVersion": str(int(ver) - 1)}}), 409, "Conflict")
    assert "Precondition failed" in st["message"]
    assert client.get(f"{coll}/pre").json()["metadata"]["resourceVersion"] == ver
    r = client.request("DELETE", f"{coll}/pre", json={
        "preconditions": {"uid": uid, "resourceVersion": ver}})
    assert r.status_code == 200, r.text
    assert_status(client.get(f"{coll}/pre"), 404)


def test_delete_collection(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(4):
        body = configmap(f"c{i}", labels={"even": str(i % 2 == 0).lower()})
        assert client.post(coll, json=body).status_code == 201
    r = client.delete(coll, params={"labelSelector": "even=true"})
    assert r.status_code == 200, r.text
    assert sorted(i["metadata"]["name"] for i in r.json()["items"]) == ["c0", "c2"]
    assert sorted(i["metadata"]["name"] for i in client.get(coll).json()["items"]) == [
        "c1", "c3"]


def test_eviction_deletes_gracefully(client: httpx.Client, ns: str, pods: str) -> None:
    assert client.post(pods, json=pod("ev")).status_code == 201
    assert bind(client, ns, "ev").status_code == 201
    r = client.post(f"{pods}/ev/eviction", json={"apiVersion": "policy/v1", "kind": "Eviction",
                                                  "metadata": {"name": "ev"}})
    assert r.status_code == 201, r.text
    assert client.get(f"{pods}/ev").json()["metadata"]["deletionTimestamp"]
    r = client.post(f"{pods}/ev/eviction", json={"metadata": {"name": "ev"},
                                                  "deleteOptions": {"gracePeriodSeconds": 0}})
    assert r.status_code == 201
    assert_status(client.get(f"{pods}/ev"), 404)


def test_update_preserves_deletion_metadata(client: httpx.Client, ns: str, pods: str) -> None:
    assert client.post(pods, json=pod("keepmark")).status_code == 201
    assert bind(client, ns, "keepmark").status_code == 201
    marked = client.delete(f"{pods}/keepmark").json()
    upd = copy.deepcopy(marked)
    upd["metadata"].pop("deletionTimestamp")
    upd["metadata"].pop("deletionGracePeriodSeconds")
    upd["metadata"]["labels"] = {"touched": "yes"}
    r = client.put(f"{pods}/keepmark", json=upd)
    assert r.status_code == 200, r.text
    got = client.get(f"{pods}/keepmark").json()
    assert got["metadata"]["deletionTimestamp"] == marked["metadata"]["deletionTimestamp"]
    assert got["metadata"]["labels"] == {"touched": "yes"}
