"""Discovery, version, OpenAPI, health and metrics endpoints."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.kube import TABLE_ACCEPT, assert_status, configmap, pod
from tugboat.api.proto import codec


def resources_by_name(doc: dict) -> dict[str, dict]:
    return {r["name"]: r for r in doc["resources"]}


def test_api_versions(client: httpx.Client) -> None:
    r = client.get("/api")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json()["kind"] == "APIVersions" and r.json()["versions"] == ["v1"]


def test_api_groups(client: httpx.Client) -> None:
    doc = client.get("/apis").json()
    assert doc["kind"] == "APIGroupList"
    groups = {g["name"]: g for g in doc["groups"]}
    for g, v in (("apps", "v1"), ("batch", "v1"), ("coordination.k8s.io", "v1"),
                 ("autoscaling", "v2")):
        assert g in groups, groups
        assert groups[g]["preferredVersion"]["groupVersion"] == f"{g}/{v}"
        assert f"{g}/{v}" in [x["groupVersion"] for x in groups[g]["versions"]]
    assert "" not in groups


def test_core_resources(client: httpx.Client) -> None:
    doc = client.get("/api/v1").json()
    assert doc["kind"] == "APIResourceList" and doc["groupVersion"] == "v1"
    res = resources_by_name(doc)
    expect = {"pods": "po", "nodes": "no", "replicationcontrollers": "rc", "services": "svc",
              "endpoints": "ep", "events": "ev", "namespaces": "ns", "configmaps": "cm"}
    for name, short in expect.items():
        assert short in res[name].get("shortNames", []), res[name]
    assert res["pods"]["namespaced"] is True and res["nodes"]["namespaced"] is False
    assert res["pods"]["kind"] == "Pod"
    assert {"get", "list", "watch", "create", "update", "patch", "delete"} <= set(
        res["pods"]["verbs"])
    for sub in ("pods/status", "pods/binding", "pods/log", "pods/eviction",
                "replicationcontrollers/scale"):
        assert sub in res, sub
    assert res["replicationcontrollers/scale"]["kind"] == "Scale"


def test_apps_resources(client: httpx.Client) -> None:
    doc = client.get("/apis/apps/v1").json()
    assert doc["groupVersion"] == "apps/v1"
    res = resources_by_name(doc)
    assert "deploy" in res["deployments"]["shortNames"]
    assert "rs" in res["replicasets"]["shortNames"]
    assert "ds" in res["daemonsets"]["shortNames"]
    assert "deployments/scale" in res and "deployments/status" in res


@pytest.mark.parametrize("path", ["/apis/apps/v9", "/apis/nosuch/v1", "/api/v2"])
def test_unknown_group_version_is_404(client: httpx.Client, path: str) -> None:
    assert_status(client.get(path), 404, "NotFound")


def test_version(client: httpx.Client) -> None:
    r = client.get("/version", params={"timeout": "5s"})
    assert r.status_code == 200
    v = r.json()
    assert v["major"] == "1" and v["minor"] == "32"
    assert v["gitVersion"].startswith("v1.32.")


def test_openapi(client: httpx.Client) -> None:
    idx = client.get("/openapi/v3").json()
    assert "api/v1" in idx["paths"] and "apis/apps/v1" in idx["paths"]
    url = idx["paths"]["apis/apps/v1"]["serverRelativeURL"]
    r = client.get(url)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    post = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
    assert post["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1",
                                                        "kind": "Deployment"}
    assert "fieldValidation" in [p["name"] for p in post["parameters"]]
    core = client.get(idx["paths"]["api/v1"]["serverRelativeURL"]).json()
    assert "/api/v1/namespaces/{namespace}/pods/{name}" in core["paths"]
    assert_status(client.get("/openapi/v3/apis/nosuch/v1"), 404)


@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz"])
def test_health(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.text == "ok"


def test_replies_are_protobuf_when_protobuf_is_preferred(client: httpx.Client) -> None:
    r = client.get("/api/v1/namespaces/default", headers={
        "Accept": "application/vnd.kubernetes.protobuf,application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.kubernetes.protobuf"
    assert codec.decode(r.content)["kind"] == "Namespace"


def test_unknown_query_parameters_are_ignored(client: httpx.Client) -> None:
    r = client.get("/api/v1/namespaces/default/pods", params={"timeout": "32s",
                                                              "whatever": "x"})
    assert r.status_code == 200 and isinstance(r.json()["items"], list)


def test_table_list_and_get(client: httpx.Client, ns: str) -> None:
    assert client.post(f"/api/v1/namespaces/{ns}/pods", json=pod("t1")).status_code == 201
    r = client.get(f"/api/v1/namespaces/{ns}/pods", headers={"Accept": TABLE_ACCEPT})
    assert r.status_code == 200
    t = r.json()
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert [c["name"] for c in t["columnDefinitions"]][:1] == ["Name"]
    assert len(t["rows"]) == 1 and t["rows"][0]["cells"][0] == "t1"
    assert t["rows"][0]["object"]["metadata"]["name"] == "t1"
    assert isinstance(t["metadata"]["resourceVersion"], str)
    r = client.get(f"/api/v1/namespaces/{ns}/pods/t1", headers={"Accept": TABLE_ACCEPT})
    assert r.json()["kind"] == "Table" and len(r.json()["rows"]) == 1
    # paginated Tables carry the continue token
    assert client.post(f"/api/v1/namespaces/{ns}/pods", json=pod("t2")).status_code == 201
    r = client.get(f"/api/v1/namespaces/{ns}/pods", params={"limit": "1"},
                   headers={"Accept": TABLE_ACCEPT})
    assert len(r.json()["rows"]) == 1 and r.json()["metadata"]["continue"]
    r = client.get(f"/api/v1/namespaces/{ns}/pods", headers={"Accept": TABLE_ACCEPT},
                   params={"limit": "1", "continue": r.json()["metadata"]["continue"]})
    assert [row["cells"][0] for row in r.json()["rows"]] == ["t2"]


def _sample(metrics: str, name: str, **labels: str) -> float | None:
    for line in metrics.splitlines():
        if not line.startswith(name + "{"):
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics(client: httpx.Client, ns: str) -> None:
    cms = f"/api/v1/namespaces/{ns}/configmaps"
    before = client.get("/metrics").text
    created_before = _sample(before, "apiserver_request_total", verb="create",
                             resource="configmaps", code="201") or 0.0
    for i in range(3):
        assert client.post(cms, json=configmap(f"m{i}")).status_code == 201
    assert client.get(f"{cms}/absent").status_code == 404
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert _sample(text, "apiserver_request_total", verb="create", resource="configmaps",
                   code="201") == created_before + 3
    assert (_sample(text, "apiserver_request_total", verb="get", resource="configmaps",
                    code="404") or 0) >= 1
    assert _sample(text, "apiserver_request_duration_seconds_count", verb="create",
                   resource="configmaps") is not None
    assert re.search(r"^apiserver_request_duration_seconds_bucket\{", text, re.M)
    commits = re.search(r"^tugboat_store_commit_duration_seconds_count (\S+)$", text, re.M)
    assert commits and float(commits.group(1)) >= 3
