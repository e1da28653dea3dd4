"""TaintToleration: NoSchedule/NoExecute taints filter, PreferNoSchedule taints score."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Code
from tugboat.scheduler.plugins.tainttoleration import TaintToleration

from ..objects import filter_status, make_node, make_pod, node_info, score_nodes


def taint(key: str, effect: str, value: str | None = None) -> dict:
    return {"key": key, "effect": effect, **({"value": value} if value else {})}


def tol(key: str | None = None, operator: str | None = None, value: str | None = None,
        effect: str | None = None) -> dict:
    return {k: v for k, v in (("key", key), ("operator", operator), ("value", value),
                              ("effect", effect)) if v is not None}


GPU = taint("dedicated", "NoSchedule", "gpu")


@pytest.mark.parametrize(("taints", "tolerations", "rejected_by"), [
    ([], None, None),
    ([GPU], None, "{dedicated: gpu}"),
    ([GPU], [tol("dedicated", "Equal", "gpu", "NoSchedule")], None),
    ([GPU], [tol("dedicated", None, "gpu")], None),  # operator defaults to Equal
    ([GPU], [tol("dedicated", "Equal", "cpu")], "{dedicated: gpu}"),
    ([GPU], [tol("dedicated", "Exists")], None),
    ([GPU], [tol(operator="Exists")], None),  # empty key + Exists: every taint
    ([GPU], [tol("dedicated", "Exists", effect="NoExecute")], "{dedicated: gpu}"),
    ([taint("maint", "NoExecute")], None, "{maint: }"),
    ([taint("soft", "PreferNoSchedule")], None, None),  # never filters
    ([GPU, taint("b", "NoSchedule", "x")], [tol("dedicated", "Exists")], "{b: x}"),
])
def test_filter(taints, tolerations, rejected_by):
    status = filter_status(TaintToleration(), make_pod(tolerations=tolerations),
                           node_info(make_node(taints=taints)))
    if rejected_by is None:
        assert status is None
    else:
        assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
        assert status.reasons == (f"node(s) had untolerated taint {rejected_by}",)


SOFT = taint("soft", "PreferNoSchedule")


@pytest.mark.parametrize(("tolerations", "expected"), [
    (None, [100, 50, 0]),
    ([tol("soft", "Exists", effect="PreferNoSchedule")], [100, 100, 0]),
    ([tol(operator="Exists")], [100, 100, 100]),
    ([tol("soft", "Exists", effect="NoSchedule")], [100, 50, 0]),  # wrong effect
])
def test_score(tolerations, expected):
    nodes = [node_info(make_node("a")), node_info(make_node("b", taints=[SOFT])),
             node_info(make_node("c", taints=[SOFT, taint("hard", "PreferNoSchedule")]))]
    assert score_nodes(TaintToleration(), make_pod(tolerations=tolerations), nodes) == expected


def test_score_skipped_without_prefer_taints():
    assert score_nodes(TaintToleration(), make_pod(), [node_info(make_node(taints=[GPU]))]) \
        is None
