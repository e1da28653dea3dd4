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


_SCALARS: dict[str, Obj] = {
    "string": {"type": "string"}, "bool": {"type": "boolean"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "double": {"type": "number", "format": "double"},
    "float": {"type": "number", "format": "float"},
    "bytes": {"type": "string", "format": "byte"},
}


def complete(schemas: Obj, tables: Mapping[str, Any] | None = None) -> None:
    """Types for what Tugboat keeps without modelling it (in place): a field the model
    holds as a free-form object refers to its Kubernetes type, made from the message
    where no model makes it, and a pass-through model (extra fields kept as sent) lists
    the fields of its message it does not declare — so explain shows all of them."""
    tables = messages() if tables is None else tables
    for name in list(schemas):
        msg, schema = message_of(name), schemas[name]
        table = tables.get(msg)
        if table is None or schema.get("type") != "object":
            continue
        props = schema.setdefault("properties", {})
        by_name = {f["name"].lower(): f for f in _flattened(msg, set(props), tables)}
        for prop_name, prop in props.items():
            field = by_name.get(prop_name.lower())
            if field is not None and _free_form(prop.get("items", prop)):
                typed = _field_schema(field, schemas, tables)
                kept = {k: v for k, v in prop.items() if k.startswith("x-") or k == "description"}
                if "$ref" in typed and kept:  # OpenAPI 3.0 ignores a $ref's siblings
                    typed = {"allOf": [typed]}
                props[prop_name] = {**typed, **kept}
        if schema.get("additionalProperties") is True:
            for field in _flattened(msg, set(props), tables):
                if field["name"].lower() not in {p.lower() for p in props}:
                    props[field["name"]] = _field_schema(field, schemas, tables)


def _free_form(prop: Obj) -> bool:
    return prop.get("type") == "object" and not prop.get("properties") and \
        prop.get("additionalProperties") in (True, None, {})


def _flattened(msg: str, props: set[str], tables: Mapping[str, Any],
               depth: int = 0) -> list[Obj]:
    """A message's fields with those of the structs Go embeds inline in their place (an
    embedded field is named after its type: `volumeSource VolumeSource`)."""
    out: list[Obj] = []
    for f in (tables.get(msg) or {"fields": []})["fields"]:
        short = f["type"].rsplit(".", 1)[-1]
        embedded = f["type"] in tables and f["name"] not in props and depth < 3 and (
            f["name"].lower() == short.lower() or (f["name"], short) == ("handler",
                                                                          "ProbeHandler"))
        out += _flattened(f["type"], props, tables, depth + 1) if embedded else [f]
    return out


def _field_schema(field: Obj, schemas: Obj, tables: Mapping[str, Any]) -> Obj:
    if field["type"] == "map":
        return {"type": "object",
                "additionalProperties": _element(field.get("value", "string"), schemas, tables)}
    element = _element(field["type"], schemas, tables)
    return {"type": "array", "items": element} if field.get("label") == "repeated" \
        else element


def _element(type_: str, schemas: Obj, tables: Mapping[str, Any]) -> Obj:
    if type_ in _SCALARS:
        return dict(_SCALARS[type_])
    if type_ in WELL_KNOWN or type_ not in tables:
        return _ref(type_) if type_ in WELL_KNOWN else {"type": "object"}
    name = component_of(type_)
    if name not in schemas:
        schemas[name] = node = {"type": "object", "properties": {}}  # first: cycles end here
        for f in _flattened(type_, set(), tables):
            node["properties"][f["name"]] = _field_schema(f, schemas, tables)
    return _ref(type_)


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
