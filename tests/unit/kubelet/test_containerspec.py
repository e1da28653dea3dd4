"""Container → ContainerConfig: command/args semantics, $(VAR) expansion, env sources,
limits; and the sandbox's ports."""

from __future__ import annotations

import pytest

from tugboat.kubelet.containerspec import container_config, sandbox_ports
from tugboat.kubelet.runtime import PodRef

from .conftest import NODE, make_pod

REF = PodRef("uid-web", "web", "default", NODE)


def config_for(**container):  # noqa: ANN003, ANN201
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35", **container}])
    return container_config(pod, pod.spec.containers[0], 0, REF, [])


@pytest.mark.parametrize(("container", "entrypoint", "cmd"), [
    ({}, None, None),  # the image's entrypoint and cmd
    ({"command": ["sleep"]}, ["sleep"], None),  # the image's cmd is dropped
    ({"args": ["60"]}, None, ["60"]),  # the image's entrypoint, new cmd
    ({"command": ["sleep"], "args": ["60"]}, ["sleep"], ["60"]),
])
def test_command_and_args(container: dict, entrypoint: list | None, cmd: list | None) -> None:
    c = config_for(**container)
    assert (c.entrypoint, c.cmd) == (entrypoint, cmd)


def test_command_and_args_expand_from_the_final_environment() -> None:
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "command": ["echo", "$(BOTH)"], "args": ["$$(BOTH)", "$(NO)"]}])
    c = container_config(pod, pod.spec.containers[0], 0, REF, [],
                         env={"BOTH": "hi there"})
    assert c.env == {"BOTH": "hi there"}
    assert (c.entrypoint, c.cmd) == (["echo", "hi there"], ["$(BOTH)", "$(NO)"])


def test_limits_in_runtime_units() -> None:
    c = config_for(resources={"limits": {"memory": "64Mi", "cpu": "250m"}})
    assert (c.memory_limit_bytes, c.cpu_limit_millis, c.cpu_request_millis) == \
        (64 << 20, 250, 250)


def test_working_dir_and_ports() -> None:
    assert config_for(workingDir="/srv").working_dir == "/srv"
    pod = make_pod(containers=[{"name": "a", "image": "x:1", "ports": [
        {"containerPort": 80, "hostPort": 8080}, {"containerPort": 53, "protocol": "UDP"}]}])
    ports = sandbox_ports(pod)
    assert [(p.container_port, p.host_port, p.protocol) for p in ports] == \
        [(80, 8080, "TCP"), (53, None, "UDP")]
