"""The served components carry Kubernetes' own doc comments (what `kubectl explain` prints),
and the apimachinery types and list markers as Kubernetes' documents have them."""

from __future__ import annotations

from typing import Any

from tugboat.api.proto import descriptions, messages
from tugboat.api.resources import groups
from tugboat.apiserver import openapi, openapimessages

Obj = dict[str, Any]


def _components() -> dict[str, Obj]:
    out: dict[str, Obj] = {}
    for g, versions in groups().items():
        for v in versions:
            doc = openapi.group_version(g, v)
            assert doc is not None
            out.update(doc["components"]["schemas"])
    return out


def test_every_documented_property_has_kubernetes_description() -> None:
    """Lists every component property Kubernetes documents that the served one lacks (or
    words differently): a new model field or a renamed type shows up here."""
    docs = descriptions()
    missing = []
    for name, schema in _components().items():
        doc = docs.get(openapimessages.message_of(name), {})
        for field, prop in (schema.get("properties") or {}).items():
            want = doc.get(field)
            if want and prop.get("description") != want:
                missing.append(f"{name}.{field}")
    assert missing == []


def test_every_kubernetes_component_is_a_kubernetes_message() -> None:
    """A component named as Kubernetes' must be a type Kubernetes publishes (else its name
    is wrong and it goes undocumented); metrics.k8s.io is not in k8s.io/api."""
    tables = messages()
    strays = [n for n in _components() if n.startswith("io.k8s.api.")
              and openapimessages.message_of(n) not in tables]
    assert strays == []
    assert not [n for n in _components() if n.startswith("io.tugboat.")]


def test_kinds_and_fields_read_as_kubernetes_documents_them() -> None:
    schemas = _components()
    pod = schemas["io.k8s.api.core.v1.Pod"]
    assert pod["description"].startswith(
        "Pod is a collection of containers that can run on a host.")
    assert pod["properties"]["kind"]["description"].startswith(
        "Kind is a string value representing the REST resource")
    spec = schemas["io.k8s.api.apps.v1.DeploymentStrategy"]["properties"]
    assert "rollingUpdate" in spec and spec["rollingUpdate"]["description"]
    # fields of structs Go embeds inline: Volume's VolumeSource, Probe's ProbeHandler
    volume = schemas["io.k8s.api.core.v1.Volume"]["properties"]
    assert volume["emptyDir"]["description"].startswith("emptyDir represents a temporary")
    probe = schemas["io.k8s.api.core.v1.Probe"]["properties"]
    assert probe["httpGet"]["description"] == "HTTPGet specifies an HTTP GET request to perform."


def test_apimachinery_scalars_are_their_own_components() -> None:
    schemas = _components()
    assert schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]["format"] == "date-time"
    assert schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]["oneOf"] == [
        {"type": "string"}, {"type": "number"}]
    created = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"][
        "creationTimestamp"]
    assert created["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time"}]


def test_list_markers_become_extensions() -> None:
    """The tables' `+listType` / `+listMapKey` markers of a field, where they carry them."""
    tables = {"k8s.io.api.core.v1.Container": {"fields": [
        {"name": "ports", "type": "k8s.io.api.core.v1.ContainerPort", "label": "repeated",
         "markers": ["+listType=map", "+listMapKey=containerPort", "+listMapKey=protocol"]},
        {"name": "args", "type": "string", "label": "repeated",
         "markers": ["+listType=atomic"]}]}}
    schemas: Obj = {"io.k8s.api.core.v1.Container": {"type": "object", "properties": {
        "ports": {"type": "array", "items": {"type": "object"}},
        "args": {"type": "array", "items": {"type": "string"}}}}}
    openapimessages.annotate(schemas, docs={}, tables=tables)
    props = schemas["io.k8s.api.core.v1.Container"]["properties"]
    assert props["ports"]["x-kubernetes-list-type"] == "map"
    assert props["ports"]["x-kubernetes-list-map-keys"] == ["containerPort", "protocol"]
    assert props["args"]["x-kubernetes-list-type"] == "atomic"


def test_fields_kept_without_a_model_get_their_kubernetes_types() -> None:
    """A free-form field refers to its message's type; a pass-through model lists the
    message's fields it does not declare (explain shows them all)."""
    schemas = _components()
    se_linux = schemas["io.k8s.api.core.v1.SecurityContext"]["properties"]["seLinuxOptions"]
    assert se_linux["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.core.v1.SELinuxOptions"}]
    options = schemas["io.k8s.api.core.v1.SELinuxOptions"]["properties"]
    assert set(options) == {"user", "role", "type", "level"}
    assert options["level"]["description"].startswith("Level is SELinux level label")
    nfs = schemas["io.k8s.api.core.v1.NFSVolumeSource"]["properties"]
    assert {"server", "path", "readOnly"} <= set(nfs)


def test_a_made_type_flattens_what_go_embeds() -> None:
    tables = {
        "k8s.io.api.core.v1.Holder": {"fields": [
            {"name": "ref", "type": "k8s.io.api.core.v1.SecretRef", "label": "optional"}]},
        "k8s.io.api.core.v1.SecretRef": {"fields": [
            {"name": "localObjectReference", "label": "optional",
             "type": "k8s.io.api.core.v1.LocalObjectReference"},
            {"name": "optional", "type": "bool", "label": "optional"},
            {"name": "items", "type": "string", "label": "repeated"}]},
        "k8s.io.api.core.v1.LocalObjectReference": {"fields": [
            {"name": "name", "type": "string", "label": "optional"}]},
    }
    schemas: Obj = {"io.k8s.api.core.v1.Holder": {"type": "object", "properties": {
        "ref": {"type": "object", "additionalProperties": True}}}}
    openapimessages.complete(schemas, tables)
    assert schemas["io.k8s.api.core.v1.Holder"]["properties"]["ref"] == {
        "$ref": "#/components/schemas/io.k8s.api.core.v1.SecretRef"}
    assert schemas["io.k8s.api.core.v1.SecretRef"]["properties"] == {
        "name": {"type": "string"}, "optional": {"type": "boolean"},
        "items": {"type": "array", "items": {"type": "string"}}}
