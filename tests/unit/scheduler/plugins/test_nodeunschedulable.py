"""NodeUnschedulable: cordoned nodes take only pods tolerating the unschedulable taint."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Code
from tugboat.scheduler.plugins.nodeunschedulable import REASON, NodeUnschedulable

from ..objects import filter_status, make_node, make_pod, node_info

KEY = "node.kubernetes.io/unschedulable"


@pytest.mark.parametrize(("unschedulable", "tolerations", "fits"), [
    (False, None, True),
    (True, None, False),
    (True, [{"key": KEY, "operator": "Exists", "effect": "NoSchedule"}], True),
    (True, [{"key": KEY, "operator": "Exists"}], True),  # any effect
    (True, [{"operator": "Exists"}], True),  # tolerates everything
    (True, [{"key": KEY, "operator": "Exists", "effect": "NoExecute"}], False),
    (True, [{"key": "other", "operator": "Exists"}], False),
])
def test_filter(unschedulable, tolerations, fits):
    node = node_info(make_node(unschedulable=unschedulable))
    status = filter_status(NodeUnschedulable(), make_pod(tolerations=tolerations), node)
    if fits:
        assert status is None
    else:
        assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
        assert status.reasons == (REASON,) == ("node(s) were unschedulable",)
