"""PodDisruptionBudgets through the API: validation, kubectl's columns, and the eviction
subresource honouring a budget as Kubernetes' eviction REST does (429 with a
DisruptionBudget cause while none is allowed, one disruption taken per eviction, 500 for
a pod under two budgets). The disruption controller is not running here: the tests write
the budget's status themselves, as that controller would."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.kube import assert_status, bind, pod

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


@pytest.fixture
def pdbs(ns: str) -> str:
    return f"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets"


@pytest.fixture
def pods(ns: str) -> str:
    return f"/api/v1/namespaces/{ns}/pods"


def budget(name: str, **spec: object) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec}}


def set_status(client: httpx.Client, pdbs: str, name: str, allowed: int) -> None:
    cur = client.get(f"{pdbs}/{name}").json()
    cur["status"] = {"observedGeneration": cur["metadata"]["generation"],
                     "disruptionsAllowed": allowed, "currentHealthy": 2,
                     "desiredHealthy": 2 - allowed, "expectedPods": 2}
    r = client.put(f"{pdbs}/{name}/status", json=cur)
    assert r.status_code == 200, r.text


def running_pod(client: httpx.Client, ns: str, pods: str, name: str) -> None:
    body = pod(name)
    body["metadata"]["labels"] = {"app": "web"}
    assert client.post(pods, json=body).status_code == 201
    assert bind(client, ns, name).status_code == 201
    cur = client.get(f"{pods}/{name}").json()
    cur["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    assert client.put(f"{pods}/{name}/status", json=cur).status_code == 200


def evict(client: httpx.Client, pods: str, name: str) -> httpx.Response:
    return client.post(f"{pods}/{name}/eviction", json={
        "apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}})


def test_budget_validation_names_the_field(client: httpx.Client, pdbs: str) -> None:
    r = client.post(pdbs, json=budget("both", minAvailable=1, maxUnavailable="50%"))
    assert_status(r, 422, "Invalid")
    assert "minAvailable and maxUnavailable cannot be both set" in r.json()["message"]
    r = client.post(pdbs, json=budget("pct", minAvailable="150%"))
    assert_status(r, 422, "Invalid")
    assert r.json()["details"]["causes"][0]["field"] == "spec.minAvailable"
    r = client.post(pdbs, json=budget("pol", maxUnavailable=1,
                                      unhealthyPodEvictionPolicy="Sometimes"))
    assert_status(r, 422, "Invalid")


def test_budget_prints_kubectl_columns(client: httpx.Client, pdbs: str) -> None:
    assert client.post(pdbs, json=budget("cols", minAvailable=2)).status_code == 201
    table = client.get(pdbs, headers={"Accept": TABLE}).json()
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"]
    assert table["rows"][0]["cells"][:4] == ["cols", "2", "N/A", 0]


def test_eviction_refused_until_budget_allows(client: httpx.Client, ns: str, pods: str,
                                              pdbs: str) -> None:
    assert client.post(pdbs, json=budget("web", minAvailable=2)).status_code == 201
    running_pod(client, ns, pods, "web-1")
    set_status(client, pdbs, "web", 0)
    r = evict(client, pods, "web-1")
    assert_status(r, 429, "TooManyRequests")
    assert r.json()["message"] == ("Cannot evict pod as it would violate the pod's "
                                   "disruption budget.")
    assert r.json()["details"]["causes"] == [{
        "reason": "DisruptionBudget",
        "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}]
    assert not client.get(f"{pods}/web-1").json()["metadata"].get("deletionTimestamp")

    set_status(client, pdbs, "web", 1)
    r = evict(client, pods, "web-1")
    assert r.status_code == 201, r.text
    got = client.get(f"{pods}/web-1").json()
    assert got["metadata"]["deletionTimestamp"]
    assert any(c["type"] == "DisruptionTarget" and c["reason"] == "EvictionByEvictionAPI"
               for c in got["status"]["conditions"])
    status = client.get(f"{pdbs}/web").json()["status"]
    assert status["disruptionsAllowed"] == 0
    assert list(status["disruptedPods"]) == ["web-1"]
    assert status["conditions"][0]["type"] == "DisruptionAllowed"
    assert status["conditions"][0]["status"] == "False"


def test_stale_budget_is_still_being_processed(client: httpx.Client, ns: str, pods: str,
                                               pdbs: str) -> None:
    assert client.post(pdbs, json=budget("new", maxUnavailable=1)).status_code == 201
    running_pod(client, ns, pods, "web-2")
    r = evict(client, pods, "web-2")
    assert_status(r, 429, "TooManyRequests")
    assert "still being processed" in r.json()["details"]["causes"][0]["message"]


def test_two_budgets_over_one_pod_is_internal_error(client: httpx.Client, ns: str, pods: str,
                                                   pdbs: str) -> None:
    for n in ("a", "b"):
        assert client.post(pdbs, json=budget(n, maxUnavailable=1)).status_code == 201
    running_pod(client, ns, pods, "web-3")
    r = evict(client, pods, "web-3")
    assert_status(r, 500, "InternalError")
    assert r.json()["message"] == (
        "Internal error occurred: This pod has more than one PodDisruptionBudget, which the "
        "eviction subresource does not support.")


def test_unready_pod_goes_under_always_allow(client: httpx.Client, ns: str, pods: str,
                                             pdbs: str) -> None:
    assert client.post(pdbs, json=budget("aa", minAvailable=5, unhealthyPodEvictionPolicy=
                                         "AlwaysAllow")).status_code == 201
    set_status(client, pdbs, "aa", 0)
    running_pod(client, ns, pods, "web-4")
    cur = client.get(f"{pods}/web-4").json()
    cur["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    assert client.put(f"{pods}/web-4/status", json=cur).status_code == 200
    assert evict(client, pods, "web-4").status_code == 201
