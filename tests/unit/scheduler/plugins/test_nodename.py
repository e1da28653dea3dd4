"""NodeName: a pod naming its node fits only there; others skip the filter."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Code, CycleState, PodInfo
from tugboat.scheduler.plugins.nodename import NodeName

from ..objects import filter_status, make_node, make_pod, node_info


@pytest.mark.parametrize(("wanted", "node", "fits"), [
    (None, "n1", True),
    ("n1", "n1", True),
    ("n2", "n1", False),
])
def test_filter(wanted, node, fits):
    status = filter_status(NodeName(), make_pod(node_name=wanted), node_info(make_node(node)))
    if fits:
        assert status is None
    else:
        assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
        assert status.reasons == ("node(s) didn't match the requested node name",)


def test_pre_filter_skips_pods_without_node_name():
    assert NodeName().pre_filter(CycleState(), PodInfo.of(make_pod())).is_skip
    assert NodeName().pre_filter(CycleState(), PodInfo.of(make_pod(node_name="n"))) is None
