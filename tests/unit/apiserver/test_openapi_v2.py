"""/openapi/v2 is the Swagger 2.0 form of the v3 components: definitions referring to
definitions, no OpenAPI 3 unions, and gnostic's protobuf of the same document."""

from __future__ import annotations

import json
from typing import Any

from tugboat.apiserver import openapiv2


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_every_ref_is_a_definition() -> None:
    definitions = openapiv2.document()["definitions"]
    for node in _walk(definitions):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.removeprefix("#/definitions/") in definitions, ref
    for word in ('"oneOf"', '"anyOf"', '"allOf"', "#/components/"):
        assert word not in json.dumps(definitions), word


def test_fields_keep_their_descriptions_beside_the_ref() -> None:
    definitions = openapiv2.document()["definitions"]
    spec = definitions["io.k8s.api.core.v1.Pod"]["properties"]["spec"]
    assert spec["$ref"] == "#/definitions/io.k8s.api.core.v1.PodSpec"
    assert spec["description"].startswith("Specification of the desired behavior of the pod.")
    port = definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert port["type"] == "string" and port["format"] == "int-or-string"
    gvk = definitions["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"]
    assert {"group": "apps", "version": "v1", "kind": "Deployment"} in gvk


def test_the_protobuf_form_is_a_gnostic_document() -> None:
    _, pb, etag = openapiv2.encoded()
    assert pb.startswith(b"\x0a\x032.0\x12")  # swagger = "2.0", then info
    # x-kubernetes-group-version-kind as a NamedAny whose Any holds the value as YAML
    assert b"x-kubernetes-group-version-kind" in pb
    assert b'[{"group":"apps","version":"v1","kind":"Deployment"}]' in pb
    assert len(etag) == 128 and etag == etag.upper()
