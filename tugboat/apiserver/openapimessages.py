"""Matches the served OpenAPI components to Kubernetes' own messages and gives them what
Kubernetes' documents carry beyond the shape the pydantic models make: the Go doc comments
as descriptions (what `kubectl explain` prints), the apimachinery scalar types by their own
names (a `port` is an `IntOrString`, `limits` a map of `Quantity`, a timestamp a `Time`),
and the list markers server-side apply reads (x-kubernetes-list-type / -list-map-keys).

All of it comes from the tables generated from Kubernetes' published .proto files
(tugboat.api.proto), so no text is typed here: a component `io.k8s.api.core.v1.PodSpec` is
the message `k8s.io.api.core.v1.PodSpec`. Fields Tugboat adds keep the description their
model gives, if any."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tugboat.api.proto import descriptions, messages

Obj = dict[str, Any]
REF = "#/components/schemas/"
_MACHINERY = "k8s.io.apimachinery.pkg"
_TYPE_META = f"{_MACHINERY}.apis.meta.v1.TypeMeta"

# The apimachinery types with a JSON form of their own (kube-openapi's OpenAPISchemaType,
# OpenAPISchemaFormat and OpenAPIV3OneOfTypes of each Go type).
WELL_KNOWN: dict[str, Obj] = {
    f"{_MACHINERY}.api.resource.Quantity": {"oneOf": [{"type": "string"},
                                                      {"type": "number"}]},
    f"{_MACHINERY}.util.intstr.IntOrString": {"format": "int-or-string", "oneOf": [
        {"type": "integer"}, {"type": "string"}]},
    f"{_MACHINERY}.apis.meta.v1.Time": {"type": "string", "format": "date-time"},
    f"{_MACHINERY}.apis.meta.v1.MicroTime": {"type": "string", "format": "date-time"},
    f"{_MACHINERY}.apis.meta.v1.FieldsV1": {"type": "object"},
    f"{_MACHINERY}.runtime.RawExtension": {"type": "object"},
}


def message_of(component: str) -> str:
    """`io.k8s.api.core.v1.Pod` → `k8s.io.api.core.v1.Pod` (Kubernetes' OpenAPI names
    reverse the Go module's domain; the proto packages keep it)."""
    return "k8s.io." + component.removeprefix("io.k8s.")


def component_of(message: str) -> str:
    return "io.k8s." + message.removeprefix("k8s.io.")


def well_known_components() -> Obj:
    """The apimachinery scalar types as components, each with its doc comment."""
    docs = descriptions()
    out: Obj = {}
    for msg, schema in WELL_KNOWN.items():
        text = docs.get(msg, {}).get("")
        out[component_of(msg)] = {**({"description": text} if text else {}), **schema}
    return out


def annotate(schemas: Obj, docs: Mapping[str, Mapping[str, str]] | None = None,
             tables: Mapping[str, Any] | None = None) -> None:
    """Descriptions, well-known types and list markers onto every component that is a
    Kubernetes message (in place)."""
    docs = descriptions() if docs is None else docs
    tables = messages() if tables is None else tables
    for name, schema in schemas.items():
        msg = message_of(name)
        doc, table = docs.get(msg, {}), tables.get(msg)
        if doc.get(""):
            schema["description"] = doc[""]
        if table and "+structType=atomic" in table.get("markers", []):
            schema["x-kubernetes-map-type"] = "atomic"
        props = schema.get("properties") or {}
        fields = _fields(msg, set(props), docs, tables)
        for name, prop in props.items():
            field, text = fields.get(name.lower(), (None, None))
            props[name] = _property(prop, field, text or _type_meta(name))


def _fields(msg: str, props: set[str], docs: Mapping[str, Mapping[str, str]],
            tables: Mapping[str, Any], depth: int = 0) -> dict[str, tuple[Obj, str | None]]:
    """A message's fields by lower-cased name (the tables spell `uid` as `uID`), with the
    fields of the structs Go embeds inline (Volume's VolumeSource, Probe's ProbeHandler)
    beside its own: a message field that is no property of the schema is one of those."""
    table, doc = tables.get(msg), docs.get(msg, {})
    out: dict[str, tuple[Obj, str | None]] = {}
    inlined: list[str] = []
    for f in table["fields"] if table else []:
        if f["type"] in tables and f["name"] not in props and depth < 3:
            inlined.append(f["type"])
        else:
            out[f["name"].lower()] = (f, doc.get(f["name"]))
    for inner in inlined:
        for k, v in _fields(inner, props, docs, tables, depth + 1).items():
            out.setdefault(k, v)
    return out


def _type_meta(field: str) -> str | None:
    """apiVersion and kind of a kind, list or option: TypeMeta's words (the messages omit
    the TypeMeta Go embeds)."""
    if field in ("apiVersion", "kind"):
        return descriptions().get(_TYPE_META, {}).get(field)
    return None


def _property(prop: Obj, field: Obj | None, text: str | None) -> Obj:
    if field is not None:
        prop = _typed(prop, field)
        prop = _list_markers(prop, field.get("markers") or [])
    if text:
        if "$ref" in prop:  # OpenAPI 3.0 ignores a $ref's siblings
            prop = {"allOf": [{"$ref": prop["$ref"]}]}
        prop = {**prop, "description": text}
    return prop


def _typed(prop: Obj, field: Obj) -> Obj:
    """A field of a well-known apimachinery type refers to that type's component."""
    if field.get("type") == "map" and field.get("value") in WELL_KNOWN:
        return {**_drop_shape(prop), "type": "object",
                "additionalProperties": _ref(field["value"])}
    if field.get("type") not in WELL_KNOWN:
        return prop
    if field.get("label") == "repeated":
        return {**_drop_shape(prop), "type": "array", "items": _ref(field["type"])}
    rest = _drop_shape(prop)
    return {"allOf": [_ref(field["type"])], **rest} if rest else _ref(field["type"])


def _drop_shape(prop: Obj) -> Obj:
    """What of a property stays when its type is replaced: its annotations."""
    return {k: v for k, v in prop.items() if k.startswith("x-") or k == "description"}


def _ref(message: str) -> Obj:
    return {"$ref": REF + component_of(message)}


def _list_markers(prop: Obj, markers: list[str]) -> Obj:
    """`+listType=map` and `+listMapKey=...` markers as the OpenAPI extensions (when the
    tables carry the field's markers)."""
    values: dict[str, list[str]] = {}
    for m in markers:
        key, _, value = m.lstrip("+").partition("=")
        values.setdefault(key, []).append(value)
    out = dict(prop)
    if "listType" in values and prop.get("type") == "array":
        out["x-kubernetes-list-type"] = values["listType"][0]
        if values.get("listMapKey"):
            out["x-kubernetes-list-map-keys"] = values["listMapKey"]
    if "mapType" in values and prop.get("type") == "object":
        out["x-kubernetes-map-type"] = values["mapType"][0]
    return out
