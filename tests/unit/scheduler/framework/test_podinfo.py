"""PodInfo: requests, non-zero requests, host ports, owner and images, computed once."""

from __future__ import annotations

import pytest

from tugboat.scheduler.framework import PodInfo
from tugboat.scheduler.framework.podinfo import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    normalized_image_name,
)

from ..objects import make_pod

MI = 1024 * 1024


def containers(*requests: dict, init: tuple[dict, ...] = ()) -> dict:
    spec = {"containers": [{"name": f"c{i}", "image": "x", "resources": {"requests": r}}
                           for i, r in enumerate(requests)]}
    if init:
        spec["initContainers"] = [{"name": f"i{i}", "image": "x", **r}
                                  for i, r in enumerate(init)]
    return spec


@pytest.mark.parametrize(("spec", "cpu", "memory"), [
    (containers({"cpu": "250m", "memory": "64Mi"}), 250, 64 * MI),
    (containers({"cpu": "250m"}, {"cpu": "1", "memory": "1Gi"}), 1250, 1024 * MI),
    (containers({"cpu": "0.1"}), 100, 0),
    (containers({"cpu": "1"}, init=({"resources": {"requests": {"cpu": "2"}}},)), 2000, 0),
    # a sidecar (restartPolicy Always) runs alongside the app containers
    (containers({"cpu": "1"}, init=({"restartPolicy": "Always",
                                     "resources": {"requests": {"cpu": "500m"}}},)), 1500, 0),
])
def test_requests(spec, cpu, memory):
    pod = make_pod()
    pod.spec = type(pod.spec).model_validate(spec)
    info = PodInfo.of(pod)
    assert (info.requests.cpu, info.requests.memory) == (cpu, memory)


def test_limits_stand_in_for_missing_requests():
    pod = make_pod()
    pod.spec.containers[0].resources = type(pod.spec.containers[0]).model_validate(
        {"name": "c", "resources": {"limits": {"cpu": "2"}}}).resources
    assert PodInfo.of(pod).requests.cpu == 2000


def test_non_zero_requests_default_per_container():
    info = PodInfo.of(make_pod(cpu="300m", images=("a", "b")))
    assert info.non_zero_cpu == 300 + DEFAULT_MILLI_CPU_REQUEST
    assert info.non_zero_memory == 2 * DEFAULT_MEMORY_REQUEST
    assert info.requests.memory == 0


def test_identity_ports_owner_images():
    info = PodInfo.of(make_pod("web", "prod", host_ports=(80, ("10.0.0.1", "UDP", 53)),
                               owner="rs", priority=7, images=("nginx", "busybox:1.35")))
    assert (info.key, info.namespace, info.name, info.priority) == ("prod/web", "prod", "web", 7)
    assert info.host_ports == (("0.0.0.0", "TCP", 80), ("10.0.0.1", "UDP", 53))
    assert info.owner_uid == "owner-rs"
    assert info.images == ("nginx:latest", "busybox:1.35")
    assert info.num_containers == 2


@pytest.mark.parametrize(("name", "expected"), [
    ("nginx", "nginx:latest"), ("nginx:1.25", "nginx:1.25"),
    ("registry:5000/app", "registry:5000/app:latest"),
    ("registry:5000/app:v1", "registry:5000/app:v1")])
def test_normalized_image_name(name, expected):
    assert normalized_image_name(name) == expected
