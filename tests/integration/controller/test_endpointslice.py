"""The endpointslice controller against a real API server and controller manager: a
Service's EndpointSlices follow its pods through create, readiness changes, scaling past
one slice and back to zero, and go with the Service; a pod turning unready dates its
slice's last-change-trigger-time by its Ready transition."""

from __future__ import annotations

from typing import Any

from tests.integration.controller.cluster import now, set_pod_status
from tests.support.processes import wait_until
from tugboat.client import SyncApiClient

SELECTOR = "kubernetes.io/service-name={}"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"


def pod(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [{"name": "web", "image": "busybox:1.35",
                                     "ports": [{"name": "http", "containerPort": 8080}]}]}}


def slices(kube: SyncApiClient, ns: str, svc: str) -> list[dict[str, Any]]:
    return kube.list("endpointslices", ns, label_selector=SELECTOR.format(svc))["items"]


def conditions(kube: SyncApiClient, ns: str, svc: str) -> dict[str, dict[str, bool]]:
    return {e["targetRef"]["name"]: e["conditions"]
            for s in slices(kube, ns, svc) for e in s.get("endpoints") or []}


def test_slices_follow_pods_and_go_with_the_service(kube: SyncApiClient, ns: str) -> None:
    svc = kube.create("services", {"metadata": {"name": "web"}, "spec": {
        "selector": {"app": "web"}, "ports": [{"name": "http", "port": 80,
                                               "targetPort": "http"}]}}, ns)
    # an empty placeholder first: the Service is known, it has no endpoints
    wait_until(lambda: [s.get("endpoints") or [] for s in slices(kube, ns, "web")] == [[]],
               15, "placeholder slice")
    a = kube.create("pods", pod("a", {"app": "web"}), ns)
    b = kube.create("pods", pod("b", {"app": "web"}), ns)
    set_pod_status(kube, a, "Running", True, "10.1.0.1")
    set_pod_status(kube, b, "Running", False, "10.1.0.2")
    ready = {"ready": True, "serving": True, "terminating": False}
    unready = {"ready": False, "serving": False, "terminating": False}
    wait_until(lambda: conditions(kube, ns, "web") == {"a": ready, "b": unready}, 15,
               "a ready, b not")
    (s,) = slices(kube, ns, "web")
    name = s["metadata"]["name"]
    assert name.startswith("web-")
    assert s["addressType"] == "IPv4"
    assert s["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslice-controller.k8s.io"
    assert s["metadata"]["ownerReferences"][0]["uid"] == svc["metadata"]["uid"]
    # readiness swaps: the same slice is updated in place
    set_pod_status(kube, a, "Running", False)
    set_pod_status(kube, b, "Running", True)
    wait_until(lambda: conditions(kube, ns, "web") == {"a": unready, "b": ready}, 15,
               "swapped")
    assert [x["metadata"]["name"] for x in slices(kube, ns, "web")] == [name]
    # scale to 120 pods: two slices, none over Kubernetes' 100
    for i in range(118):
        p = kube.create("pods", pod(f"p{i}", {"app": "web"}), ns)
        set_pod_status(kube, p, "Running", True, f"10.2.{i // 200}.{i % 200 + 1}")
    wait_until(lambda: len(conditions(kube, ns, "web")) == 120, 30, "120 endpoints")
    sizes = sorted(len(x["endpoints"]) for x in slices(kube, ns, "web"))
    assert sizes[-1] <= 100 and sum(sizes) == 120 and len(sizes) == 2
    # scale to zero: one empty placeholder remains
    for p in kube.list("pods", ns)["items"]:
        kube.delete("pods", p["metadata"]["name"], ns, grace_period_seconds=0)
    wait_until(lambda: [s.get("endpoints") or [] for s in slices(kube, ns, "web")] == [[]],
               30, "back to the placeholder")
    kube.delete("services", "web", ns)
    wait_until(lambda: slices(kube, ns, "web") == [], 15, "slices deleted with the service")


def test_terminating_pod_is_serving_not_ready(kube: SyncApiClient, ns: str) -> None:
    kube.create("services", {"metadata": {"name": "web"}, "spec": {
        "selector": {"app": "web"}, "ports": [{"port": 80}]}}, ns)
    p = pod("a", {"app": "web"})
    p["metadata"]["finalizers"] = ["example.com/hold"]  # keeps it terminating
    a = kube.create("pods", p, ns)
    set_pod_status(kube, a, "Running", True, "10.1.0.9")
    wait_until(lambda: conditions(kube, ns, "web").get("a", {}).get("ready") is True, 15,
               "ready")
    kube.delete("pods", "a", ns, grace_period_seconds=30)
    wait_until(lambda: conditions(kube, ns, "web").get("a") == {
        "ready": False, "serving": True, "terminating": True}, 15, "terminating")
    cur = kube.get("pods", "a", ns)
    cur["metadata"]["finalizers"] = []
    kube.update("pods", cur)


def ready_since(p: dict[str, Any]) -> str:
    return next(c["lastTransitionTime"] for c in p["status"]["conditions"]
                if c["type"] == "Ready")


def test_a_pod_turning_unready_dates_its_slice(kube: SyncApiClient, ns: str) -> None:
    kube.create("services", {"metadata": {"name": "web"}, "spec": {
        "selector": {"app": "web"}, "ports": [{"port": 80}]}}, ns)
    a = kube.create("pods", pod("a", {"app": "web"}), ns)
    became_ready = ready_since(set_pod_status(kube, a, "Running", True, "10.1.0.7"))
    wait_until(lambda: conditions(kube, ns, "web").get("a", {}).get("ready") is True, 15,
               "ready")
    # Ready transitions are dated to the second: let one pass, or the flip back would
    # share the time already reported and, as in Kubernetes, date nothing.
    wait_until(lambda: now() > became_ready, 5, "the next second")
    became_unready = ready_since(set_pod_status(kube, a, "Running", False))
    assert became_unready > became_ready
    wait_until(lambda: conditions(kube, ns, "web").get("a", {}).get("ready") is False, 15,
               "unready")
    (s,) = slices(kube, ns, "web")
    assert s["metadata"]["annotations"][TRIGGER_TIME] == became_unready
