"""CustomResourceDefinition validation: the name is plural.group, a group with a dot, a
known scope, exactly one storage version, a structural schema for every version, and an
update that keeps group, scope and plural."""

from __future__ import annotations

from typing import Any

from tugboat.api.apiextensions import CustomResourceDefinition
from tugboat.api.validation.customresourcedefinitions import validate_crd


def crd(**spec: Any) -> CustomResourceDefinition:
    base: dict[str, Any] = {
        "group": "example.com", "scope": "Namespaced",
        "names": {"plural": "things", "kind": "Thing"},
        "versions": [{"name": "v1", "served": True, "storage": True,
                      "schema": {"openAPIV3Schema": {"type": "object"}}}]}
    return CustomResourceDefinition.model_validate(
        {"metadata": {"name": "things.example.com"}, "spec": {**base, **spec}})


def fields(obj: CustomResourceDefinition, old: CustomResourceDefinition | None = None
           ) -> dict[str, str]:
    return {c.field or "": c.message or "" for c in validate_crd(obj, old)}


def test_valid() -> None:
    assert fields(crd()) == {}


def test_name_must_be_plural_dot_group() -> None:
    got = fields(crd(group="other.com"))
    assert got["metadata.name"] == ('Invalid value: "things.example.com": must be '
                                    'spec.names.plural+"."+spec.group')


def test_group_needs_a_dot_and_scope_is_known() -> None:
    obj = crd(group="example", scope="Everywhere")
    obj.metadata.name = "things.example"
    got = fields(obj)
    assert got["spec.group"].endswith("should be a domain with at least one dot")
    assert got["spec.scope"] == ('Unsupported value: "Everywhere": supported values: '
                                 '"Cluster", "Namespaced"')


def test_exactly_one_storage_version() -> None:
    two = [{"name": v, "served": True, "storage": True,
            "schema": {"openAPIV3Schema": {"type": "object"}}} for v in ("v1", "v2")]
    assert "must have exactly one version marked as storage version" in \
        fields(crd(versions=two))["spec.versions"]


def test_schema_required_and_structural() -> None:
    got = fields(crd(versions=[{"name": "v1", "served": True, "storage": True}]))
    assert got["spec.versions[0].schema.openAPIV3Schema"] == \
        "Required value: schemas are required"
    got = fields(crd(versions=[{"name": "v1", "served": True, "storage": True, "schema": {
        "openAPIV3Schema": {"type": "object", "properties": {"spec": {}}}}}]))
    assert "spec.versions[0].schema.openAPIV3Schema.properties[spec].type" in got


def test_update_keeps_group_scope_and_plural() -> None:
    got = fields(crd(scope="Cluster"), crd())
    assert got["spec.scope"] == 'Invalid value: "Cluster": field is immutable'
