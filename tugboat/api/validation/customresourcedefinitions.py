"""CustomResourceDefinition validation, after the apiextensions-apiserver's
ValidateCustomResourceDefinition: the name is plural.group, names and scope well formed,
exactly one storage version, every served version with a structural schema, printer
columns and the scale subresource's paths sensible. An update may not change the group,
the scope or the plural name."""

from __future__ import annotations

from tugboat.api.apiextensions import CustomResourceDefinition, CustomResourceDefinitionNames
from tugboat.api.meta import ObjectMeta
from tugboat.api.schema import structural
from tugboat.api.validation.fielderrors import (
    Errors,
    duplicate,
    forbidden,
    immutable,
    invalid,
    not_supported,
    required,
)
from tugboat.api.validation.names import (
    is_dns1035_label,
    is_dns1123_subdomain,
    name_is_dns_subdomain,
)
from tugboat.api.validation.objectmeta import validate_object_meta, validate_object_meta_update

SCOPES = ("Cluster", "Namespaced")
COLUMN_TYPES = ("integer", "number", "string", "boolean", "date")


def validate_generic_object_meta(meta: ObjectMeta, namespaced: bool, old: ObjectMeta | None,
                                 errs: Errors) -> None:
    """apimachinery's ValidateObjectMeta, which the apiextensions-apiserver uses for CRDs and
    custom objects: unlike the core kinds', any finalizer name is accepted (kubectl's
    "prefer a domain-qualified finalizer name" is a warning)."""
    mine: Errors = []
    validate_object_meta(meta, namespaced, name_is_dns_subdomain, mine)
    if old is not None:
        validate_object_meta_update(meta, old, mine)
    errs.extend(c for c in mine if not (c.field or "").startswith("metadata.finalizers")
                or "standard finalizer" not in (c.message or ""))


def validate_crd(crd: CustomResourceDefinition, old: CustomResourceDefinition | None) -> Errors:
    errs: Errors = []
    validate_generic_object_meta(crd.metadata, False, old.metadata if old else None, errs)
    spec = crd.spec
    want = f"{spec.names.plural}.{spec.group}"
    if crd.metadata.name and crd.metadata.name != want:
        errs.append(invalid("metadata.name", crd.metadata.name,
                            'must be spec.names.plural+"."+spec.group'))
    if not spec.group:
        errs.append(required("spec.group", ""))
    else:
        for msg in is_dns1123_subdomain(spec.group):
            errs.append(invalid("spec.group", spec.group, msg))
        if "." not in spec.group:
            errs.append(invalid("spec.group", spec.group, "should be a domain with at least "
                                                          "one dot"))
    if spec.scope not in SCOPES:
        errs.append(required("spec.scope", "") if not spec.scope
                    else not_supported("spec.scope", spec.scope, SCOPES))
    _names(spec.names, "spec.names", errs)
    _versions(crd, errs)
    if spec.conversion and spec.conversion.strategy not in ("None", "Webhook"):
        errs.append(not_supported("spec.conversion.strategy", spec.conversion.strategy,
                                  ("None", "Webhook")))
    if old is not None:
        if spec.group != old.spec.group:
            errs.append(immutable("spec.group", spec.group))
        if spec.names.plural != old.spec.names.plural:
            errs.append(immutable("spec.names.plural", spec.names.plural))
        if spec.scope != old.spec.scope:
            errs.append(immutable("spec.scope", spec.scope))
    return errs


def _names(names: CustomResourceDefinitionNames, path: str, errs: Errors) -> None:
    if not names.plural:
        errs.append(required(f"{path}.plural", ""))
    else:
        for msg in is_dns1035_label(names.plural):
            errs.append(invalid(f"{path}.plural", names.plural, msg))
    if names.singular:
        for msg in is_dns1035_label(names.singular):
            errs.append(invalid(f"{path}.singular", names.singular, msg))
    if not names.kind:
        errs.append(required(f"{path}.kind", ""))
    for i, short in enumerate(names.shortNames or []):
        for msg in is_dns1035_label(short):
            errs.append(invalid(f"{path}.shortNames[{i}]", short, msg))
    if names.kind and names.listKind == names.kind:
        errs.append(invalid(f"{path}.listKind", names.listKind, "kind and listKind may not "
                                                                "be the same"))


def _versions(crd: CustomResourceDefinition, errs: Errors) -> None:
    versions = crd.spec.versions
    if not versions:
        errs.append(invalid("spec.versions", [], "must have exactly one version marked as "
                                                 "storage version"))
        return
    storage = [v for v in versions if v.storage]
    if len(storage) != 1:
        errs.append(invalid("spec.versions", [v.wire() for v in versions],
                            "must have exactly one version marked as storage version"))
    seen: set[str] = set()
    for i, v in enumerate(versions):
        path = f"spec.versions[{i}]"
        if not v.name:
            errs.append(required(f"{path}.name", ""))
        else:
            for msg in is_dns1035_label(v.name):
                errs.append(invalid(f"{path}.name", v.name, msg))
        if v.name in seen:
            errs.append(duplicate(f"{path}.name", v.name))
        seen.add(v.name)
        schema = v.schema_.openAPIV3Schema if v.schema_ else None
        if schema is None:
            errs.append(required(f"{path}.schema.openAPIV3Schema", "schemas are required"))
        else:
            errs.extend(structural.check(schema, f"{path}.schema.openAPIV3Schema"))
        for j, col in enumerate(v.additionalPrinterColumns or []):
            cpath = f"{path}.additionalPrinterColumns[{j}]"
            if not col.name:
                errs.append(required(f"{cpath}.name", ""))
            if col.type not in COLUMN_TYPES:
                errs.append(not_supported(f"{cpath}.type", col.type, COLUMN_TYPES))
            if not col.jsonPath:
                errs.append(required(f"{cpath}.jsonPath", ""))
        scale = v.subresources.scale if v.subresources else None
        if scale is not None:
            for field, value in (("specReplicasPath", scale.specReplicasPath),
                                 ("statusReplicasPath", scale.statusReplicasPath)):
                if not value.startswith("."):
                    errs.append(invalid(f"{path}.subresources.scale.{field}", value,
                                        "should be a json path under .spec or .status"))
    if not any(v.served for v in versions):
        errs.append(forbidden("spec.versions", "must have at least one served version"))
