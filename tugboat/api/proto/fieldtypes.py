"""What the codec needs to know of a field beyond the generated tables' type name: how it
is read and written (its wire kind, or one of the messages whose JSON is not their
field-by-field shape), and what the Go struct tags (gofields.json, from hack/gofields.py)
say of it — its JSON name, whether it is an embedded struct inlined in the JSON, whether
JSON leaves its zero value out. The codec compiles its plans from these."""

from __future__ import annotations

import functools
from typing import Any

import orjson

from tugboat.api.proto import HERE, META, messages
from tugboat.api.proto.wire import FIXED32, FIXED64, LEN, VARINT

SPECIAL = {
    f"{META}.Time": "time",
    f"{META}.MicroTime": "microtime",
    f"{META}.Duration": "duration",
    f"{META}.FieldsV1": "fieldsv1",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "intstr",
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "rawext",
}
WIRE = {"string": LEN, "bytes": LEN, "bool": VARINT, "int32": VARINT, "int64": VARINT,
        "uint32": VARINT, "uint64": VARINT, "double": FIXED64, "float": FIXED32}
PACKABLE = frozenset(k for k, w in WIRE.items() if w != LEN)


@functools.cache
def go_fields() -> dict[str, dict[str, dict[str, Any]]]:
    """What the Go struct tags say of each field (hack/gofields.py): its JSON name, whether
    it is an embedded struct inlined in the JSON, whether JSON omits its zero value."""
    return orjson.loads((HERE / "gofields.json").read_bytes())["fields"]


def json_field(msg: str, f: dict[str, Any]) -> tuple[str, bool, bool]:
    """(JSON name, inlined, a zero value is absent in JSON) for a field of a message."""
    go = go_fields().get(msg, {}).get(str(f["number"]))
    if go is None:  # the wrappers' own fields (Time, Quantity ...): read specially
        return f["name"], False, True
    name = go["json"] if go["json"] not in ("", "-") else f["name"]
    return name, bool(go["inline"]), bool(go["omitempty"]) and not go["pointer"]


def kind_of(type_name: str) -> tuple[str, str | None]:
    """A field's type → (how it is read and written, the message it names)."""
    if type_name in WIRE:
        return type_name, None
    special = SPECIAL.get(type_name)
    if special:
        return special, type_name
    m = messages().get(type_name)
    if m is None:  # a message of a package the tables leave out (an alpha group): skipped
        return "skip", None
    fs = m["fields"]
    if "+protobuf.nullable=true" in m.get("markers", ()) and len(fs) == 1 \
            and fs[0]["label"] == "repeated" and fs[0]["name"] == "items":
        return "list", type_name
    return "message", type_name
