"""OwnerSpread: nodes holding fewer pods of the same controller score higher."""

from __future__ import annotations

import pytest

from tugboat.scheduler.plugins.ownerspread import OwnerSpread

from ..objects import make_node, make_pod, node_info, score_nodes


def nodes():
    return [node_info(make_node("a"), make_pod("x1", owner="x"), make_pod("x2", owner="x")),
            node_info(make_node("b"), make_pod("x3", owner="x"), make_pod("y1", owner="y")),
            node_info(make_node("c"), make_pod("y2", owner="y"), make_pod("free"))]


@pytest.mark.parametrize(("owner", "expected"), [
    ("x", [0, 50, 100]),
    ("y", [100, 0, 0]),
    ("z", [100, 100, 100]),  # none placed yet: every node equal
    (None, None),  # no controller: skipped
])
def test_score(owner, expected):
    assert score_nodes(OwnerSpread(), make_pod(owner=owner), nodes()) == expected


def test_assumed_pods_count_as_soon_as_placed():
    infos = [node_info(make_node("a")), node_info(make_node("b"))]
    from tugboat.scheduler.framework import PodInfo
    infos[0].add_pod(PodInfo.of(make_pod("x1", owner="x")))
    assert score_nodes(OwnerSpread(), make_pod(owner="x"), infos) == [0, 100]
