"""NodeResourcesFit: requests against allocatable minus what bound and assumed pods use."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import Code
from tugboat.scheduler.plugins.noderesourcesfit import NodeResourcesFit

from ..objects import filter_status, make_node, make_pod, node_info


def used(*requests: tuple[str | None, str | None]):
    return [make_pod(f"u{i}", cpu=c, memory=m) for i, (c, m) in enumerate(requests)]


@pytest.mark.parametrize(("node", "existing", "pod", "reasons"), [
    (make_node(cpu="2", memory="1Gi"), [], make_pod(cpu="1", memory="512Mi"), ()),
    (make_node(cpu="2", memory="1Gi"), [], make_pod(cpu="3"), ("Insufficient cpu",)),
    (make_node(cpu="2", memory="1Gi"), [], make_pod(memory="2Gi"), ("Insufficient memory",)),
    (make_node(cpu="2", memory="1Gi"), [], make_pod(cpu="2500m", memory="2Gi"),
     ("Insufficient cpu", "Insufficient memory")),
    (make_node(cpu="2"), used(("1500m", None)), make_pod(cpu="500m"), ()),  # exactly fits
    (make_node(cpu="2"), used(("1500m", None)), make_pod(cpu="501m"), ("Insufficient cpu",)),
    (make_node(memory="1Gi"), used((None, "768Mi")), make_pod(memory="300Mi"),
     ("Insufficient memory",)),
    (make_node(pods="2"), used((None, None), (None, None)), make_pod(), ("Too many pods",)),
    (make_node(pods="2", cpu="1"), used(("1", None), (None, None)), make_pod(cpu="1"),
     ("Too many pods", "Insufficient cpu")),
    (make_node(cpu="1"), used(("1", None)), make_pod(), ()),  # asks for nothing: fits
    (make_node(), [], make_pod(extra={"example.com/gpu": "1"}),
     ("Insufficient example.com/gpu",)),
    (make_node(extra={"example.com/gpu": "2"}), [], make_pod(extra={"example.com/gpu": "2"}),
     ()),
    (make_node(cpu="1"), [], make_pod(cpu="0.5", memory="1e3"), ()),
])
def test_filter(node, existing, pod, reasons):
    status = filter_status(NodeResourcesFit(), pod, node_info(node, *existing))
    if not reasons:
        assert status is None
    else:
        assert status.code is Code.UNSCHEDULABLE
        assert status.reasons == reasons


def test_init_containers_count_at_their_peak():
    big_init = make_pod(cpu="100m", initContainers=[
        {"name": "init", "image": "busybox", "resources": {"requests": {"cpu": "3"}}}])
    status = filter_status(NodeResourcesFit(), big_init, node_info(make_node(cpu="2")))
    assert status.reasons == ("Insufficient cpu",)


def test_overhead_counts():
    pod = make_pod(cpu="1", overhead={"cpu": "1500m"})
    assert filter_status(NodeResourcesFit(), pod, node_info(make_node(cpu="2"))) is not None


def test_allocatable_defaults_to_capacity():
    node = make_node()
    node.status.capacity, node.status.allocatable = {"cpu": "1", "pods": "10"}, None
    status = filter_status(NodeResourcesFit(), make_pod(cpu="2"), node_info(node))
    assert status.reasons == ("Insufficient cpu",)
