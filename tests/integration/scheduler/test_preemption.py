"""DefaultPreemption with the real scheduler: a high-priority pod that fits nowhere
preempts a lower-priority pod on a full node (DisruptionTarget on the victim, a graceful
delete with its grace period, the Preempted event, nominatedNodeName on the preemptor),
and binds once the victim is gone; equal priority and preemptionPolicy Never preempt
nothing. The test plays the kubelet: it finishes the victim's graceful deletion."""

from __future__ import annotations

from tests.support.processes import wait_until

from .conftest import Cluster


def _finish_deletion(cluster: Cluster, name: str) -> None:
    """As the node's kubelet would once the victim's containers stopped."""
    wait_until(lambda: cluster.get_pod(name)["metadata"].get("deletionTimestamp"), 15,
               f"{name} being deleted")
    cluster.delete_pod(name)


def test_high_priority_pod_preempts_a_low_one_on_a_full_node(cluster: Cluster) -> None:
    node = cluster.node("full", cpu="1")
    cluster.pod("low", cpu="800m", priority=10)
    cluster.pod("mid", cpu="100m", priority=500)
    cluster.wait_bound("low", "mid")
    cluster.pod("high", cpu="700m", priority=1000)

    wait_until(lambda: cluster.get_pod("high")["status"].get("nominatedNodeName") == node,
               20, "high nominated to the full node")
    victim = cluster.get_pod("low")
    assert victim["metadata"]["deletionGracePeriodSeconds"] == 30  # its own grace period
    cond = next(c for c in victim["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (cond["status"], cond["reason"]) == ("True", "PreemptionByScheduler")
    event = cluster.wait_event("low", "Preempted")
    assert event["message"] == (f"Preempted by pod {cluster.get_pod('high')['metadata']['uid']}"
                                f" on node {node}")
    # the mid pod's 100m fits beside the preemptor: it is reprieved
    assert not cluster.get_pod("mid")["metadata"].get("deletionTimestamp")

    _finish_deletion(cluster, "low")
    assert cluster.wait_bound("high", timeout=20) == {"high": node}


def test_no_preemption_among_equals_or_when_never(cluster: Cluster) -> None:
    cluster.node("busy", cpu="1")
    cluster.pod("first", cpu="800m", priority=100)
    cluster.wait_bound("first")
    cluster.pod("equal", cpu="800m", priority=100)
    cluster.pod("polite", cpu="800m", priority=1000, preemptionPolicy="Never")
    cluster.wait_event("equal", "FailedScheduling")
    cluster.wait_event("polite", "FailedScheduling")
    assert not cluster.get_pod("first")["metadata"].get("deletionTimestamp")
    assert not cluster.events("first", "Preempted")
