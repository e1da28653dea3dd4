"""NodeAffinity: nodeSelector and required terms as a filter, preferred terms as a score."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Code, CycleState, PodInfo
from tugboat.scheduler.plugins.nodeaffinity import NodeAffinity

from ..objects import filter_status, make_node, make_pod, node_info, score_nodes

REASON = "node(s) didn't match Pod's node affinity/selector"


def required(*terms: dict) -> dict:
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": list(terms)}}}


def expr(key: str, operator: str, *values: str) -> dict:
    return {"matchExpressions": [{"key": key, "operator": operator,
                                  **({"values": list(values)} if values else {})}]}


LABELS = {"disk": "ssd", "zone": "a", "cores": "8"}


@pytest.mark.parametrize(("selector", "affinity", "fits"), [
    ({"disk": "ssd"}, None, True),
    ({"disk": "hdd"}, None, False),
    ({"disk": "ssd", "zone": "b"}, None, False),
    ({"gpu": "yes"}, None, False),
    (None, required(expr("disk", "In", "ssd", "nvme")), True),
    (None, required(expr("disk", "In", "hdd")), False),
    (None, required(expr("disk", "NotIn", "hdd")), True),
    (None, required(expr("gpu", "NotIn", "yes")), True),  # absent satisfies NotIn
    (None, required(expr("disk", "Exists")), True),
    (None, required(expr("gpu", "Exists")), False),
    (None, required(expr("gpu", "DoesNotExist")), True),
    (None, required(expr("cores", "Gt", "4")), True),
    (None, required(expr("cores", "Lt", "4")), False),
    (None, required(expr("disk", "Gt", "4")), False),  # not an integer: no match
    (None, required(expr("disk", "In", "hdd"), expr("zone", "In", "a")), True),  # ORed
    (None, required({"matchExpressions": [
        {"key": "disk", "operator": "In", "values": ["ssd"]},
        {"key": "zone", "operator": "In", "values": ["b"]}]}), False),  # ANDed
    (None, required({"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": ["n"]}]}), True),
    (None, required({"matchFields": [
        {"key": "metadata.name", "operator": "NotIn", "values": ["n"]}]}), False),
    (None, required({}), False),  # an empty term matches nothing
    (None, required(expr("disk", "Bogus", "x")), False),  # unparsable: matches nothing
    ({"disk": "ssd"}, required(expr("zone", "In", "b")), False),  # both must hold
])
def test_filter(selector, affinity, fits):
    pod = make_pod(node_selector=selector, affinity=affinity)
    status = filter_status(NodeAffinity(), pod, node_info(make_node("n", labels=LABELS)))
    if fits:
        assert status is None
    else:
        assert status.code is Code.UNSCHEDULABLE_AND_UNRESOLVABLE
        assert status.reasons == (REASON,)


def test_pre_filter_skips_unconstrained_pods():
    assert NodeAffinity().pre_filter(CycleState(), PodInfo.of(make_pod())).is_skip


def preferred(*weighted: tuple[int, dict]) -> dict:
    return {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": w, "preference": term} for w, term in weighted]}}


@pytest.mark.parametrize(("affinity", "expected"), [
    (None, None),  # skipped
    (preferred((10, expr("disk", "In", "ssd"))), [100, 0, 0]),
    (preferred((10, expr("disk", "In", "ssd")), (30, expr("zone", "In", "a"))),
     [100, 75, 0]),
    (preferred((5, expr("gpu", "Exists"))), [0, 0, 0]),
])
def test_score(affinity, expected):
    nodes = [node_info(make_node("a", labels={"disk": "ssd", "zone": "a"})),
             node_info(make_node("b", labels={"zone": "a"})),
             node_info(make_node("c"))]
    assert score_nodes(NodeAffinity(), make_pod(affinity=affinity), nodes) == expected
