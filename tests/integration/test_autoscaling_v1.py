"""autoscaling/v1 HorizontalPodAutoscalers served beside autoscaling/v2 from one storage:
every verb on the v1 path, each version seeing the other's writes through conversion, the
v2-only parts kept through v1 reads and writes, discovery preferring v2, v1 Tables."""

from __future__ import annotations

import httpx

from tests.integration.kube import Watch, assert_status

V1 = "/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers"
V2 = "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"
REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
MEMORY = {"type": "Resource", "resource": {"name": "memory", "target": {
    "type": "AverageValue", "averageValue": "500Mi"}}}
MERGE = {"Content-Type": "application/merge-patch+json"}


def cpu(util: int) -> dict:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": util}}}


def v1_hpa(name: str = "web", **spec: object) -> dict:
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name},
            "spec": {"scaleTargetRef": REF, "minReplicas": 2, "maxReplicas": 5, **spec}}


def v2_hpa(name: str = "web", metrics: list | None = None) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name},
            "spec": {"scaleTargetRef": REF, "minReplicas": 1, "maxReplicas": 4,
                     "metrics": metrics or [cpu(70), MEMORY]}}


def test_create_v1_read_both(client: httpx.Client, ns: str) -> None:
    r = client.post(V1.format(ns=ns), json=v1_hpa(targetCPUUtilizationPercentage=80))
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["apiVersion"] == "autoscaling/v1"
    assert made["spec"] == {"scaleTargetRef": REF, "minReplicas": 2, "maxReplicas": 5,
                            "targetCPUUtilizationPercentage": 80}
    assert made["status"] == {"currentReplicas": 0, "desiredReplicas": 0}
    assert made["metadata"]["uid"] and made["metadata"]["resourceVersion"]
    got = client.get(f"{V2.format(ns=ns)}/web").json()
    assert got["apiVersion"] == "autoscaling/v2"
    assert got["spec"]["metrics"] == [cpu(80)]
    assert got["metadata"]["resourceVersion"] == made["metadata"]["resourceVersion"]


def test_v1_without_target_gets_the_cpu_default(client: httpx.Client, ns: str) -> None:
    made = client.post(V1.format(ns=ns), json=v1_hpa()).json()
    assert made["spec"]["targetCPUUtilizationPercentage"] == 80


def test_v2_only_parts_survive_a_v1_update_and_patch(client: httpx.Client, ns: str) -> None:
    assert client.post(V2.format(ns=ns), json=v2_hpa()).status_code == 201
    v1 = client.get(f"{V1.format(ns=ns)}/web").json()
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 70
    assert "autoscaling.alpha.kubernetes.io/metrics" in v1["metadata"]["annotations"]
    v1["spec"]["maxReplicas"] = 9
    r = client.put(f"{V1.format(ns=ns)}/web", json=v1)
    assert r.status_code == 200, r.text
    assert r.json()["spec"]["maxReplicas"] == 9
    r = client.patch(f"{V1.format(ns=ns)}/web", headers=MERGE,
                     json={"spec": {"targetCPUUtilizationPercentage": 55}})
    assert r.status_code == 200, r.text
    got = client.get(f"{V2.format(ns=ns)}/web").json()
    assert got["spec"]["maxReplicas"] == 9
    assert got["spec"]["metrics"] == [MEMORY, cpu(55)]  # Kubernetes' order: annotated first
    assert "annotations" not in got["metadata"]


def test_unchanged_v1_put_of_a_cpu_only_hpa_keeps_its_revision(client: httpx.Client,
                                                               ns: str) -> None:
    client.post(V2.format(ns=ns), json=v2_hpa(metrics=[cpu(60)]))
    v1 = client.get(f"{V1.format(ns=ns)}/web").json()
    again = client.put(f"{V1.format(ns=ns)}/web", json=v1).json()
    assert again["metadata"]["resourceVersion"] == v1["metadata"]["resourceVersion"]


def test_v1_status_write(client: httpx.Client, ns: str) -> None:
    client.post(V1.format(ns=ns), json=v1_hpa(targetCPUUtilizationPercentage=60))
    cur = client.get(f"{V1.format(ns=ns)}/web").json()
    cur["status"] = {"currentReplicas": 2, "desiredReplicas": 3,
                     "currentCPUUtilizationPercentage": 41}
    r = client.put(f"{V1.format(ns=ns)}/web/status", json=cur)
    assert r.status_code == 200, r.text
    assert r.json()["status"]["currentCPUUtilizationPercentage"] == 41
    got = client.get(f"{V2.format(ns=ns)}/web").json()
    assert got["status"]["currentReplicas"] == 2 and got["status"]["desiredReplicas"] == 3
    assert got["status"]["currentMetrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 41}}}]


def test_v1_list_and_delete(client: httpx.Client, ns: str) -> None:
    client.post(V2.format(ns=ns), json=v2_hpa("a"))
    client.post(V1.format(ns=ns), json=v1_hpa("b"))
    lst = client.get(V1.format(ns=ns)).json()
    assert (lst["kind"], lst["apiVersion"]) == ("HorizontalPodAutoscalerList", "autoscaling/v1")
    assert [(o["metadata"]["name"], o["apiVersion"]) for o in lst["items"]] == [
        ("a", "autoscaling/v1"), ("b", "autoscaling/v1")]
    assert all("targetCPUUtilizationPercentage" in o["spec"] for o in lst["items"])
    r = client.delete(f"{V1.format(ns=ns)}/a")
    assert r.status_code == 200, r.text
    assert r.json()["details"] == {"name": "a", "group": "autoscaling",
                                   "kind": "horizontalpodautoscalers",
                                   "uid": lst["items"][0]["metadata"]["uid"]}
    assert_status(client.get(f"{V2.format(ns=ns)}/a"), 404, "NotFound")


def test_v1_watch_sees_v2_writes_as_v1(client: httpx.Client, apiserver, ns: str) -> None:
    client.post(V2.format(ns=ns), json=v2_hpa("a"))
    with Watch(apiserver.url, V1.format(ns=ns), {"watch": "true"}) as w:
        client.post(V2.format(ns=ns), json=v2_hpa("b", [cpu(30)]))
        evs = w.wait_count(2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in evs] == [
        ("ADDED", "a"), ("ADDED", "b")]
    assert all(e["object"]["apiVersion"] == "autoscaling/v1" for e in evs)
    assert evs[1]["object"]["spec"]["targetCPUUtilizationPercentage"] == 30


def test_v1_body_is_checked_as_v1(client: httpx.Client, ns: str) -> None:
    body = v1_hpa()
    body["spec"]["metrics"] = [cpu(50)]  # a v2 field: unknown in v1
    r = client.post(V1.format(ns=ns), json=body)
    assert r.status_code == 201, r.text
    assert 'unknown field \\"spec.metrics\\"' in r.headers.get("warning", "")
    r = client.post(V1.format(ns=ns), params={"fieldValidation": "Strict"},
                    json={**body, "metadata": {"name": "strict"}})
    assert_status(r, 400, "BadRequest")
    bad = v1_hpa("bad")
    del bad["spec"]["maxReplicas"]
    assert_status(client.post(V1.format(ns=ns), json=bad), 422, "Invalid")
    wrong = v1_hpa("wrong")
    wrong["apiVersion"] = "autoscaling/v2"
    assert_status(client.post(V1.format(ns=ns), json=wrong), 400, "BadRequest")


def test_discovery_lists_both_versions_preferring_v2(client: httpx.Client) -> None:
    groups = client.get("/apis").json()["groups"]
    autoscaling = next(g for g in groups if g["name"] == "autoscaling")
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1"]
    assert autoscaling["preferredVersion"]["version"] == "v2"
    names = [r["name"] for r in client.get("/apis/autoscaling/v1").json()["resources"]]
    assert names == ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]


def test_v1_table(client: httpx.Client, ns: str) -> None:
    client.post(V1.format(ns=ns), json=v1_hpa(targetCPUUtilizationPercentage=80))
    t = client.get(V1.format(ns=ns), headers={
        "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}).json()
    assert t["kind"] == "Table"
    cells = t["rows"][0]["cells"]
    assert cells[:5] == ["web", "Deployment/web", "cpu: <unknown>/80%", "2", 5]
