"""NodeResourcesBalancedAllocation: cpu and memory used in even proportion score higher."""

from __future__ import annotations

import pytest

from tugboat.scheduler.plugins.balancedallocation import (
    NodeResourcesBalancedAllocation,
    balanced_score,
)

from ..objects import make_node, make_pod, node_info, score_nodes

NODE = make_node(cpu="4", memory="8Gi")


@pytest.mark.parametrize(("pod", "existing", "expected"), [
    (make_pod(cpu="1", memory="2Gi"), [], 100),
    (make_pod(cpu="2", memory="1Gi"), [], 81),  # 0.5 vs 0.125: std 0.1875
    (make_pod(cpu="1"), [make_pod("u", memory="6Gi")], 75),  # 0.25 vs 0.75
    (make_pod(cpu="8", memory="1Gi"), [], 56),  # cpu capped at 1.0 vs 0.125
    (make_pod(), [], None),  # requests nothing: skipped
])
def test_score(pod, existing, expected):
    result = score_nodes(NodeResourcesBalancedAllocation(), pod, [node_info(NODE, *existing)])
    assert result == (None if expected is None else [expected])


@pytest.mark.parametrize(("fractions", "expected"), [
    ([], 100), ([0.3], 100), ([0.2, 0.6], 80), ([0.0, 0.5, 1.0], 59)])
def test_balanced_score(fractions, expected):
    assert balanced_score(fractions) == expected
