"""NodeResourcesLeastAllocated: more room left after placing the pod scores higher."""

from __future__ import annotations

import pytest

from tugboat.scheduler.plugins.leastallocated import (
    NodeResourcesLeastAllocated,
    least_requested_score,
)

from ..objects import make_node, make_pod, node_info, score_nodes


@pytest.mark.parametrize(("pod", "existing", "node", "expected"), [
    (make_pod(cpu="1", memory="2Gi"), [], make_node(cpu="4", memory="8Gi"), 75),
    (make_pod(cpu="1", memory="2Gi"), [make_pod("u", cpu="2", memory="4Gi")],
     make_node(cpu="4", memory="8Gi"), 25),
    (make_pod(), [], make_node(cpu="4", memory="8Gi"), 97),  # non-zero defaults: 100m, 200Mi
    (make_pod(cpu="5", memory="1Gi"), [], make_node(cpu="4", memory="8Gi"), (0 + 87) // 2),
    (make_pod(cpu="1"), [], make_node(cpu="4", memory="0"), 75),  # no memory: cpu only
    (make_pod(cpu="1"), [], make_node(cpu="0", memory="0"), 0),
])
def test_score(pod, existing, node, expected):
    assert score_nodes(NodeResourcesLeastAllocated(), pod,
                       [node_info(node, *existing)]) == [expected]


def test_emptier_node_wins():
    pod = make_pod(cpu="500m", memory="1Gi")
    busy = node_info(make_node("busy"), make_pod("u", cpu="3", memory="6Gi"))
    idle = node_info(make_node("idle"))
    low, high = score_nodes(NodeResourcesLeastAllocated(), pod, [busy, idle])
    assert high > low


@pytest.mark.parametrize(("requested", "allocatable", "expected"),
                         [(0, 10, 100), (5, 10, 50), (10, 10, 0), (11, 10, 0), (1, 3, 66)])
def test_least_requested_score(requested, allocatable, expected):
    assert least_requested_score(requested, allocatable) == expected
