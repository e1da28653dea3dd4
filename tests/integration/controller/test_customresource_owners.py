"""Custom objects as the garbage collector and the namespace controller see them, against
a real API server and controller manager: both find custom resources through discovery,
so a Deployment owned by a custom object goes when that object is deleted, and deleting a
namespace removes the custom objects in it (and the namespace goes only after them)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.controller.cluster import ControllerManagerProcess
from tests.integration.controller.test_deployment import deployment
from tests.integration.controller.test_garbagecollector import exists
from tests.support.processes import ApiServerProcess, wait_until
from tugboat.client import SyncApiClient


@pytest.fixture(scope="module")
def http(apiserver: ApiServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=apiserver.url, timeout=15.0) as client:
        yield client


@pytest.fixture(scope="module")
def group(http: httpx.Client) -> str:
    return make_crd(http)


def make_crd(http: httpx.Client) -> str:
    """A namespaced CRD `Gadget` in a group of its own, Established."""
    group = f"gc{secrets.token_hex(3)}.example.com"
    schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    r = http.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json={
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"gadgets.{group}"},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": schema}}]}})
    assert r.status_code == 201, r.text
    wait_until(lambda: http.get(f"/apis/{group}/v1").status_code == 200, 10,
               "the CRD to be served")
    return group


def gadget(http: httpx.Client, group: str, ns: str, name: str) -> dict[str, Any]:
    r = http.post(f"/apis/{group}/v1/namespaces/{ns}/gadgets", json={
        "apiVersion": f"{group}/v1", "kind": "Gadget", "metadata": {"name": name},
        "spec": {"size": 1}})
    assert r.status_code == 201, r.text
    return r.json()


def test_deployment_owned_by_custom_object_is_collected(
        kube: SyncApiClient, http: httpx.Client, group: str, ns: str) -> None:
    owner = gadget(http, group, ns, "g1")
    body = deployment("owned", 0, "busybox:1.35")
    body["metadata"]["ownerReferences"] = [{
        "apiVersion": f"{group}/v1", "kind": "Gadget", "name": "g1",
        "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    kube.create("deployments", body, ns)
    kube.create("deployments", deployment("unowned", 0, "busybox:1.35"), ns)
    # The owner is there: the collector must leave its dependent alone.
    wait_until(lambda: kube.get("deployments", "owned", ns)["status"].get(
        "observedGeneration") == 1, 15, "the Deployment seen by its controller")
    assert exists(kube, "deployments", "owned", ns)
    r = http.delete(f"/apis/{group}/v1/namespaces/{ns}/gadgets/g1")
    assert r.status_code == 200, r.text
    wait_until(lambda: not exists(kube, "deployments", "owned", ns), 20,
               "the Deployment owned by the deleted Gadget collected")
    assert exists(kube, "deployments", "unowned", ns)


def test_deleting_the_crd_collects_what_its_objects_owned(
        kube: SyncApiClient, http: httpx.Client, ns: str,
        manager: ControllerManagerProcess) -> None:
    group = make_crd(http)
    owner = gadget(http, group, ns, "g2")
    cm = {"metadata": {"name": "cfg", "ownerReferences": [{
        "apiVersion": f"{group}/v1", "kind": "Gadget", "name": "g2",
        "uid": owner["metadata"]["uid"]}]}, "data": {"a": "b"}}
    kube.create("configmaps", cm, ns)
    # Only a kind the collector has discovered can be judged gone (a CRD deleted before
    # discovery saw it leaves its kind unknown, and Kubernetes' collector then waits too).
    wait_until(lambda: f"monitoring gadgets.{group}" in manager.log(), 20,
               "the collector monitoring the new custom resource")
    r = http.delete(f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.{group}")
    assert r.status_code == 200, r.text
    wait_until(lambda: not exists(kube, "configmaps", "cfg", ns), 20,
               "the ConfigMap owned by a Gadget collected after its CRD went")
    wait_until(lambda: http.get(f"/apis/{group}/v1").status_code == 404, 20,
               "the CRD's group no longer served")


def test_namespace_deletion_removes_custom_objects(
        kube: SyncApiClient, http: httpx.Client, group: str, ns: str) -> None:
    gadget(http, group, ns, "a")
    held = gadget(http, group, ns, "held")
    # A finalizer on one custom object: the namespace must wait for it.
    r = http.patch(f"/apis/{group}/v1/namespaces/{ns}/gadgets/held",
                   json={"metadata": {"finalizers": ["example.com/hold"]}},
                   headers={"content-type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    kube.delete("namespaces", ns)
    base = f"/apis/{group}/v1/namespaces/{ns}/gadgets"
    wait_until(lambda: [i["metadata"]["name"] for i in http.get(base).json()["items"]]
               == ["held"], 20, "the custom objects deleted")
    got = http.get(f"{base}/held").json()
    assert got["metadata"]["deletionTimestamp"]
    assert kube.get("namespaces", ns)["status"]["phase"] == "Terminating"
    r = http.patch(f"{base}/held", json={"metadata": {
        "finalizers": None, "resourceVersion": got["metadata"]["resourceVersion"]}},
        headers={"content-type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    wait_until(lambda: not exists(kube, "namespaces", ns), 20, "namespace removed")
    assert http.get(base).json()["items"] == []
    assert held["metadata"]["uid"]
