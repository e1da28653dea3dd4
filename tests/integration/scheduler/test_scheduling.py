"""tug-scheduler against the real apiserver: filters, scores, events and conditions, with
nodes created through the API (no kubelet: nothing runs, the binding is the result)."""

from __future__ import annotations

import collections

from tests.support.processes import wait_until

from .conftest import Cluster, SchedulerProcess


def test_a_pod_too_large_waits_then_binds_when_its_node_grows(cluster: Cluster):
    cluster.node("small", cpu="1")
    cluster.pod("big", cpu="2")
    event = cluster.wait_event("big", "FailedScheduling")
    assert event["message"] == "0/1 nodes are available: 1 Insufficient cpu."
    assert event["type"] == "Warning" and event["source"]["component"] == "default-scheduler"
    wait_until(lambda: cluster.pod_scheduled("big"), 10, "PodScheduled condition")
    condition = cluster.pod_scheduled("big")
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "False", "Unschedulable", "0/1 nodes are available: 1 Insufficient cpu.")
    assert cluster.node_of("big") is None
    cluster.patch_node("small", {"status": {"allocatable": {"cpu": "4"}}}, status=True)
    assert cluster.wait_bound("big") == {"big": cluster.n("small")}
    scheduled = cluster.wait_event("big", "Scheduled")
    assert scheduled["message"] == f"Successfully assigned {cluster.ns}/big to {cluster.n('small')}"
    assert cluster.pod_scheduled("big")["status"] == "True"


def test_the_summary_counts_every_reason(cluster: Cluster):
    for short in ("ssd-1", "ssd-2"):
        cluster.node(short, cpu="1", labels={"disk": "ssd"})
    cluster.node("hdd", cpu="8", labels={"disk": "hdd"})
    cluster.pod("p", cpu="2", nodeSelector={"disk": "ssd"})
    event = cluster.wait_event("p", "FailedScheduling")
    # kube-scheduler's FitError: "<count> <reason>" strings sorted as strings
    assert event["message"] == ("0/3 nodes are available: 1 node(s) didn't match Pod's node "
                                "affinity/selector, 2 Insufficient cpu.")


def test_node_selector_and_required_affinity(cluster: Cluster):
    cluster.node("ssd", labels={"disk": "ssd", "zone": "a"})
    cluster.node("hdd", labels={"disk": "hdd", "zone": "b"})
    cluster.pod("by-selector", nodeSelector={"disk": "hdd"})
    cluster.pod("by-affinity", affinity={"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}})
    cluster.pod("nowhere", nodeSelector={"disk": "nvme"})
    assert cluster.wait_bound("by-selector", "by-affinity") == {
        "by-selector": cluster.n("hdd"), "by-affinity": cluster.n("ssd")}
    event = cluster.wait_event("nowhere", "FailedScheduling")
    assert event["message"] == (
        "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")


def test_taints_and_tolerations(cluster: Cluster):
    gpu = [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]
    cluster.node("gpu", taints=gpu)
    cluster.node("plain")
    for i in range(3):
        cluster.pod(f"plain-{i}")
    placed = cluster.wait_bound(*(f"plain-{i}" for i in range(3)))
    assert set(placed.values()) == {cluster.n("plain")}
    cluster.pod("tolerant", nodeSelector={"kubernetes.io/hostname": cluster.n("gpu")},
                tolerations=[{"key": "dedicated", "operator": "Equal", "value": "gpu",
                              "effect": "NoSchedule"}])
    assert cluster.wait_bound("tolerant") == {"tolerant": cluster.n("gpu")}
    cluster.patch_node("plain", {"spec": {"taints": [
        {"key": "maintenance", "effect": "NoExecute"}]}})
    cluster.pod("stuck")
    event = cluster.wait_event("stuck", "FailedScheduling")
    assert event["message"] == ("0/2 nodes are available: 1 node(s) had untolerated taint "
                                "{dedicated: gpu}, 1 node(s) had untolerated taint "
                                "{maintenance: }.")


def test_host_ports(cluster: Cluster):
    cluster.node("a")
    cluster.node("b")
    for i in range(3):
        cluster.pod(f"web-{i}", host_port=8080)
    wait_until(lambda: cluster.events("web-2", "FailedScheduling")
               or cluster.events("web-1", "FailedScheduling"), 15, "a port clash")
    bound = {n: cluster.node_of(n) for n in ("web-0", "web-1", "web-2")}
    placed = [n for n in bound.values() if n]
    assert sorted(placed) == [cluster.n("a"), cluster.n("b")]
    waiting = next(name for name, node in bound.items() if node is None)
    assert cluster.wait_event(waiting, "FailedScheduling")["message"] == (
        "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports.")
    cluster.pod("other-port", host_port=9090)
    cluster.wait_bound("other-port")
    freed = next(name for name, node in bound.items() if node)
    cluster.delete_pod(freed)
    assert cluster.wait_bound(waiting)[waiting] == bound[freed]


def test_pods_of_one_owner_spread(cluster: Cluster):
    for short in ("a", "b", "c"):
        cluster.node(short)
    names = [f"rs-{i}" for i in range(6)]
    for name in names:
        cluster.pod(name, cpu="100m", owner="web")
    per_node = collections.Counter(cluster.wait_bound(*names).values())
    assert sorted(per_node.values()) == [2, 2, 2]


def test_cordoned_and_not_ready_nodes_take_nothing(cluster: Cluster):
    cluster.node("cordoned", unschedulable=True)
    cluster.node("sick", ready="False")
    cluster.pod("p")
    event = cluster.wait_event("p", "FailedScheduling")
    assert event["message"] == ("0/2 nodes are available: 1 node(s) were not ready, "
                                "1 node(s) were unschedulable.")
    cluster.patch_node("cordoned", {"spec": {"unschedulable": False}})
    assert cluster.wait_bound("p") == {"p": cluster.n("cordoned")}
    cluster.pod("tolerates-cordon", nodeSelector={"kubernetes.io/hostname": cluster.n("sick")},
                tolerations=[{"key": "node.kubernetes.io/not-ready", "operator": "Exists"}])
    assert cluster.wait_bound("tolerates-cordon") == {"tolerates-cordon": cluster.n("sick")}


def test_a_burst_of_200_pods_over_10_nodes_overbooks_none(cluster: Cluster):
    for i in range(10):
        cluster.node(f"n{i}", cpu="2", memory="4Gi")
    names = [f"burst-{i:03d}" for i in range(200)]
    for name in names:
        cluster.pod(name, cpu="100m", memory="128Mi")  # 20 fill a node's cpu exactly

    def all_bound() -> bool:
        pods = cluster.http.get(f"/api/v1/namespaces/{cluster.ns}/pods").json()["items"]
        return sum(1 for p in pods if p["spec"].get("nodeName")) == 200

    wait_until(all_bound, 60, "200 pods bound")
    pods = cluster.http.get(f"/api/v1/namespaces/{cluster.ns}/pods").json()["items"]
    per_node = collections.Counter(p["spec"]["nodeName"] for p in pods)
    assert per_node == {cluster.n(f"n{i}"): 20 for i in range(10)}
    cluster.pod("one-too-many", cpu="100m")
    assert cluster.wait_event("one-too-many", "FailedScheduling")["message"] == (
        "0/10 nodes are available: 10 Insufficient cpu.")


def test_pods_for_another_scheduler_are_left_alone(cluster: Cluster):
    cluster.node("a")
    cluster.pod("theirs", schedulerName="someone-else")
    cluster.pod("ours")
    cluster.wait_bound("ours")
    assert cluster.node_of("theirs") is None
    assert cluster.events("theirs", "FailedScheduling") == []


def test_healthz_and_metrics(cluster: Cluster, scheduler: SchedulerProcess):
    import httpx

    assert httpx.get(scheduler.url("/healthz")).text == "ok"
    cluster.node("a")
    cluster.pod("counted")
    cluster.wait_bound("counted")
    metrics = scheduler.metrics()
    assert 'scheduler_schedule_attempts_total{result="scheduled"}' in metrics
    assert 'scheduler_pending_pods{queue="active"}' in metrics
