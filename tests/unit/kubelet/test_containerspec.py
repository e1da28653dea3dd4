"""Container → ContainerConfig: command/args semantics, $(VAR) expansion, env sources,
limits; and the sandbox's ports."""

from __future__ import annotations

import pytest

from tugboat.kubelet.containerspec import container_config, expand, sandbox_ports
from tugboat.kubelet.reasons import StartFailure
from tugboat.kubelet.runtime import PodRef

from .conftest import NODE, make_pod

REF = PodRef("uid-web", "web", "default", NODE)


def config_for(**container):  # noqa: ANN003, ANN201
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35", **container}])
    return container_config(pod, pod.spec.containers[0], 0, REF, [], "10.1.1.1", "10.0.0.1")


@pytest.mark.parametrize(("container", "entrypoint", "cmd"), [
    ({}, None, None),  # the image's entrypoint and cmd
    ({"command": ["sleep"]}, ["sleep"], None),  # the image's cmd is dropped
    ({"args": ["60"]}, None, ["60"]),  # the image's entrypoint, new cmd
    ({"command": ["sleep"], "args": ["60"]}, ["sleep"], ["60"]),
])
def test_command_and_args(container: dict, entrypoint: list | None, cmd: list | None) -> None:
    c = config_for(**container)
    assert (c.entrypoint, c.cmd) == (entrypoint, cmd)


def test_variable_expansion() -> None:
    env = {"A": "x", "B": "y"}
    assert expand("$(A)-$(B)-$(C)-$$(A)", env) == "x-y-$(C)-$(A)"
    c = config_for(env=[{"name": "GREETING", "value": "hi"},
                        {"name": "BOTH", "value": "$(GREETING) there"}],
                   command=["echo", "$(BOTH)"])
    assert c.env == {"GREETING": "hi", "BOTH": "hi there"}
    assert c.entrypoint == ["echo", "hi there"]


def test_field_and_resource_refs() -> None:
    c = config_for(
        env=[{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
             {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
             {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
             {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory",
                                                                "divisor": "1Mi"}}}],
        resources={"limits": {"memory": "64Mi", "cpu": "250m"}})
    assert c.env == {"POD": "web", "IP": "10.1.1.1", "NODE": NODE, "MEM": "64"}
    assert (c.memory_limit_bytes, c.cpu_limit_millis, c.cpu_request_millis) == \
        (64 << 20, 250, 250)


def test_config_map_refs_are_a_config_error() -> None:
    with pytest.raises(StartFailure) as err:
        config_for(env=[{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "c",
                                                                         "key": "k"}}}])
    assert err.value.reason == "CreateContainerConfigError"


def test_working_dir_and_ports() -> None:
    assert config_for(workingDir="/srv").working_dir == "/srv"
    pod = make_pod(containers=[{"name": "a", "image": "x:1", "ports": [
        {"containerPort": 80, "hostPort": 8080}, {"containerPort": 53, "protocol": "UDP"}]}])
    ports = sandbox_ports(pod)
    assert [(p.container_port, p.host_port, p.protocol) for p in ports] == \
        [(80, 8080, "TCP"), (53, None, "UDP")]
