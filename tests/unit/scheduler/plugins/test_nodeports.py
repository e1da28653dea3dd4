"""NodePorts: host ports clash per (hostIP, protocol, port), 0.0.0.0 with any address."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Code, CycleState, PodInfo
from tugboat.scheduler.plugins.nodeports import NodePorts

from ..objects import filter_status, make_node, make_pod, node_info

ANY = "0.0.0.0"


@pytest.mark.parametrize(("used", "wanted", "fits"), [
    ((), (8080,), True),
    ((8080,), (8080,), False),
    ((8080,), (8081,), True),
    (((ANY, "UDP", 8080),), ((ANY, "TCP", 8080),), True),  # another protocol
    ((("10.0.0.1", "TCP", 8080),), (("10.0.0.2", "TCP", 8080),), True),  # another address
    ((("10.0.0.1", "TCP", 8080),), (("10.0.0.1", "TCP", 8080),), False),
    ((("10.0.0.1", "TCP", 8080),), ((ANY, "TCP", 8080),), False),  # wildcard wants all
    (((ANY, "TCP", 8080),), (("10.0.0.1", "TCP", 8080),), False),  # wildcard holds all
    ((8080, 9090), (7070, 9090), False),
])
def test_filter(used, wanted, fits):
    node = node_info(make_node(), make_pod("holder", host_ports=used)) if used else node_info()
    status = filter_status(NodePorts(), make_pod(host_ports=wanted), node)
    if fits:
        assert status is None
    else:
        assert status.code is Code.UNSCHEDULABLE
        assert status.reasons == ("node(s) didn't have free ports for the requested pod ports",)


def test_pre_filter_skips_pods_without_host_ports():
    assert NodePorts().pre_filter(CycleState(), PodInfo.of(make_pod())).is_skip


def test_ports_free_again_when_the_holder_leaves():
    node = node_info(make_node(), make_pod("holder", host_ports=(80,)))
    node.remove_pod("default/holder")
    assert filter_status(NodePorts(), make_pod(host_ports=(80,)), node) is None
