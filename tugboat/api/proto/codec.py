"""Kubernetes objects between their JSON form (the dicts the API server stores and serves)
and their protobuf form, driven by the generated field tables (messages()). Each message's
plan (field number -> how to read it, JSON name -> how to write it) is compiled once and
cached, so a list of a thousand pods walks dicts, not the tables.

The messages whose JSON is not their field-by-field shape are read and written as
Kubernetes' own marshallers do: meta.v1.Time (RFC 3339 to the second) and MicroTime (six
fractional digits), both a Timestamp {seconds, nanos} on the wire; Duration (Go's
"1h2m3s"); intstr.IntOrString (type 0 int, 1 string); resource.Quantity (its string);
runtime.RawExtension (raw bytes: an embedded JSON object, or a `k8s\\0` object); FieldsV1
(raw JSON); `bytes` (base64 in JSON); and the list wrappers (`+protobuf.nullable=true`
messages holding one repeated `items`, such as ExtraValue), which are bare lists in JSON.
fieldtypes.py says which field is which; times.py holds Go's rules for the time texts.

Go writes every non-pointer field, zero or not; the Go struct tags (gofields.json, from
hack/gofields.py) say which zeros its JSON leaves out (non-pointer omitempty fields), which
JSON names differ from the protobuf ones, and which embedded structs are inlined. Fields
the tables do not know are skipped on read and left out on write, as a JSON decoder drops
unknown fields.

The envelope every whole object travels in: the magic `k8s\\0`, then runtime.Unknown
{typeMeta {apiVersion, kind}, raw (the message), contentEncoding, contentType}."""

from __future__ import annotations

import base64
import functools
import struct
from collections.abc import Callable
from typing import Any

import orjson

from tugboat.api.proto import META, message_name, messages
from tugboat.api.proto.fieldtypes import PACKABLE, WIRE, json_field, kind_of
from tugboat.api.proto.times import (
    duration_bytes,
    read_duration,
    read_timestamp,
    timestamp_bytes,
)
from tugboat.api.proto.wire import (
    LEN,
    VARINT,
    DecodeError,
    fields,
    length_delimited,
    read_varint,
    signed,
    tag,
    varint,
)

MAGIC = b"k8s\x00"


class Unencodable(ValueError):
    """An object Kubernetes publishes no message for (it stays JSON)."""


def message_for(api_version: str, kind: str) -> str | None:
    """The message of a kind: its group's package, or meta.v1 for the kinds every group
    shares (Status, DeleteOptions, WatchEvent) under "v1" or "meta.k8s.io/v1"."""
    name = message_name(api_version, kind)
    if name is None and api_version.rpartition("/")[0] in ("", "meta.k8s.io"):
        meta = f"{META}.{kind}"
        return meta if meta in messages() else None
    return name


# -- decoding ----------------------------------------------------------------------------

Plan = dict[int, tuple[str, str, Any, bool, bool]]
ZEROS = ("", 0, False)  # 0 == 0.0 == False: the scalars' zero values


@functools.cache
def _decode_plan(msg: str) -> Plan:
    plan: Plan = {}
    for f in messages()[msg]["fields"]:
        name, inline, omit_zero = json_field(msg, f)
        if f["type"] == "map":
            plan[f["number"]] = (name, "map", kind_of(f["value"]), False, omit_zero)
        else:
            kind, sub = kind_of(f["type"])
            if kind == "skip":
                continue
            # Go's JSON never omits a struct (Time, IntOrString, Quantity): only scalars
            plan[f["number"]] = (name, "inline" if inline else kind, sub,
                                 f["label"] == "repeated", omit_zero and kind in WIRE)
    return plan


def decode_message(buf: bytes, msg: str) -> dict[str, Any]:
    """A message's bytes → its JSON form."""
    plan = _decode_plan(msg)
    out: dict[str, Any] = {}
    for number, wire, value in fields(buf):
        p = plan.get(number)
        if p is None:
            continue  # unknown to the table: skipped
        name, kind, sub, repeated, omit_zero = p
        if kind == "inline":
            if wire != LEN:
                raise DecodeError(f"field {number} ({name}) has the wrong wire type {wire}")
            out.update(decode_message(value, sub))  # type: ignore[arg-type]
        elif kind == "map":
            if wire != LEN:
                raise DecodeError(f"field {number} ({name}) has the wrong wire type {wire}")
            k, v = _map_entry(value, *sub)  # type: ignore[arg-type]
            out.setdefault(name, {})[k] = v
        elif repeated and wire == LEN and kind in PACKABLE:
            out.setdefault(name, []).extend(_packed(value, kind))  # type: ignore[arg-type]
        elif repeated:
            out.setdefault(name, []).append(_value(kind, sub, wire, value, name))
        else:
            v = _value(kind, sub, wire, value, name)
            # Go wrote the field whatever its value; its JSON leaves a zero out only for a
            # non-pointer omitempty field (a pointer's zero, `replicas: 0`, is a value).
            if v is not None and not (omit_zero and type(v) is not dict and v in ZEROS):
                out[name] = v
    return out


def _map_entry(buf: bytes, kind: str, sub: str | None) -> tuple[str, Any]:
    key, value = "", None
    for number, wire, v in fields(buf):
        if number == 1:
            if wire != LEN:
                raise DecodeError("a map key has the wrong wire type")
            key = _text(v)
        elif number == 2:
            value = _value(kind, sub, wire, v, "value")
    if value is None:
        value = {"string": "", "bytes": "", "quantity": "0", "list": [],
                 "message": {}}.get(kind)
    return key, value


def _packed(buf: bytes, kind: str) -> list[Any]:
    if kind in ("double", "float"):
        fmt, size = ("<d", 8) if kind == "double" else ("<f", 4)
        if len(buf) % size:
            raise DecodeError("truncated packed field")
        return [x[0] for x in struct.iter_unpack(fmt, buf)]
    out, i = [], 0
    while i < len(buf):
        v, i = read_varint(buf, i)
        out.append(_value(kind, None, VARINT, v, "items"))
    return out


def _text(value: Any) -> str:
    try:
        return bytes(value).decode()
    except UnicodeDecodeError as e:
        raise DecodeError(f"invalid UTF-8 in a string: {e}") from None


def _value(kind: str, sub: str | None, wire: int, value: Any, name: str) -> Any:
    if wire != WIRE.get(kind, LEN):
        raise DecodeError(f"field {name} has the wrong wire type {wire}")
    if kind == "string":
        return _text(value)
    if kind == "message":
        return decode_message(value, sub)  # type: ignore[arg-type]
    if kind == "int64":
        return signed(value)
    if kind == "int32":
        value &= 0xFFFFFFFF
        return value - (1 << 32) if value >= 1 << 31 else value
    if kind == "bool":
        return value != 0
    if kind == "bytes":
        return base64.b64encode(value).decode()
    if kind in ("uint32", "uint64"):
        return value
    if kind in ("double", "float"):
        return struct.unpack("<d" if kind == "double" else "<f", value)[0]
    if kind in ("time", "microtime"):
        return read_timestamp(value, micro=kind == "microtime")
    if kind == "quantity":
        return _first(value, "0")
    if kind == "intstr":
        f = {n: v for n, _w, v in fields(value)}
        if f.get(1, 0) == 1:
            return _text(f.get(3, b""))
        iv = f.get(2, 0)
        if not isinstance(iv, int):
            raise DecodeError("IntOrString.intVal has the wrong wire type")
        return _value("int32", None, VARINT, iv, name)
    if kind in ("rawext", "fieldsv1"):
        raw = _first_bytes(value)
        if not raw:
            return None
        if raw.startswith(MAGIC):
            return decode(raw)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise DecodeError(f"{name}: the embedded object is not JSON: {e}") from None
    if kind == "list":
        return decode_message(value, sub).get("items", [])  # type: ignore[arg-type]
    if kind == "duration":
        return read_duration(value)
    raise DecodeError(f"no reader for {kind}")  # pragma: no cover - the tables' types


def _first_bytes(buf: bytes) -> bytes:
    for number, wire, v in fields(buf):
        if number == 1:
            if wire != LEN:
                raise DecodeError("a wrapped value has the wrong wire type")
            return v  # type: ignore[return-value]
    return b""


def _first(buf: bytes, default: str) -> str:
    raw = _first_bytes(buf)
    return _text(raw) if raw else default


# -- encoding ----------------------------------------------------------------------------

SINGLE, REPEATED, WHOLE, INLINED = 0, 1, 2, 3
Encoder = Callable[[Any], bytes]


@functools.cache
def _encode_plan(msg: str) -> dict[str, tuple[bytes, Encoder, int]]:
    plan: dict[str, tuple[bytes, Encoder, int]] = {}
    for f in messages()[msg]["fields"]:
        name, inline, _ = json_field(msg, f)
        if f["type"] == "map":
            plan[name] = (b"", _map_encoder(f["number"], *kind_of(f["value"])), WHOLE)
            continue
        kind, sub = kind_of(f["type"])
        if kind == "skip":
            continue
        if inline:  # its fields are the object's own: keyed by no JSON name
            plan[f"\0{f['name']}"] = (tag(f["number"], LEN), _encoder(kind, sub), INLINED)
            continue
        mode = REPEATED if f["label"] == "repeated" else SINGLE
        plan[name] = (tag(f["number"], WIRE.get(kind, LEN)), _encoder(kind, sub), mode)
    return plan


@functools.cache
def _inlined(msg: str) -> tuple[tuple[bytes, Encoder], ...]:
    return tuple((t, fn) for k, (t, fn, mode) in _encode_plan(msg).items() if mode == INLINED)


def encode_message(obj: dict[str, Any], msg: str) -> bytes:
    """A JSON form → the message's bytes (only the fields present, in the form's order)."""
    plan = _encode_plan(msg)
    out: list[bytes] = []
    add = out.append
    for k, v in obj.items():
        p = plan.get(k)
        if p is None or v is None:
            continue
        t, fn, mode = p
        if mode == SINGLE:
            add(t)
            add(fn(v))
        elif mode == REPEATED:
            for x in v:
                add(t)
                add(fn(x))
        else:
            add(fn(v))
    for t, fn in _inlined(msg):  # Go writes an embedded struct always, even empty
        add(t)
        add(fn(obj))
    return b"".join(out)


def _string(v: str) -> bytes:
    b = v.encode()
    return varint(len(b)) + b


def _wrapped(payload: bytes) -> bytes:
    """A one-field message {1: payload}, length-prefixed."""
    return length_delimited(b"\x0a" + length_delimited(payload))


def _encoder(kind: str, sub: str | None) -> Encoder:
    if kind == "string":
        return _string
    if kind in ("int32", "int64", "uint32", "uint64"):
        return lambda v: varint(int(v))
    if kind == "bool":
        return lambda v: b"\x01" if v else b"\x00"
    if kind == "message":
        return lambda v: length_delimited(encode_message(v, sub))  # type: ignore[arg-type]
    if kind == "bytes":
        return lambda v: length_delimited(base64.b64decode(v))
    if kind in ("double", "float"):
        fmt = "<d" if kind == "double" else "<f"
        return lambda v: struct.pack(fmt, float(v))
    if kind in ("time", "microtime"):
        return timestamp_bytes
    if kind == "quantity":
        return lambda v: _wrapped(str(v).encode())
    if kind == "intstr":
        return _intstr
    if kind in ("rawext", "fieldsv1"):
        return lambda v: _wrapped(orjson.dumps(v))
    if kind == "list":
        return lambda v: length_delimited(b"".join(b"\x0a" + _string(x) for x in v))
    if kind == "duration":
        return duration_bytes
    raise ValueError(f"no writer for {kind}")  # pragma: no cover - the tables' types


def _map_encoder(number: int, kind: str, sub: str | None) -> Encoder:
    entry_tag = tag(number, LEN)
    value_tag = tag(2, WIRE.get(kind, LEN))
    fn = _encoder(kind, sub)

    def encode(d: dict[str, Any]) -> bytes:
        return b"".join(entry_tag + length_delimited(b"\x0a" + _string(k) + value_tag + fn(v))
                        for k, v in d.items() if v is not None)
    return encode


def _intstr(v: int | str) -> bytes:
    if isinstance(v, str):  # Go writes all three fields
        return length_delimited(b"\x08\x01\x10\x00\x1a" + _string(v))
    return length_delimited(b"\x08\x00\x10" + varint(v) + b"\x1a\x00")


# -- the envelope ------------------------------------------------------------------------

def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    """`k8s\\0` + runtime.Unknown around a message's bytes."""
    type_meta = b"\x0a" + _string(api_version) + b"\x12" + _string(kind)
    return MAGIC + b"\x0a" + length_delimited(type_meta) + b"\x12" + length_delimited(raw) \
        + b"\x1a\x00\x22\x00"


def encode(obj: dict[str, Any]) -> bytes:
    """A whole object (its apiVersion and kind name the message) → enveloped bytes."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    msg = message_for(api_version, kind)
    if msg is None:
        raise Unencodable(f"no protobuf message for {api_version} {kind}")
    return envelope(api_version, kind, encode_message(obj, msg))


def open_envelope(raw: bytes) -> tuple[str, str, bytes]:
    """Enveloped bytes → (apiVersion, kind, the message's bytes)."""
    if not raw.startswith(MAGIC):
        raise DecodeError("the body does not start with the k8s magic bytes")
    type_meta: dict[str, Any] = {}
    payload = b""
    for number, wire, value in fields(memoryview(raw)[len(MAGIC):]):
        if number in (1, 2, 3) and wire != LEN:
            raise DecodeError(f"runtime.Unknown field {number} has the wrong wire type {wire}")
        if number == 1:
            type_meta = decode_message(value, "k8s.io.apimachinery.pkg.runtime.TypeMeta")  # type: ignore[arg-type]
        elif number == 2:
            payload = value  # type: ignore[assignment]
        elif number == 3 and value:
            raise DecodeError(f"unsupported content encoding {_text(value)!r}")
    return type_meta.get("apiVersion", ""), type_meta.get("kind", ""), payload


def decode(raw: bytes) -> dict[str, Any]:
    """Enveloped bytes → the object's JSON form; Unencodable when no message is known."""
    api_version, kind, payload = open_envelope(raw)
    msg = message_for(api_version, kind)
    if msg is None:
        raise Unencodable(f"no protobuf message for {api_version or '?'} {kind or '?'}")
    return {"apiVersion": api_version, "kind": kind, **decode_message(payload, msg)}
