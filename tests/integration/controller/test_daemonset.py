"""DaemonSets against a real API server and controller manager: one pod per eligible
node, bound directly to it; nodes that join, leave, or do not qualify (node selector,
untolerated taints); failed daemon pods replaced; a rolling template update. The node
lifecycle controller is off here: these nodes have no kubelet renewing their Leases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.controller.cluster import (
    FAST_FLAGS,
    ControllerManagerProcess,
    FakeKubelet,
    node_body,
    pods,
    set_pod_status,
)
from tests.support.processes import ApiServerProcess, wait_until
from tugboat.client import SyncApiClient


@pytest.fixture(scope="module")
def manager(apiserver: ApiServerProcess, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[ControllerManagerProcess]:
    cm = ControllerManagerProcess(apiserver.url, tmp_path_factory.mktemp("cm"),
                                  [*FAST_FLAGS, "--controllers", "*,-nodelifecycle"]).start()
    yield cm
    cm.stop()


def daemonset(name: str, image: str = "busybox:1.35", **pod_spec: Any) -> dict[str, Any]:
    labels = {"ds": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": labels}, "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "agent", "image": image}], **pod_spec}}}}


def placed(kube: SyncApiClient, ns: str, name: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in pods(kube, ns, f"ds={name}"):
        out[p["spec"]["nodeName"]] = out.get(p["spec"]["nodeName"], 0) + 1
    return out


def test_one_pod_per_node_following_joins_and_leaves(kube: SyncApiClient, ns: str) -> None:
    for n in ("ds-a", "ds-b"):
        kube.create("nodes", node_body(n))
    kube.create("daemonsets", daemonset("agent"), ns)
    wait_until(lambda: placed(kube, ns, "agent") == {"ds-a": 1, "ds-b": 1}, 15, "2 nodes")
    pod = pods(kube, ns, "ds=agent")[0]
    tolerations = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert ("node.kubernetes.io/unreachable", "NoExecute") in tolerations
    assert pod["metadata"]["labels"]["controller-revision-hash"]
    kube.create("nodes", node_body("ds-c"))
    wait_until(lambda: placed(kube, ns, "agent") == {"ds-a": 1, "ds-b": 1, "ds-c": 1}, 15,
               "the joining node")
    kube.delete("nodes", "ds-c")
    wait_until(lambda: placed(kube, ns, "agent") == {"ds-a": 1, "ds-b": 1}, 15,
               "the leaving node")
    wait_until(lambda: kube.get("daemonsets", "agent", ns)["status"]
               .get("desiredNumberScheduled") == 2
               and kube.get("daemonsets", "agent", ns)["status"]
               .get("currentNumberScheduled") == 2, 10, "status")
    for n in ("ds-a", "ds-b"):
        kube.delete("nodes", n)


def test_node_selector_and_taints(kube: SyncApiClient, ns: str) -> None:
    kube.create("nodes", node_body("sel-gpu", labels={"gpu": "yes"}))
    kube.create("nodes", node_body("sel-plain"))
    kube.create("nodes", node_body("sel-tainted", labels={"gpu": "yes"}, taints=[
        {"key": "dedicated", "value": "db", "effect": "NoSchedule"}]))
    kube.create("daemonsets", daemonset("gpu", nodeSelector={"gpu": "yes"}), ns)
    kube.create("daemonsets", daemonset("tolerant", tolerations=[
        {"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]), ns)
    wait_until(lambda: placed(kube, ns, "gpu") == {"sel-gpu": 1}, 15, "selector + taint")
    wait_until(lambda: {"sel-gpu", "sel-plain", "sel-tainted"} <= set(
        placed(kube, ns, "tolerant")), 15, "toleration")
    kube.patch("nodes", "sel-plain", {"metadata": {"labels": {"gpu": "yes"}}})
    wait_until(lambda: placed(kube, ns, "gpu") == {"sel-gpu": 1, "sel-plain": 1}, 15,
               "a node that starts to qualify")
    for n in ("sel-gpu", "sel-plain", "sel-tainted"):
        kube.delete("nodes", n)


def test_failed_pod_replaced_and_rolling_update(kube: SyncApiClient, ns: str) -> None:
    for n in ("ru-a", "ru-b"):
        kube.create("nodes", node_body(n))
    kube.create("daemonsets", daemonset("roll"), ns)
    with FakeKubelet(kube, ns):
        wait_until(lambda: placed(kube, ns, "roll") == {"ru-a": 1, "ru-b": 1}, 15, "placed")
        wait_until(lambda: kube.get("daemonsets", "roll", ns)["status"]
                   .get("numberAvailable") == 2, 15, "available")
        victim = next(p for p in pods(kube, ns, "ds=roll") if p["spec"]["nodeName"] == "ru-a")
        set_pod_status(kube, victim, "Failed", False)
        wait_until(lambda: victim["metadata"]["name"] not in
                   [p["metadata"]["name"] for p in pods(kube, ns, "ds=roll")]
                   and placed(kube, ns, "roll") == {"ru-a": 1, "ru-b": 1}, 15, "replaced")
        kube.patch("daemonsets", "roll", {"spec": {"template": {"spec": {"containers": [
            {"name": "agent", "image": "busybox:1.36"}]}}}}, ns, patch_type="strategic")

        def updated() -> bool:
            ps = pods(kube, ns, "ds=roll")
            return len(ps) == 2 and {p["spec"]["containers"][0]["image"] for p in ps} == {
                "busybox:1.36"} and kube.get("daemonsets", "roll", ns)["status"].get(
                    "updatedNumberScheduled") == 2

        wait_until(updated, 30, "rolled to the new template")
    for n in ("ru-a", "ru-b"):
        kube.delete("nodes", n)
