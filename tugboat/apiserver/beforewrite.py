"""What the registry does to a body before any write, as k8s.io/apiserver's
rest.BeforeCreate and BeforeUpdate do: a create's request checks (type meta, metadata, a
resourceVersion that must not be set, the namespace matching the path); then decode
(types), default, the field-validation warnings, validate and canonicalize, which every
create and update of the one write pipeline passes (registry.py)."""

from __future__ import annotations

from typing import Any

from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import decoding, errors
from tugboat.apiserver.storageform import check_metadata, decode_stored
from tugboat.apiserver.strategies import Strategy
from tugboat.apiserver.strategies.generic import spec_part

Obj = dict[str, Any]

# ObjectMeta's maps and lists that Go writes with omitempty: sent empty, they are stored
# (and answered) as absent, so `annotations: {}` in a patch — kubectl diff's dry run sends
# one — changes nothing, as in Kubernetes. (managedFields: [] is a request of its own.)
OMIT_EMPTY_METADATA = ("labels", "annotations", "ownerReferences", "finalizers")


def check_create(info: ResourceInfo, ns: str | None, body: Obj) -> bool:
    """The checks of a create's body that come before its strategy; returns whether the
    server is to generate the name (generateName without a name)."""
    decoding.check_type_meta(info, body)
    meta = body.get("metadata")
    if "metadata" in body and not isinstance(meta, dict):  # null too: not an object
        raise errors.bad_request("metadata must be an object")
    if meta:
        check_metadata(info, body)
    if (meta or {}).get("resourceVersion"):
        raise errors.bad_request("resourceVersion should not be set on objects to be created")
    body_ns = (meta or {}).get("namespace")
    if info.namespaced and body_ns and body_ns != ns:
        raise errors.bad_request("the namespace of the provided object does not match the "
                                 "namespace sent on the request")
    return bool((meta or {}).get("generateName")) and not (meta or {}).get("name")


def typed(strat: Strategy, body: Obj, field_validation: str | None,
          old: Obj | None) -> tuple[Obj, list[str]]:
    """Decode, default and validate; returns the canonical wire object and the
    unknown-field warnings."""
    info = strat.info
    name = body.get("metadata", {}).get("name")
    name = name if isinstance(name, str) else None
    model = decoding.decode(info, body, name)
    strat.default(model, creating=old is None)
    wire = model.wire()
    warnings = decoding.field_validation_outcome(
        field_validation, decoding.unknown_fields(body, wire))
    _omit_empty_metadata(wire)
    old_model = decode_stored(info, old) if old is not None else None
    causes = strat.validate(model, old_model)
    if causes:
        raise errors.invalid(info, name, causes)
    return strat.canonicalize(wire), warnings


def settle_generation(wire: Obj, old: Obj) -> None:
    """A generation bumped for a spec that defaulting made equal to the stored one goes
    back: Kubernetes compares specs after decoding has defaulted them, so a field the
    client left to its default (a fieldRef's apiVersion) is no change."""
    meta, stored = wire.get("metadata") or {}, old["metadata"].get("generation")
    if stored is not None and meta.get("generation") != stored \
            and spec_part(wire) == spec_part(old):
        meta["generation"] = stored


def _omit_empty_metadata(wire: Obj) -> None:
    meta = wire.get("metadata") or {}
    for key in OMIT_EMPTY_METADATA:
        if key in meta and not meta[key]:
            del meta[key]
