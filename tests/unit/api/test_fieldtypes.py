"""The sized integers: every int field of the models holds what its Go type holds, the
refusal reads as Kubernetes' decoder's ("... must be of type int32"), and the OpenAPI
schema carries the format and bounds."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from tugboat.api.apps import Deployment
from tugboat.api.core import ReplicationController
from tugboat.api.fieldtypes import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN
from tugboat.api.meta import DeleteOptions
from tugboat.api.pod import Pod
from tugboat.api.service import Service
from tugboat.api.validation import causes_from_pydantic


def _causes(model: type[pydantic.BaseModel], body: dict[str, Any]) -> list[tuple[str, str]]:
    try:
        model.model_validate(body)
    except pydantic.ValidationError as e:
        return [(c.field or "", c.message or "") for c in causes_from_pydantic(e)]
    return []


@pytest.mark.parametrize("value", [INT32_MIN, -1, 0, INT32_MAX])
def test_int32_takes_its_whole_range(value: int) -> None:
    assert _causes(ReplicationController, {"spec": {"replicas": value}}) == []


@pytest.mark.parametrize("value", [INT32_MIN - 1, INT32_MAX + 1, INT64_MAX])
def test_int32_refuses_what_go_cannot_hold(value: int) -> None:
    assert _causes(ReplicationController, {"spec": {"replicas": value}}) == [
        ("spec.replicas", f"Invalid value: {value}: spec.replicas in body must be of type "
                          f"int32")]


@pytest.mark.parametrize(("value", "ok"), [(INT64_MAX, True), (INT64_MIN, True),
                                          (INT64_MAX + 1, False), (INT64_MIN - 1, False)])
def test_int64_fields(value: int, ok: bool) -> None:
    causes = _causes(Pod, {"spec": {"containers": [], "terminationGracePeriodSeconds": value}})
    assert (causes == []) is ok, causes
    assert DeleteOptions.model_validate({"gracePeriodSeconds": 2**62}).gracePeriodSeconds \
        == 2**62


def test_int_or_string_holds_an_int32_or_a_string() -> None:
    port = {"spec": {"ports": [{"port": 80, "targetPort": INT32_MAX + 1}]}}
    assert _causes(Service, port) == [(
        "spec.ports[0].targetPort", f"Invalid value: {INT32_MAX + 1}: spec.ports[0].targetPort "
                                    f"in body must be of type int32 or string")]
    port["spec"]["ports"][0]["targetPort"] = "http"
    assert _causes(Service, port) == []


def test_other_bounds_are_not_taken_for_a_type() -> None:
    """Only a Go type's own limits read as "of type int32"; a bool is still no integer."""
    assert _causes(Deployment, {"spec": {"replicas": True, "selector": {},
                                         "template": {}}})[0][1].endswith("type integer")


def test_the_schema_carries_format_and_bounds() -> None:
    schema = ReplicationController.model_json_schema()["$defs"]["ReplicationControllerSpec"]
    replicas = next(s for s in schema["properties"]["replicas"]["anyOf"]
                    if s.get("type") == "integer")
    assert replicas == {"type": "integer", "format": "int32", "minimum": INT32_MIN,
                        "maximum": INT32_MAX}


@pytest.mark.parametrize(("volume", "field"), [
    ({"name": "v", "persistentVolumeClaim": {}}, "spec.volumes[0].persistentVolumeClaim.claimName"),
    ({"name": "v", "nfs": {"server": "s"}}, "spec.volumes[0].nfs.path"),
    ({"name": "v", "csi": {"driver": 5}}, "spec.volumes[0].csi.driver"),
])
def test_sources_tugboat_does_not_mount_need_what_kubernetes_requires(
        volume: dict[str, Any], field: str) -> None:
    """A source stored without its required fields could not be read back by any client."""
    assert field in [f for f, _ in _causes(Pod, {"spec": {"containers": [],
                                                          "volumes": [volume]}})]


def test_sources_tugboat_does_not_mount_keep_every_field_as_sent() -> None:
    nfs = {"server": "s", "path": "/p", "readOnly": True, "future": {"x": [1]}}
    pod = Pod.model_validate({"spec": {"containers": [], "volumes": [{"name": "v", "nfs": nfs}]}})
    assert pod.wire()["spec"]["volumes"][0]["nfs"] == nfs
