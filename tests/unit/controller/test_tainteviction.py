"""When a pod must leave a node, given the node's NoExecute taints and when each was first
seen: the table of Kubernetes' taint manager rules, with the default toleration of the
health taints."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.node import Taint
from tugboat.api.pod import Pod
from tugboat.controller.tainteviction import NOT_READY, OUT_OF_SERVICE, UNREACHABLE, eviction_time


def pod(*tolerations: dict[str, Any]) -> Pod:
    return Pod.model_validate({"metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c"}], "tolerations": list(tolerations)}})


UNREACH = Taint(key=UNREACHABLE, effect="NoExecute")
OOS = Taint(key=OUT_OF_SERVICE, value="nodeshutdown", effect="NoExecute")


@pytest.mark.parametrize(("tolerations", "taints", "expected"), [
    ((), [(UNREACH, 100.0)], 400.0),  # the default toleration of a health taint
    ((), [(Taint(key=NOT_READY, effect="NoExecute"), 100.0)], 400.0),
    ((), [(OOS, 100.0)], 100.0),  # any other taint, not tolerated: at once
    (({"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"},),
     [(UNREACH, 100.0)], None),  # tolerated with no seconds: for good
    (({"operator": "Exists"},), [(UNREACH, 1.0), (OOS, 2.0)], None),  # tolerates everything
    (({"key": UNREACHABLE, "operator": "Exists", "tolerationSeconds": 5},),
     [(UNREACH, 100.0)], 105.0),
    (({"key": UNREACHABLE, "operator": "Exists", "tolerationSeconds": -5},),
     [(UNREACH, 100.0)], 100.0),  # a negative toleration is zero
    (({"key": OUT_OF_SERVICE, "operator": "Equal", "value": "other"},),
     [(OOS, 100.0)], 100.0),  # a value that does not match
    (({"key": UNREACHABLE, "operator": "Exists", "tolerationSeconds": 50},),
     [(UNREACH, 100.0), (OOS, 120.0)], 120.0),  # the earliest deadline wins
    ((), [], None),
])
def test_eviction_time(tolerations: tuple[dict[str, Any], ...],
                       taints: list[tuple[Taint, float]], expected: float | None) -> None:
    assert eviction_time(pod(*tolerations), taints, 300.0) == expected
