"""Structural schemas on custom objects: validation with Kubernetes' field errors,
defaulting, pruning, and the structural checks a CRD's schema must pass."""

from __future__ import annotations

from typing import Any

import pytest

from tugboat.api.schema import defaulting, pruning, structural, validation

SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "spec": {"type": "object", "required": ["replicas"], "properties": {
        "replicas": {"type": "integer", "minimum": 1, "maximum": 5},
        "mode": {"type": "string", "enum": ["a", "b"], "default": "a"},
        "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 4},
        "port": {"x-kubernetes-int-or-string": True},
        "ratio": {"type": "number", "nullable": True},
        "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"},
                 "x-kubernetes-list-type": "set"},
        "ports": {"type": "array", "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "properties": {"name": {"type": "string"},
                                                             "n": {"type": "integer"}}}},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                     "properties": {"spec": {"type": "object"}}},
        "nested": {"type": "object", "default": {}, "properties": {
            "deep": {"type": "integer", "default": 7}}}}}}}


def causes(obj: dict[str, Any]) -> dict[str, str]:
    return {c.field or "": c.message or "" for c in validation.validate(obj, SCHEMA)}


def test_valid_object_has_no_causes() -> None:
    assert causes({"spec": {"replicas": 2, "port": "http", "ratio": None,
                            "tags": ["x"], "labels": {"a": "b"}}}) == {}


@pytest.mark.parametrize(("spec", "field", "message"), [
    ({"replicas": "x"}, "spec.replicas",
     'Invalid value: "string": spec.replicas in body must be of type integer: "string"'),
    ({}, "spec.replicas", "Required value"),
    ({"replicas": 9}, "spec.replicas",
     "Invalid value: 9: spec.replicas in body should be less than or equal to 5"),
    ({"replicas": 0}, "spec.replicas",
     "Invalid value: 0: spec.replicas in body should be greater than or equal to 1"),
    ({"replicas": 1, "mode": "c"}, "spec.mode",
     'Unsupported value: "c": supported values: "a", "b"'),
    ({"replicas": 1, "name": "AB"}, "spec.name",
     "Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"),
    ({"replicas": 1, "name": "abcdef"}, "spec.name",
     "Too long: may not be more than 4 bytes"),
    ({"replicas": 1, "name": "a"}, "spec.name",
     'Invalid value: "a": spec.name in body should be at least 2 chars long'),
    ({"replicas": 1, "port": 1.5}, "spec.port",
     'Invalid value: "number": spec.port in body must be of type integer,string: "number"'),
    ({"replicas": 1, "tags": ["a", "b", "c"]}, "spec.tags",
     "Too many: 3: must have at most 2 items"),
    ({"replicas": 1, "tags": []}, "spec.tags",
     "Invalid value: []string{}: spec.tags in body should have at least 1 items"),
    ({"replicas": 1, "tags": ["a", "a"]}, "spec.tags[1]", 'Duplicate value: "a"'),
    ({"replicas": 1, "ports": [{"name": "x"}, {"name": "x", "n": 1}]}, "spec.ports[1]",
     'Duplicate value: map[string]string{"name":"x"}'),
    ({"replicas": 1, "labels": {"a": 1}}, "spec.labels.a",
     'Invalid value: "integer": spec.labels.a in body must be of type string: "integer"'),
    ({"replicas": None}, "spec.replicas",
     'Invalid value: "null": spec.replicas in body must be of type integer: "null"'),
    ({"replicas": 1, "template": {"spec": {}}}, "spec.template.apiVersion",
     "Required value: must not be empty"),
])
def test_invalid_objects_name_the_field(spec: dict[str, Any], field: str, message: str) -> None:
    got = causes({"spec": spec})
    assert got.get(field) == message, got


def test_integral_float_is_an_integer() -> None:
    assert causes({"spec": {"replicas": 2.0}}) == {}


def test_defaults_fill_missing_fields_then_their_insides() -> None:
    obj: dict[str, Any] = {"spec": {"replicas": 1}}
    defaulting.apply_defaults(obj, SCHEMA)
    assert obj["spec"]["mode"] == "a"
    assert obj["spec"]["nested"] == {"deep": 7}


def test_pruning_drops_unknown_fields_but_keeps_preserved_and_type_meta() -> None:
    obj: dict[str, Any] = {"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n"},
                           "junk": 1, "spec": {"replicas": 1, "other": 2,
                                               "free": {"anything": {"goes": 1}},
                                               "labels": {"k": "v"},
                                               "template": {"apiVersion": "v1", "kind": "Pod",
                                                            "metadata": {"name": "p"},
                                                            "spec": {}, "bad": 1}}}
    dropped = pruning.prune(obj, SCHEMA)
    assert sorted(dropped) == ["junk", "spec.other", "spec.template.bad"]
    assert obj["spec"]["free"] == {"anything": {"goes": 1}}
    assert obj["spec"]["template"]["kind"] == "Pod" and obj["metadata"] == {"name": "n"}
    assert obj["spec"]["labels"] == {"k": "v"}


def test_structural_checks() -> None:
    assert structural.check(SCHEMA, "s") == []
    errs = {c.field: c.message for c in structural.check(
        {"type": "object", "properties": {"a": {}, "b": {"type": "array"},
                                          "c": {"type": "string", "pattern": "("}}}, "s")}
    assert set(errs) == {"s.properties[a].type", "s.properties[b].items",
                         "s.properties[c].pattern"}
    assert structural.check({"type": "string"}, "s")[0].field == "s.type"
