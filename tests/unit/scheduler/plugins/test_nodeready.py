"""NodeReady: NotReady and Unknown nodes take only pods tolerating the implied taint."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Code
from tugboat.scheduler.plugins.nodeready import NodeReady

from ..objects import filter_status, make_node, make_pod, node_info

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"


@pytest.mark.parametrize(("ready", "tolerations", "fits"), [
    ("True", None, True),
    (None, None, True),  # no Ready condition reported: not held back
    ("False", None, False),
    ("Unknown", None, False),
    ("False", [{"key": NOT_READY, "operator": "Exists", "effect": "NoSchedule"}], True),
    ("False", [{"key": UNREACHABLE, "operator": "Exists"}], False),
    ("Unknown", [{"key": UNREACHABLE, "operator": "Exists"}], True),
    ("False", [{"key": NOT_READY, "operator": "Exists", "effect": "NoExecute"}], False),
])
def test_filter(ready, tolerations, fits):
    status = filter_status(NodeReady(), make_pod(tolerations=tolerations),
                           node_info(make_node(ready=ready)))
    if fits:
        assert status is None
    else:
        assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
        assert status.reasons == ("node(s) were not ready",)
