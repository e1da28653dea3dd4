"""The scale subresource of replicationcontrollers, replicasets and deployments, as
`kubectl scale` uses it: GET a Scale, merge-patch spec.replicas, PUT a whole Scale."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.integration.kube import (
    assert_status,
    deployment,
    replicaset,
    replicationcontroller,
    rv,
)

Obj = dict[str, Any]
MERGE = {"Content-Type": "application/merge-patch+json"}

WORKLOADS: dict[str, tuple[str, Callable[[str], Obj]]] = {
    "rc": ("/api/v1/namespaces/{ns}/replicationcontrollers", replicationcontroller),
    "rs": ("/apis/apps/v1/namespaces/{ns}/replicasets", replicaset),
    "deploy": ("/apis/apps/v1/namespaces/{ns}/deployments", deployment),
}


@pytest.fixture(params=list(WORKLOADS))
def workload(request: pytest.FixtureRequest, client: httpx.Client, ns: str) -> str:
    coll_t, make = WORKLOADS[request.param]
    coll = coll_t.format(ns=ns)
    r = client.post(coll, json=make("web"))
    assert r.status_code == 201, r.text
    return f"{coll}/web"


def test_get_scale(client: httpx.Client, workload: str) -> None:
    obj = client.get(workload).json()
    r = client.get(f"{workload}/scale")
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["kind"] == "Scale" and s["apiVersion"] == "autoscaling/v1"
    m = s["metadata"]
    assert m["name"] == "web" and m["namespace"] == obj["metadata"]["namespace"]
    assert m["uid"] == obj["metadata"]["uid"]
    assert m["resourceVersion"] == obj["metadata"]["resourceVersion"]
    assert s["spec"]["replicas"] == 1
    assert isinstance(s["status"]["selector"], str)
    assert s["status"]["selector"] == "app=web"
    assert isinstance(s["status"]["replicas"], int)


def test_merge_patch_scale(client: httpx.Client, workload: str) -> None:
    before = client.get(workload).json()
    r = client.patch(f"{workload}/scale", content=b'{"spec":{"replicas":3}}', headers=MERGE)
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["kind"] == "Scale" and s["spec"]["replicas"] == 3
    assert s["status"]["selector"] == "app=web"
    after = client.get(workload).json()
    assert after["spec"]["replicas"] == 3
    assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert s["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"]
    assert rv(after) > rv(before)


def test_put_scale(client: httpx.Client, workload: str) -> None:
    s = client.get(f"{workload}/scale").json()
    s["spec"]["replicas"] = 5
    r = client.put(f"{workload}/scale", json=s)
    assert r.status_code == 200, r.text
    assert r.json()["spec"]["replicas"] == 5
    assert client.get(workload).json()["spec"]["replicas"] == 5
    assert client.get(f"{workload}/scale").json()["spec"]["replicas"] == 5

    # a stale resourceVersion in the Scale conflicts
    s["spec"]["replicas"] = 6
    assert_status(client.put(f"{workload}/scale", json=s), 409, "Conflict")
    assert client.get(workload).json()["spec"]["replicas"] == 5

    # scaling to zero is fine
    s = client.get(f"{workload}/scale").json()
    s["spec"]["replicas"] = 0
    assert client.put(f"{workload}/scale", json=s).json()["spec"]["replicas"] == 0


def test_negative_replicas_are_invalid(client: httpx.Client, workload: str) -> None:
    before = client.get(workload).json()
    st = assert_status(client.patch(f"{workload}/scale", content=b'{"spec":{"replicas":-1}}',
                                    headers=MERGE), 422, "Invalid")
    assert [c["field"] for c in st["details"]["causes"]] == ["spec.replicas"]
    s = client.get(f"{workload}/scale").json()
    s["spec"]["replicas"] = -2
    assert_status(client.put(f"{workload}/scale", json=s), 422, "Invalid")
    # and through the main resource
    body = client.get(workload).json()
    body["spec"]["replicas"] = -3
    st = assert_status(client.put(workload, json=body), 422, "Invalid")
    assert "spec.replicas" in [c["field"] for c in st["details"]["causes"]]
    assert client.get(workload).json() == before


def test_scale_of_missing_workload(client: httpx.Client, ns: str) -> None:
    url = f"/apis/apps/v1/namespaces/{ns}/deployments/ghost/scale"
    assert_status(client.get(url), 404, "NotFound")
    assert_status(client.patch(url, content=json.dumps({"spec": {"replicas": 2}}).encode(),
                               headers=MERGE), 404, "NotFound")


def test_kinds_without_scale_have_no_scale(client: httpx.Client, ns: str) -> None:
    assert_status(client.get(f"/api/v1/namespaces/{ns}/pods/x/scale"), 404)
    assert_status(client.get(f"/apis/batch/v1/namespaces/{ns}/jobs/x/scale"), 404)
