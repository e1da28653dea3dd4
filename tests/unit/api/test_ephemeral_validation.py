"""Ephemeral containers' validation, one row per rule: the fields Kubernetes keeps in the
type but forbids, names unique across every container, a target that must be an app or
init container, and the subresource's update rule (added, never changed or removed; no
static pods)."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.core import Pod
from tugboat.api.defaults import apply_defaults
from tugboat.api.validation import validate
from tugboat.api.validation.ephemeralcontainers import validate_ephemeral_containers_update
from tugboat.api.validation.fielderrors import Errors

Obj = dict[str, Any]


def _pod(*ephemerals: Obj, annotations: dict[str, str] | None = None) -> Pod:
    pod = Pod.model_validate({
        "metadata": {"name": "app", "namespace": "default", "annotations": annotations or {}},
        "spec": {"containers": [{"name": "main", "image": "busybox:1.35"}],
                 "initContainers": [{"name": "setup", "image": "busybox:1.35"}],
                 "ephemeralContainers": list(ephemerals)}})
    apply_defaults(pod)
    return pod


def _debugger(**more: Any) -> Obj:
    return {"name": "debugger", "image": "busybox:1.35", **more}


def test_a_plain_debugger_is_valid() -> None:
    assert validate(_pod(_debugger(targetContainerName="main", stdin=True, tty=True))) == []
    assert validate(_pod(_debugger(targetContainerName="setup"))) == []


@pytest.mark.parametrize("field, value", [
    ("ports", [{"containerPort": 80}]),
    ("livenessProbe", {"exec": {"command": ["true"]}}),
    ("readinessProbe", {"tcpSocket": {"port": 80}}),
    ("startupProbe", {"exec": {"command": ["true"]}}),
    ("lifecycle", {"preStop": {"exec": {"command": ["true"]}}}),
    ("resources", {"requests": {"memory": "10Mi"}}),
    ("restartPolicy", "Always"),
])
def test_forbidden_fields(field: str, value: Any) -> None:
    causes = validate(_pod(_debugger(**{field: value})))
    assert [(c.field, c.reason, c.message) for c in causes] == [
        (f"spec.ephemeralContainers[0].{field}", "FieldValueForbidden",
         "Forbidden: cannot be set for an Ephemeral Container")]


def test_sub_path_mounts_are_forbidden() -> None:
    pod = _pod(_debugger(volumeMounts=[{"name": "data", "mountPath": "/d", "subPath": "x"}]))
    pod.spec.volumes = Pod.model_validate({"spec": {"volumes": [
        {"name": "data", "emptyDir": {}}]}}).spec.volumes
    assert [c.field for c in validate(pod)] == ["spec.ephemeralContainers[0].volumeMounts[0]"
                                                ".subPath"]


@pytest.mark.parametrize("name", ["main", "setup"])
def test_names_are_unique_across_all_containers(name: str) -> None:
    causes = validate(_pod(_debugger(name=name)))
    assert [(c.field, c.reason) for c in causes] == [
        ("spec.ephemeralContainers[0].name", "FieldValueDuplicate")]
    twice = validate(_pod(_debugger(), _debugger()))
    assert [c.field for c in twice] == ["spec.ephemeralContainers[1].name"]


def test_the_target_must_be_an_app_or_init_container() -> None:
    causes = validate(_pod(_debugger(), _debugger(name="second",
                                                  targetContainerName="debugger")))
    assert [(c.field, c.reason) for c in causes] == [
        ("spec.ephemeralContainers[1].targetContainerName", "FieldValueNotFound")]


def test_the_container_checks_still_apply() -> None:
    causes = validate(_pod({"name": "Bad_Name", "image": ""}))
    assert {c.field for c in causes} == {"spec.ephemeralContainers[0].name",
                                         "spec.ephemeralContainers[0].image"}


def _update(new: Pod, old: Pod) -> list[str]:
    errs: Errors = []
    validate_ephemeral_containers_update(new, old, errs)
    return [c.message or "" for c in errs]


def test_update_adds_but_never_changes_or_removes() -> None:
    old = _pod(_debugger())
    assert _update(_pod(_debugger(), _debugger(name="second")), old) == []
    assert _update(_pod(_debugger(image="busybox:1.36")), old) == [
        'Forbidden: existing ephemeral containers "debugger" may not be changed\n']
    assert _update(_pod(), old) == [
        'Forbidden: existing ephemeral containers "debugger" may not be removed\n']


def test_static_pods_take_none() -> None:
    old = _pod(annotations={"kubernetes.io/config.mirror": "abc"})
    assert _update(_pod(_debugger()), old) == [
        "Forbidden: static pods do not support ephemeral containers"]
