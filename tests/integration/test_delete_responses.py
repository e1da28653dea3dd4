"""What a DELETE answers, as Kubernetes: a Status when the object is gone at once (the
object itself for pods, services, service accounts and namespaces), the object with its
deletionTimestamp while the deletion is pending, and the listed objects for a delete of a
collection."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.kube import bind, configmap, deployment, pod


def test_removed_at_once_answers_a_success_status(client: httpx.Client, ns: str) -> None:
    coll = f"/apis/apps/v1/namespaces/{ns}/deployments"
    made = client.post(coll, json=deployment("web")).json()
    r = client.delete(f"{coll}/web")
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Success",
                        "details": {"name": "web", "group": "apps", "kind": "deployments",
                                    "uid": made["metadata"]["uid"]}}


def test_core_status_names_no_group(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    made = client.post(coll, json=configmap("cm")).json()
    body = client.delete(f"{coll}/cm").json()
    assert body["details"] == {"name": "cm", "kind": "configmaps",
                               "uid": made["metadata"]["uid"]}


def test_dry_run_delete_answers_the_status_and_keeps_the_object(client: httpx.Client,
                                                                  ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    client.post(coll, json=configmap("cm"))
    body = client.delete(f"{coll}/cm", params={"dryRun": "All"}).json()
    assert body["kind"] == "Status" and body["status"] == "Success"
    assert client.get(f"{coll}/cm").status_code == 200


@pytest.mark.parametrize("resource,body", [
    ("pods", pod("p")),
    ("services", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                  "spec": {"ports": [{"port": 80}]}}),
    ("serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount",
                         "metadata": {"name": "sa"}}),
])
def test_return_deleted_object_resources_answer_the_object(
        client: httpx.Client, ns: str, resource: str, body: dict) -> None:
    coll = f"/api/v1/namespaces/{ns}/{resource}"
    made = client.post(coll, json=body).json()
    name = made["metadata"]["name"]
    r = client.delete(f"{coll}/{name}")
    assert r.status_code == 200, r.text
    gone = r.json()
    assert gone["kind"] == made["kind"] and gone["metadata"]["uid"] == made["metadata"]["uid"]
    assert client.get(f"{coll}/{name}").status_code == 404


def test_graceful_pod_answers_the_pending_object(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/pods"
    client.post(coll, json=pod("g"))
    assert bind(client, ns, "g").status_code == 201
    r = client.delete(f"{coll}/g")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "Pod" and body["metadata"]["deletionTimestamp"]
    assert body["metadata"]["deletionGracePeriodSeconds"] == 30


def test_pending_finalizers_answer_the_object(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    cm = configmap("held")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    client.post(coll, json=cm)
    r = client.delete(f"{coll}/held")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "ConfigMap" and body["metadata"]["deletionTimestamp"]
    assert body["metadata"]["finalizers"] == ["example.com/hold"]
    # the last finalizer's removal takes it out
    r = client.patch(f"{coll}/held", json={"metadata": {"finalizers": None}},
                     headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    assert client.get(f"{coll}/held").status_code == 404


def test_foreground_answers_the_object_and_orphan_dependents_false_is_202(
        client: httpx.Client, ns: str) -> None:
    coll = f"/apis/apps/v1/namespaces/{ns}/deployments"
    client.post(coll, json=deployment("fg"))
    r = client.delete(f"{coll}/fg", params={"propagationPolicy": "Foreground"})
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["finalizers"] == ["foregroundDeletion"]

    client.post(coll, json=deployment("old"))
    r = client.request("DELETE", f"{coll}/old", json={"orphanDependents": False,
                                                      "propagationPolicy": "Foreground"})
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "Deployment"


def test_orphan_answers_the_object_until_the_collector_removes_it(client: httpx.Client,
                                                                  ns: str) -> None:
    coll = f"/apis/apps/v1/namespaces/{ns}/deployments"
    client.post(coll, json=deployment("orph"))
    r = client.delete(f"{coll}/orph", params={"propagationPolicy": "Orphan"})
    assert r.status_code == 200, r.text
    assert r.json()["metadata"]["finalizers"] == ["orphan"]


def test_namespace_answers_the_terminating_namespace(client: httpx.Client, ns: str) -> None:
    r = client.delete(f"/api/v1/namespaces/{ns}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "Namespace" and body["metadata"]["deletionTimestamp"]
    assert body["status"]["phase"] == "Terminating"


def test_delete_collection_answers_the_listed_objects(client: httpx.Client, ns: str) -> None:
    coll = f"/api/v1/namespaces/{ns}/configmaps"
    for n in ("a", "b", "c"):
        client.post(coll, json=configmap(n, labels={"even": str(n != "b").lower()}))
    r = client.delete(coll, params={"labelSelector": "even=true"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "ConfigMapList" and body["apiVersion"] == "v1"
    assert [o["metadata"]["name"] for o in body["items"]] == ["a", "c"]
    left = client.get(coll).json()["items"]
    assert [o["metadata"]["name"] for o in left] == ["b"]
