"""StatefulSets against a real API server and controller manager, a fake kubelet marking
pods Running and Ready: web-0, web-1, web-2 created in order, each only once the one
before is ready; stable identity; scale-down from the highest ordinal; a rolling update
from the top; Parallel creating all at once; the status `kubectl rollout status` reads."""

from __future__ import annotations

from typing import Any

from tests.integration.controller.cluster import FakeKubelet, pods, set_pod_status
from tests.integration.kube import Watch
from tests.support.processes import ApiServerProcess, wait_until
from tugboat.client import SyncApiClient


def statefulset(name: str = "web", replicas: int = 3, **spec: Any) -> dict[str, Any]:
    labels = {"sts": name}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"replicas": replicas, "serviceName": "nginx",
                     "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "c", "image": "busybox:1.35"}]}}, **spec}}


def pod_names(kube: SyncApiClient, ns: str) -> list[str]:
    return sorted(p["metadata"]["name"] for p in pods(kube, ns))


def sts_status(kube: SyncApiClient, ns: str, name: str = "web") -> dict[str, Any]:
    return kube.get("statefulsets", name, ns).get("status") or {}


def events(watch: Watch, kind: str) -> list[str]:
    return [e["object"]["metadata"]["name"] for e in watch.events if e["type"] == kind]


def test_ordered_creation_waits_for_each_pod(kube: SyncApiClient, ns: str,
                                             apiserver: ApiServerProcess) -> None:
    with Watch(apiserver.url, f"/api/v1/namespaces/{ns}/pods") as watch:
        kube.create("statefulsets", statefulset(), ns)
        for i in range(3):
            wait_until(lambda i=i: pod_names(kube, ns) == [f"web-{j}" for j in range(i + 1)],
                       15, f"web-{i}")
            # the controller has seen web-{i} (status counts it) and still made no other
            wait_until(lambda i=i: sts_status(kube, ns).get("replicas") == i + 1, 15,
                       f"status after web-{i}")
            assert pod_names(kube, ns) == [f"web-{j}" for j in range(i + 1)]
            set_pod_status(kube, kube.get("pods", f"web-{i}", ns), "Running", True)
        wait_until(lambda: sts_status(kube, ns).get("readyReplicas") == 3, 15, "3 ready")
        assert events(watch, "ADDED") == ["web-0", "web-1", "web-2"]
    web1 = kube.get("pods", "web-1", ns)
    assert (web1["spec"]["hostname"], web1["spec"]["subdomain"]) == ("web-1", "nginx")
    labels = web1["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert labels["apps.kubernetes.io/pod-index"] == "1"
    status = sts_status(kube, ns)
    assert status["currentRevision"] == status["updateRevision"] == \
        labels["controller-revision-hash"]
    assert status["observedGeneration"] == 1 and status["currentReplicas"] == 3


def test_scale_down_and_rolling_update_go_from_the_top(kube: SyncApiClient, ns: str,
                                                       apiserver: ApiServerProcess) -> None:
    with FakeKubelet(kube, ns):
        kube.create("statefulsets", statefulset(replicas=4), ns)
        wait_until(lambda: sts_status(kube, ns).get("readyReplicas") == 4, 30, "4 ready")
        with Watch(apiserver.url, f"/api/v1/namespaces/{ns}/pods") as watch:
            kube.patch_scale("statefulsets", "web", 2, ns)
            wait_until(lambda: pod_names(kube, ns) == ["web-0", "web-1"], 15, "scaled to 2")
            assert events(watch, "DELETED") == ["web-3", "web-2"]
        before = sts_status(kube, ns)["currentRevision"]
        with Watch(apiserver.url, f"/api/v1/namespaces/{ns}/pods") as watch:
            kube.patch("statefulsets", "web", {"spec": {"template": {"spec": {"containers": [
                {"name": "c", "image": "busybox:1.36"}]}}}}, ns)
            wait_until(lambda: sts_status(kube, ns).get("currentRevision") not in
                       (None, before) and sts_status(kube, ns).get("readyReplicas") == 2,
                       30, "the rollout")
            assert events(watch, "DELETED") == ["web-1", "web-0"]
    images = {p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
              for p in pods(kube, ns)}
    assert images == {"web-0": "busybox:1.36", "web-1": "busybox:1.36"}
    status = sts_status(kube, ns)
    assert status["updatedReplicas"] == status["currentReplicas"] == 2
    assert status["updateRevision"] == status["currentRevision"]


def test_partition_keeps_lower_ordinals(kube: SyncApiClient, ns: str) -> None:
    with FakeKubelet(kube, ns):
        kube.create("statefulsets", statefulset(updateStrategy={
            "type": "RollingUpdate", "rollingUpdate": {"partition": 2}}), ns)
        wait_until(lambda: sts_status(kube, ns).get("readyReplicas") == 3, 30, "3 ready")
        kube.patch("statefulsets", "web", {"spec": {"template": {"metadata": {
            "annotations": {"v": "2"}}}}}, ns)
        wait_until(lambda: sts_status(kube, ns).get("updatedReplicas") == 1
                   and sts_status(kube, ns).get("readyReplicas") == 3, 30, "web-2 updated")
    status = sts_status(kube, ns)
    assert status["currentRevision"] != status["updateRevision"]
    revisions = {p["metadata"]["name"]: p["metadata"]["labels"]["controller-revision-hash"]
                 for p in pods(kube, ns)}
    assert revisions["web-2"] == status["updateRevision"]
    assert revisions["web-0"] == revisions["web-1"] == status["currentRevision"]


def test_parallel_creates_every_pod_without_waiting(kube: SyncApiClient, ns: str) -> None:
    kube.create("statefulsets", statefulset(podManagementPolicy="Parallel"), ns)
    wait_until(lambda: pod_names(kube, ns) == ["web-0", "web-1", "web-2"], 15, "3 pods")
    assert sts_status(kube, ns).get("readyReplicas", 0) == 0
