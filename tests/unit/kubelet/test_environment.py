"""A container's environment: envFrom, env and its valueFrom sources, the service variables
underneath, and Kubernetes' CreateContainerConfigError messages for what is missing."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from tugboat.api.meta import Status
from tugboat.client import Forbidden, NotFound
from tugboat.kubelet.environment import ContainerEnvironment, is_env_var_name
from tugboat.kubelet.reasons import StartFailure

from .conftest import NODE, Harness, make_pod

ALLOCATABLE = {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "100Gi", "pods": "110"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


OBJECTS: dict[tuple[str, str], dict[str, Any]] = {
    ("configmaps", "app"): {"data": {"MODE": "fast", "LEVEL": "3", "1BAD": "x",
                                      "with space": "y"}},
    ("secrets", "creds"): {"data": {"PASSWORD": b64("s3cret"), "USER": b64("admin")}},
}


class Api:
    """The objects of namespace `default`, and every read the environment made."""

    def __init__(self, forbidden: bool = False):
        self.reads: list[tuple[str, str]] = []
        self.forbidden = forbidden

    async def get(self, resource: str, name: str, namespace: str) -> Any:
        assert namespace == "default"
        self.reads.append((resource, name))
        if self.forbidden:
            raise Forbidden(Status(code=403, reason="Forbidden", message=f'{resource} "{name}"'
                                   f" is forbidden: no relationship found"))
        if (resource, name) not in OBJECTS:
            raise NotFound(Status(code=404, reason="NotFound", message="not found"))
        return OBJECTS[resource, name]


def make(container: dict[str, Any], service_env: dict[str, str] | None = None,
         api: Api | None = None, events: list | None = None) -> dict[str, str]:
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35", **container}],
                   serviceAccountName="robot")
    pod.metadata.labels = {"app": "web"}
    pod.metadata.annotations = {"team": "blue"}
    record = (lambda _p, *event: events.append(event)) if events is not None \
        else (lambda *_a: None)
    env = ContainerEnvironment((api or Api()).get, lambda: ALLOCATABLE, record)
    return asyncio.run(env.make(pod, pod.spec.containers[0], "10.1.1.1", "10.0.0.1",
                                service_env or {}))


def failure(container: dict[str, Any]) -> str:
    with pytest.raises(StartFailure) as err:
        make(container)
    assert err.value.reason == "CreateContainerConfigError"
    return err.value.message


def ref(kind: str, name: str, key: str | None = None, optional: bool | None = None) -> dict:
    selector: dict[str, Any] = {"name": name}
    if key is not None:
        selector["key"] = key
    if optional is not None:
        selector["optional"] = optional
    return {kind: selector}


def test_order_env_from_then_env_then_services_underneath() -> None:
    env = make({"envFrom": [ref("configMapRef", "app"), {"prefix": "DB_",
                                                         **ref("secretRef", "creds")}],
                "env": [{"name": "MODE", "value": "slow"},
                        {"name": "KUBERNETES_SERVICE_HOST", "value": "mine"}]},
               service_env={"KUBERNETES_SERVICE_HOST": "10.96.0.1", "WEB_SERVICE_PORT": "80"})
    assert list(env.items()) == [
        ("LEVEL", "3"), ("MODE", "slow"), ("DB_PASSWORD", "s3cret"), ("DB_USER", "admin"),
        ("KUBERNETES_SERVICE_HOST", "mine"), ("WEB_SERVICE_PORT", "80")]


def test_invalid_env_from_keys_are_skipped_with_an_event() -> None:
    events: list = []
    env = make({"envFrom": [ref("configMapRef", "app")]}, events=events)
    assert env == {"LEVEL": "3", "MODE": "fast"}
    assert events == [("Warning", "InvalidEnvironmentVariableNames",
                       "Keys [1BAD, with space] from the EnvFrom configMap default/app were "
                       "skipped since they are considered invalid environment variable names.")]
    events.clear()
    assert make({"envFrom": [{"prefix": "P_", **ref("configMapRef", "app")}]}, events=events) \
        == {"P_1BAD": "x", "P_LEVEL": "3", "P_MODE": "fast"}
    assert [e[2].split(" from")[0] for e in events] == ["Keys [P_with space]"]


def test_key_refs() -> None:
    env = make({"env": [{"name": "M", "valueFrom": ref("configMapKeyRef", "app", "MODE")},
                        {"name": "P", "valueFrom": ref("secretKeyRef", "creds", "PASSWORD")}]})
    assert env == {"M": "fast", "P": "s3cret"}


@pytest.mark.parametrize(("source", "message"), [
    (ref("configMapKeyRef", "nope", "k"), 'configmap "nope" not found'),
    (ref("secretKeyRef", "nope", "k"), 'secret "nope" not found'),
    (ref("configMapKeyRef", "app", "nokey"), "couldn't find key nokey in ConfigMap default/app"),
    (ref("secretKeyRef", "creds", "nokey"), "couldn't find key nokey in Secret default/creds"),
])
def test_missing_objects_and_keys_are_a_config_error(source: dict, message: str) -> None:
    assert failure({"env": [{"name": "X", "valueFrom": source}]}) == message


@pytest.mark.parametrize("envfrom", [ref("configMapRef", "nope"), ref("secretRef", "nope")])
def test_missing_env_from_source_is_a_config_error(envfrom: dict) -> None:
    word = "configmap" if "configMapRef" in envfrom else "secret"
    assert failure({"envFrom": [envfrom]}) == f'{word} "nope" not found'


def test_optional_sources_that_are_missing_leave_the_variable_unset() -> None:
    env = make({"envFrom": [ref("configMapRef", "nope", optional=True),
                            ref("secretRef", "nope", optional=True)],
                "env": [{"name": "A", "valueFrom": ref("configMapKeyRef", "nope", "k", True)},
                        {"name": "B", "valueFrom": ref("configMapKeyRef", "app", "no", True)},
                        {"name": "C", "valueFrom": ref("secretKeyRef", "creds", "no", True)},
                        {"name": "D", "value": "$(A)"}]},
               service_env={"A": "from a service"})
    assert env == {"D": "from a service", "A": "from a service"}


def test_an_unreadable_object_fails_even_when_optional() -> None:
    with pytest.raises(StartFailure) as err:
        make({"envFrom": [ref("configMapRef", "app", optional=True)]}, api=Api(forbidden=True))
    assert err.value.message.startswith('configmaps "app" is forbidden')


def test_each_object_is_read_once() -> None:
    api = Api()
    make({"envFrom": [ref("configMapRef", "app")],
          "env": [{"name": "A", "valueFrom": ref("configMapKeyRef", "app", "MODE")},
                  {"name": "B", "valueFrom": ref("configMapKeyRef", "app", "LEVEL")}]}, api=api)
    assert api.reads == [("configmaps", "app")]


def test_values_expand_from_what_is_defined_so_far_then_the_service_variables() -> None:
    env = make({"envFrom": [ref("configMapRef", "app")],
                "env": [{"name": "URL", "value": "http://$(WEB_SERVICE_HOST):$(PORT)/$(MODE)"},
                        {"name": "PORT", "value": "8080"},
                        {"name": "AGAIN", "value": "$(URL) $$(URL)"}]},
               service_env={"WEB_SERVICE_HOST": "10.96.0.9"})
    assert env["URL"] == "http://10.96.0.9:$(PORT)/fast"
    assert env["AGAIN"] == "http://10.96.0.9:$(PORT)/fast $(URL)"


def test_field_refs() -> None:
    paths = {"NAME": "metadata.name", "NS": "metadata.namespace", "UID": "metadata.uid",
             "LABEL": "metadata.labels['app']", "ANNOTATION": "metadata.annotations['team']",
             "NODE": "spec.nodeName", "SA": "spec.serviceAccountName",
             "HOST_IP": "status.hostIP", "HOST_IPS": "status.hostIPs",
             "POD_IP": "status.podIP", "POD_IPS": "status.podIPs"}
    env = make({"env": [{"name": k, "valueFrom": {"fieldRef": {"fieldPath": v}}}
                        for k, v in paths.items()]})
    assert env == {"NAME": "web", "NS": "default", "UID": "uid-web", "LABEL": "web",
                   "ANNOTATION": "blue", "NODE": NODE, "SA": "robot", "HOST_IP": "10.0.0.1",
                   "HOST_IPS": "10.0.0.1", "POD_IP": "10.1.1.1", "POD_IPS": "10.1.1.1"}


def _resource(name: str, resource: str, divisor: str | None = None) -> dict:
    selector = {"resource": resource} | ({"divisor": divisor} if divisor else {})
    return {"name": name, "valueFrom": {"resourceFieldRef": selector}}


def test_resource_field_refs_with_divisors() -> None:
    env = make({"resources": {"limits": {"memory": "64Mi", "cpu": "250m"},
                              "requests": {"memory": "32Mi", "cpu": "100m"}},
                "env": [_resource("MEM", "limits.memory", "1Mi"),
                        _resource("MEM_BYTES", "limits.memory"),
                        _resource("REQ_MEM", "requests.memory", "1Mi"),
                        _resource("CPU", "limits.cpu"),  # 250m rounds up to 1 core
                        _resource("CPU_M", "limits.cpu", "1m"),
                        _resource("REQ_CPU_M", "requests.cpu", "1m")]})
    assert env == {"MEM": "64", "MEM_BYTES": str(64 << 20), "REQ_MEM": "32", "CPU": "1",
                   "CPU_M": "250", "REQ_CPU_M": "100"}


def test_a_missing_limit_reads_as_node_allocatable() -> None:
    env = make({"env": [_resource("MEM", "limits.memory", "1Gi"), _resource("CPU", "limits.cpu"),
                        _resource("DISK", "limits.ephemeral-storage", "1Gi")]})
    assert env == {"MEM": "8", "CPU": "4", "DISK": "100"}


def test_an_unsupported_resource_is_a_config_error() -> None:
    assert failure({"env": [_resource("X", "limits.nvidia.com/gpu")]}) == \
        "unsupported container resource : limits.nvidia.com/gpu"


@pytest.mark.parametrize(("name", "valid"), [
    ("PATH", True), ("_x", True), ("a.b-c", True), ("-x", True), (".x", True),
    ("1ABC", False), ("with space", False), ("", False), (".", False), ("..", False),
    ("..x", False), ("é", False),
])
def test_env_var_names(name: str, valid: bool) -> None:
    assert is_env_var_name(name) is valid


@pytest.mark.anyio
async def test_the_pod_worker_reports_a_missing_config_map_in_the_waiting_state(
        harness: Harness) -> None:
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35", "env": [
        {"name": "X", "valueFrom": ref("configMapKeyRef", "settings", "k")}]}])
    harness.add(pod)
    await harness.sync(pod)
    status = harness.status_of(pod)
    waiting = status.containerStatuses[0].state.waiting
    assert (status.phase, waiting.reason, waiting.message) == (
        "Pending", "CreateContainerConfigError", 'configmap "settings" not found')
    assert harness.events[-1] == ("Warning", "Failed", 'Error: configmap "settings" not found')
    assert not harness.containers("app")


@pytest.mark.anyio
async def test_the_started_container_gets_the_environment(harness: Harness) -> None:
    pod = make_pod(containers=[{"name": "app", "image": "busybox:1.35",
                                "command": ["echo", "$(POD)"],
                                "env": [{"name": "POD", "valueFrom": {"fieldRef": {
                                    "fieldPath": "metadata.name"}}}]}])
    harness.add(pod)
    await harness.sync(pod)
    config = harness.runtime.configs[harness.containers("app")[0].id]
    assert (config.env, config.entrypoint) == ({"POD": "web"}, ["echo", "web"])
