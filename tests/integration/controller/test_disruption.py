"""The disruption controller against a real API server and controller manager: a budget's
status follows its pods (expected, healthy, desired, allowed), and an eviction it forbids
(429) succeeds once another replica is ready, with the disruption spent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.controller.cluster import FakeKubelet, pods
from tests.integration.controller.test_replication import rs_body
from tests.support.processes import ApiServerProcess, wait_until
from tugboat.client import SyncApiClient


def pdb_body(name: str, app: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": app}}, **spec}}


def status_of(kube: SyncApiClient, ns: str, name: str) -> dict[str, Any]:
    return kube.get("poddisruptionbudgets", name, ns).get("status") or {}


def evict(apiserver: ApiServerProcess, ns: str, name: str) -> httpx.Response:
    return httpx.post(f"{apiserver.url}/api/v1/namespaces/{ns}/pods/{name}/eviction",
                      json={"apiVersion": "policy/v1", "kind": "Eviction",
                            "metadata": {"name": name, "namespace": ns}}, timeout=10)


@pytest.fixture
def counts():
    def read(status: dict[str, Any]) -> tuple[int, int, int, int]:
        return (status.get("expectedPods"), status.get("currentHealthy"),
                status.get("desiredHealthy"), status.get("disruptionsAllowed"))
    return read


def test_eviction_waits_for_a_replica_ready_elsewhere(kube: SyncApiClient, ns: str,
                                                      apiserver: ApiServerProcess,
                                                      counts: Any) -> None:
    kube.create("poddisruptionbudgets", pdb_body("web", "web", minAvailable=2), ns)
    with FakeKubelet(kube, ns):
        kube.create("replicasets", rs_body("web", 2, {"app": "web"}), ns)
        wait_until(lambda: counts(status_of(kube, ns, "web")) == (2, 2, 2, 0), 20,
                   "budget at 2 healthy, none allowed")
        cond = status_of(kube, ns, "web")["conditions"][0]
        assert (cond["type"], cond["status"], cond["reason"]) == (
            "DisruptionAllowed", "False", "InsufficientPods")
        victim = pods(kube, ns, "app=web")[0]["metadata"]["name"]
        r = evict(apiserver, ns, victim)
        assert r.status_code == 429, r.text
        assert r.json()["details"]["causes"][0]["reason"] == "DisruptionBudget"

        kube.patch_scale("replicasets", "web", 3, ns)
        wait_until(lambda: counts(status_of(kube, ns, "web")) == (3, 3, 2, 1), 20,
                   "a third replica ready")
        r = evict(apiserver, ns, victim)
        assert r.status_code == 201, r.text
        wait_until(lambda: victim not in [p["metadata"]["name"] for p in pods(kube, ns)],
                   20, "the evicted pod gone")
        # its replacement comes up and the budget allows one disruption again
        wait_until(lambda: counts(status_of(kube, ns, "web")) == (3, 3, 2, 1), 20,
                   "replacement ready")
        assert not status_of(kube, ns, "web").get("disruptedPods")


def test_max_unavailable_counts_the_controllers_scale(kube: SyncApiClient, ns: str,
                                                      counts: Any) -> None:
    kube.create("poddisruptionbudgets", pdb_body("half", "half", maxUnavailable="50%"), ns)
    with FakeKubelet(kube, ns):
        kube.create("replicasets", rs_body("half", 4, {"app": "half"}), ns)
        wait_until(lambda: counts(status_of(kube, ns, "half")) == (4, 4, 2, 2), 20,
                   "4 expected, 2 must stay")
    cond = status_of(kube, ns, "half")["conditions"][0]
    assert (cond["status"], cond["reason"]) == ("True", "SufficientPods")
