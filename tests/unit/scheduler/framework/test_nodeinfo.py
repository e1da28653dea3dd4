"""NodeInfo: precomputed allocatable, taints, readiness, and incremental pod accounting."""

from __future__ import annotations

from tugboat.scheduler.framework import PodInfo

from ..objects import make_node, make_pod, node_info

GI = 1024 ** 3


def test_node_fields_are_precomputed():
    info = node_info(make_node("n", cpu="3500m", memory="2Gi", pods="20", labels={"a": "b"},
                               taints=[{"key": "x", "effect": "NoSchedule"},
                                       {"key": "y", "effect": "PreferNoSchedule"}],
                               unschedulable=True, ready="False",
                               images={"nginx": 5}, extra={"example.com/gpu": "2"}))
    assert (info.allocatable.cpu, info.allocatable.memory, info.allocatable_pods) == (
        3500, 2 * GI, 20)
    assert info.allocatable.scalar == {"example.com/gpu": 2}
    assert [t.key for t in info.taints] == ["x"] and [t.key for t in info.prefer_taints] == ["y"]
    assert info.unschedulable and info.ready == "False" and info.labels == {"a": "b"}
    assert info.images == {"nginx:latest": 5}


def test_pods_add_up_and_come_off():
    info = node_info(make_node())
    a = PodInfo.of(make_pod("a", cpu="1", memory="1Gi", owner="x", host_ports=(80,)))
    b = PodInfo.of(make_pod("b", cpu="500m", owner="x"))
    info.add_pod(a)
    info.add_pod(b)
    assert (info.requested.cpu, info.requested.memory, info.pod_count) == (1500, GI, 2)
    assert info.owner_counts == {"owner-x": 2} and info.port_conflict("0.0.0.0", "TCP", 80)
    info.add_pod(a)  # the same pod again (an update) is not counted twice
    assert info.requested.cpu == 1500
    info.remove_pod(a.key)
    assert (info.requested.cpu, info.requested.memory) == (500, 0)
    assert info.owner_counts == {"owner-x": 1} and not info.used_ports
    assert info.remove_pod("default/nope") is None
