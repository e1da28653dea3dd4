"""The `components.schemas` of the served OpenAPI v3 documents, made from the pydantic models
in tugboat.api so the document can never disagree with what the server decodes.

Pydantic writes JSON Schema 2020-12; OpenAPI 3.0 (what kubectl and Kubernetes' own documents
speak) differs in a few places, converted here: `$defs` become components named as
Kubernetes names them (`io.k8s.api.core.v1.Pod`), optional fields are simply not required
(no `null` variants, as Kubernetes' documents have none), `const` is a one-value `enum`, a
`$ref` with siblings is wrapped in `allOf`. Kinds carry `x-kubernetes-group-version-kind`
(kubectl explain finds a kind by it) and lists merged by key carry the strategic-merge
metadata kubectl's client-side apply reads (`x-kubernetes-patch-merge-key`), taken from the
same table the server merges with."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic.json_schema import DefsRef, GenerateJsonSchema, models_json_schema

from tugboat.api.patch.strategic import patch_meta
from tugboat.api.resources import RESOURCES, SCALE_API_VERSION, ResourceInfo
from tugboat.apiserver import openapimessages

Obj = dict[str, Any]
REF = "#/components/schemas/"
META = "io.k8s.apimachinery.pkg.apis.meta.v1"

# tugboat.api module -> the Go package Kubernetes' documents name its types after.
_PACKAGES = {
    "meta": META,
    "core": "io.k8s.api.core.v1", "pod": "io.k8s.api.core.v1",
    "container": "io.k8s.api.core.v1", "node": "io.k8s.api.core.v1",
    "service": "io.k8s.api.core.v1", "security": "io.k8s.api.core.v1",
    "serviceaccount": "io.k8s.api.core.v1", "quota": "io.k8s.api.core.v1",
    "apps": "io.k8s.api.apps.v1", "batch": "io.k8s.api.batch.v1",
    "coordination": "io.k8s.api.coordination.v1", "rbac": "io.k8s.api.rbac.v1",
    "authorization": "io.k8s.api.authorization.v1",
    "authentication": "io.k8s.api.authentication.v1",
    "autoscaling": "io.k8s.api.autoscaling.v2",
    "metrics": "io.k8s.metrics.pkg.apis.metrics.v1beta1",
    "autoscalingv1": "io.k8s.api.autoscaling.v1", "volumesources": "io.k8s.api.core.v1", "discovery": "io.k8s.api.discovery.v1",
    "policy": "io.k8s.api.policy.v1", "scheduling": "io.k8s.api.scheduling.v1",
    "persistentvolumeclaim": "io.k8s.api.core.v1",
    "apiextensions": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
}
# Types that live beside another group's types in tugboat.api.
_TYPE_PACKAGES = {
    "TokenRequest": "io.k8s.api.authentication.v1",
    "TokenRequestSpec": "io.k8s.api.authentication.v1",
    "TokenRequestStatus": "io.k8s.api.authentication.v1",
    "BoundObjectReference": "io.k8s.api.authentication.v1",
    "Scale": "io.k8s.api.autoscaling.v1", "ScaleSpec": "io.k8s.api.autoscaling.v1",
    "ScaleStatus": "io.k8s.api.autoscaling.v1",
    "ObjectReference": "io.k8s.api.core.v1",
}

# Bodies no model in tugboat.api types (the server reads them as plain JSON).
PATCH = f"{META}.Patch"
EVICTION = "io.k8s.api.policy.v1.Eviction"
_LITERALS: dict[str, Obj] = {
    PATCH: {"type": "object", "description": "Patch is provided to give a concrete name and "
            "type to the Kubernetes PATCH request body."},
    EVICTION: {
        "type": "object", "description": "Eviction evicts a pod from its node subject to "
        "certain policies and safety constraints.",
        "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                       "metadata": {"allOf": [{"$ref": f"{REF}{META}.ObjectMeta"}]},
                       "deleteOptions": {"allOf": [{"$ref": f"{REF}{META}.DeleteOptions"}]}},
        "x-kubernetes-group-version-kind": [{"group": "policy", "version": "v1",
                                             "kind": "Eviction"}]},
}


class _KubernetesNames(GenerateJsonSchema):
    """Definitions named `io.k8s.api.<group>.<version>.<Type>` before pydantic's own choices."""

    def get_defs_ref(self, core_mode_ref: Any) -> DefsRef:
        # pydantic picks the first free name of this list; it has no public hook for names
        ref = super().get_defs_ref(core_mode_ref)
        qualname = core_mode_ref[0].rsplit(":", 1)[0]
        m = re.fullmatch(r"tugboat\.api\.(\w+)\.(\w+)", qualname)
        if m:
            module, cls = m.groups()
            package = _TYPE_PACKAGES.get(cls) or _PACKAGES.get(module, f"io.tugboat.api.{module}")
            self._prioritized_defsref_choices[ref].insert(0, DefsRef(f"{package}.{cls}"))
        return ref


def _openapi30(s: Any) -> Any:
    """One JSON Schema 2020-12 node (and its children) as OpenAPI 3.0."""
    if isinstance(s, list):
        return [_openapi30(x) for x in s]
    if not isinstance(s, dict):
        return s
    out: Obj = {}
    for k, v in s.items():
        if k in ("title", "$defs") or (k == "default" and v is None):
            continue
        if k == "const":
            out["enum"] = [v]
        elif k in ("anyOf", "oneOf"):
            variants = [x for x in v if x != {"type": "null"}]
            if len(variants) == 1:
                out.update(_openapi30(variants[0]))
            elif variants:
                out[k] = _openapi30(variants)
        elif k in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(v, bool):
            out["minimum" if k == "exclusiveMinimum" else "maximum"] = v
            out[k] = True
        elif k == "type" and isinstance(v, list):
            types = [t for t in v if t != "null"]
            out["type"] = types[0] if len(types) == 1 else "string"
        elif k in ("properties", "patternProperties"):
            out[k] = {name: _openapi30(x) for name, x in v.items()}
        else:
            out[k] = _openapi30(v)
    if "$ref" in out and len(out) > 1:  # 3.0 ignores a $ref's siblings
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    if out.get("type") == "integer" and out.get("maximum") == 2**31 - 1:
        out.setdefault("format", "int32")
    return out


def _kinds() -> dict[type, list[Obj]]:
    """Model class -> the group-version-kinds it is served as (by class: two versions of a
    kind are two classes of one name)."""
    out: dict[type, list[Obj]] = {}
    for r in RESOURCES:
        out.setdefault(r.model, []).append(
            {"group": r.group, "version": r.version, "kind": r.kind})
    group, version = SCALE_API_VERSION.split("/")
    extra = _extra_models()
    for name, gvk in (("Scale", {"group": group, "version": version, "kind": "Scale"}),
                      ("Binding", {"group": "", "version": "v1", "kind": "Binding"}),
                      ("Status", {"group": "", "version": "v1", "kind": "Status"}),
                      ("TokenRequest", {"group": "authentication.k8s.io", "version": "v1",
                                        "kind": "TokenRequest"})):
        out.setdefault(extra[name], []).append(gvk)
    return out


@functools.cache
def _extra_models() -> dict[str, type]:
    """Bodies served beside the resources' kinds, by class name."""
    from tugboat.api.autoscaling import Scale
    from tugboat.api.meta import DeleteOptions, Status
    from tugboat.api.pod import Binding
    from tugboat.api.serviceaccount import TokenRequest
    return {m.__name__: m for m in (Scale, Status, DeleteOptions, Binding, TokenRequest)}


def _models() -> list[type]:
    seen: dict[type, None] = {r.model: None for r in RESOURCES}
    for m in _extra_models().values():
        seen[m] = None
    return list(seen)


def _annotate_patch_meta(schemas: Obj, name: str, kind: str, path: tuple[str, ...],
                         seen: set[tuple[str, tuple[str, ...]]]) -> None:
    """Mark each list the server merges by key, walking `kind` from its root (the table in
    api/patch/strategic.py is keyed by path, the components by type)."""
    node = schemas.get(name)
    if node is None or len(path) > 16 or (name, path[-2:]) in seen:
        return
    seen.add((name, path[-2:]))
    for field, prop in (node.get("properties") or {}).items():
        sub = path + (field,)
        meta = patch_meta(kind, sub)
        target = prop.get("items", prop) if prop.get("type") == "array" else prop
        if meta.merge and prop.get("type") == "array":
            prop["x-kubernetes-patch-strategy"] = "merge,retainKeys" if meta.retain_keys \
                else "merge"
            if meta.merge_key:
                prop["x-kubernetes-patch-merge-key"] = meta.merge_key
        elif meta.retain_keys:
            if "$ref" in prop:  # an extension beside a $ref needs the allOf form in 3.0
                prop["allOf"] = [{"$ref": prop.pop("$ref")}]
            prop["x-kubernetes-patch-strategy"] = "retainKeys"
        for ref in _refs(target):
            _annotate_patch_meta(schemas, ref, kind, sub, seen)
        if isinstance(prop.get("additionalProperties"), dict):
            for ref in _refs(prop["additionalProperties"]):
                _annotate_patch_meta(schemas, ref, kind, sub, seen)


def _refs(node: Any) -> list[str]:
    """Component names a schema node refers to, itself or through allOf/anyOf/items."""
    if isinstance(node, list):
        return [r for x in node for r in _refs(x)]
    if not isinstance(node, dict):
        return []
    found = [node["$ref"][len(REF):]] if "$ref" in node else []
    for k in ("allOf", "anyOf", "oneOf", "items"):
        if k in node:
            found += _refs(node[k])
    return found


@functools.cache
def components() -> Obj:
    """Every schema the documents may refer to, by Kubernetes' name."""
    models = _models()
    keys, top = models_json_schema([(m, "validation") for m in models],
                                   ref_template=REF + "{model}", schema_generator=_KubernetesNames)
    schemas: Obj = {n: _openapi30(s) for n, s in top.get("$defs", {}).items()}
    kinds = _kinds()
    names: dict[type, str] = {}
    for m in models:
        ref = keys[(m, "validation")]["$ref"]
        names[m] = ref[len(REF):]
    for cls, name in names.items():
        if cls in kinds:
            schemas[name]["x-kubernetes-group-version-kind"] = kinds[cls]
    for r in RESOURCES:
        if r.stored:
            _annotate_patch_meta(schemas, names[r.model], r.kind, (), set())
    for r in RESOURCES:
        item = names[r.model]
        schemas.setdefault(item.rsplit(".", 1)[0] + "." + r.list_kind, _list_schema(r, item))
    schemas.update(_LITERALS)
    schemas.update(openapimessages.well_known_components())
    openapimessages.complete(schemas)
    openapimessages.annotate(schemas)
    return {"schemas": schemas, "names": names}


def kind_ref(model: type | str) -> Obj:
    """A $ref to the component of a tugboat.api model class (or of a body served beside
    the kinds, by class name: "Binding", "Scale", "TokenRequest")."""
    cls = _extra_models()[model] if isinstance(model, str) else model
    return {"$ref": REF + components()["names"][cls]}


def ref(component: str) -> Obj:
    return {"$ref": REF + component}


def list_name(r: ResourceInfo) -> str:
    """`io.k8s.api.core.v1.PodList`: the list kind beside its item's component."""
    item = components()["names"][r.model]
    return item.rsplit(".", 1)[0] + "." + r.list_kind


def _list_schema(r: ResourceInfo, item: str) -> Obj:
    return {
        "type": "object", "required": ["items"],
        "description": f"{r.list_kind} is a list of {r.kind} objects.",
        "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"},
            "metadata": {"allOf": [{"$ref": f"{REF}{META}.ListMeta"}]},
            "items": {"type": "array", "items": {"$ref": REF + item}}},
        "x-kubernetes-group-version-kind": [{"group": r.group, "version": r.version,
                                             "kind": r.list_kind}],
    }


def closure(doc: Obj) -> Obj:
    """The components `doc` refers to, transitively (each document carries only its own)."""
    schemas = components()["schemas"]
    out: Obj = {}
    todo = _all_refs(doc)
    while todo:
        name = todo.pop()
        if name in out or name not in schemas:
            continue
        out[name] = schemas[name]
        todo += _all_refs(schemas[name])
    return dict(sorted(out.items()))


def _all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"][len(REF):]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _all_refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _all_refs(v)]
    return []
