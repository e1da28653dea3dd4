"""ImageLocality: nodes holding the pod's images score by size × share of nodes."""

from __future__ import annotations

import pytest

from tugboat.scheduler.plugins.imagelocality import (
    MB,
    ImageLocality,
    calculate_priority,
)

from ..objects import make_node, make_pod, node_info, score_nodes


class View:
    """The ClusterView: how many nodes there are and hold each image."""

    def __init__(self, nodes):
        self.nodes = nodes

    def node_count(self) -> int:
        return len(self.nodes)

    def image_node_count(self, image: str) -> int:
        return sum(1 for n in self.nodes if image in n.images)


def cluster():
    return [node_info(make_node("a", images={"big:1": 500 * MB, "nginx": 100 * MB})),
            node_info(make_node("b", images={"nginx:latest": 100 * MB})),
            node_info(make_node("c"))]


@pytest.mark.parametrize(("images", "expected"), [
    (("big:1",), [100 * (500 * MB // 3 - 23 * MB) // (977 * MB), 0, 0]),
    (("nginx",), [100 * (200 * MB // 3 - 23 * MB) // (977 * MB)] * 2 + [0]),
    (("busybox:1.35",), None),  # on no node: skipped
])
def test_score(images, expected):
    nodes = cluster()
    assert score_nodes(ImageLocality(View(nodes)), make_pod(images=images), nodes) == expected


@pytest.mark.parametrize(("total", "containers", "expected"), [
    (0, 1, 0), (23 * MB, 1, 0), (1000 * MB, 1, 100), (5000 * MB, 1, 100),
    (1000 * MB, 2, 100 * 977 // 1977)])
def test_calculate_priority(total, containers, expected):
    assert calculate_priority(total, containers) == expected
