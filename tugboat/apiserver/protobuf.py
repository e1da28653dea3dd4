"""Kubernetes' protobuf media type on the API server: request bodies read from it, replies
(objects, lists, Status errors, watch frames) written in it when the client's Accept
prefers it. kubectl's typed clients (`create deployment|namespace|secret|token ...`,
`auth can-i`, `autoscale`, `drain`) send "application/vnd.kubernetes.protobuf,
application/json" and bodies in protobuf, and do not fall back to JSON for a body; client-go
reads either reply.

The messages come from the generated tables (tugboat.api.proto.codec). A kind with no
published message (metrics.k8s.io) is answered in JSON when the client also accepts JSON,
406 when it accepts nothing else, and a protobuf body of it is 415, as kube-apiserver does
for a type its protobuf serializer cannot handle.

Watch streams in protobuf (Content-Type "...;stream=watch") are frames of a 4-byte
big-endian length and a bare meta.v1.WatchEvent (apimachinery's RawSerializer: no magic, no
Unknown), whose object.raw is the enveloped object (`k8s\\0` + runtime.Unknown), as
apiserver's handlers/watch.go writes them with the embedded encoder."""

from __future__ import annotations

import logging
from typing import Any

from tugboat.api.proto import codec
from tugboat.api.proto.wire import DecodeError, length_delimited
from tugboat.apiserver import errors

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
WATCH_MEDIA_TYPE = MEDIA_TYPE + ";stream=watch"
MAGIC = codec.MAGIC
JSON_TYPES = ("application/json", "application/yaml")

Obj = dict[str, Any]


def decode(raw: bytes) -> Obj:
    """A protobuf request body → the object as its JSON form would parse."""
    if not raw.startswith(MAGIC):
        raise errors.bad_request("the protobuf body does not start with the k8s magic bytes")
    try:
        return codec.decode(raw)
    except codec.Unencodable as e:
        raise errors.ApiError(
            415, "UnsupportedMediaType",
            f"the body of the request was in an unknown format - accepted media types "
            f"include: application/json, application/yaml ({e})") from None
    except (DecodeError, RecursionError) as e:
        raise errors.bad_request(f"error decoding protobuf: {e}") from None


# -- negotiation -------------------------------------------------------------------------

def _clauses(accept: str) -> list[tuple[str, dict[str, str]]]:
    """Accept's media ranges, best first: by q, then the more specific, then as sent
    (goautoneg, which kube-apiserver's negotiation uses); q=0 ranges are refusals."""
    out = []
    for i, part in enumerate(accept.split(",")):
        mt, *params = (p.strip() for p in part.split(";"))
        if not mt:
            continue
        ps = {}
        for p in params:
            k, _, v = p.partition("=")
            ps[k.strip().lower()] = v.strip()
        try:
            q = float(ps.pop("q", "1"))
        except ValueError:
            q = 1.0
        if q > 0:
            out.append((-q, mt.count("*"), i, mt.lower(), ps))
    out.sort(key=lambda c: c[:3])
    return [(c[3], c[4]) for c in out]


def _matches(clause: str, offered: str) -> bool:
    if clause in ("*/*", offered):
        return True
    return clause.endswith("/*") and offered.startswith(clause[:-1])


def wants_protobuf(accept: str | None, encodable: bool = True) -> bool:
    """Whether the reply goes out in protobuf: the best acceptable range names it (and the
    object has a message). JSON otherwise; 406 when nothing offered is acceptable."""
    if not accept:
        return False
    # In kube-apiserver's order: a wildcard takes the first, JSON.
    offered = (*JSON_TYPES, MEDIA_TYPE) if encodable else JSON_TYPES
    for mt, params in _clauses(accept):
        if "as" in params:  # a Table (the routes serve them, in JSON only)
            if any(_matches(mt, o) for o in JSON_TYPES):
                return False
            continue
        for o in offered:
            if _matches(mt, o):
                return o == MEDIA_TYPE
    raise errors.ApiError(406, "NotAcceptable", f"only the following media types are "
                          f"accepted: {', '.join(offered)}")


def encodable(api_version: str, kind: str) -> bool:
    return codec.message_for(api_version, kind) is not None


# -- replies -----------------------------------------------------------------------------

class _Cache:
    """Message bytes of stored objects by (kind, uid, resourceVersion): an object's bytes
    never change at one resourceVersion, and a list or a watch event sends the same object
    to every reader (kube-apiserver's watch cache keeps serialized objects the same way).
    Bounded by bytes; the oldest entries go first."""

    def __init__(self, limit: int = 64 * 1024 * 1024) -> None:
        self.limit, self.size = limit, 0
        self.entries: dict[tuple[str, str, str], bytes] = {}

    def message(self, obj: Obj, msg: str) -> bytes:
        meta = obj.get("metadata") or {}
        uid, rv = meta.get("uid"), meta.get("resourceVersion")
        if not uid or not rv:
            return codec.encode_message(obj, msg)
        key = (msg, uid, rv)
        b = self.entries.get(key)
        if b is None:
            b = codec.encode_message(obj, msg)
            self.entries[key] = b
            self.size += len(b)
            while self.size > self.limit:
                self.size -= len(self.entries.pop(next(iter(self.entries))))
        return b


CACHE = _Cache()


def encode(obj: Obj, cached: bool = False) -> bytes | None:
    """A whole object (or a Status) enveloped, or None when it has no message (or does not
    fit it: then the reply stays JSON, which the client accepts as well)."""
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    msg = codec.message_for(api_version, kind)
    if msg is None:
        return None
    try:
        raw = CACHE.message(obj, msg) if cached else codec.encode_message(obj, msg)
    except (TypeError, ValueError, AttributeError, OverflowError) as e:
        log.warning("%s %s does not fit its protobuf message, replying JSON: %s",
                    api_version, kind, e)
        return None
    return codec.envelope(api_version, kind, raw)


def encode_list(lst: Obj) -> bytes | None:
    """A <Kind>List: its ListMeta and each item's (cached) message bytes."""
    api_version, kind = lst.get("apiVersion", ""), lst.get("kind", "")
    msg = codec.message_for(api_version, kind)
    item_msg = codec.message_for(api_version, kind.removesuffix("List"))
    if msg is None or item_msg is None or not kind.endswith("List"):
        return None
    try:
        parts = [b"\x0a" + length_delimited(codec.encode_message(
            lst.get("metadata") or {}, f"{codec.META}.ListMeta"))]
        parts += [b"\x12" + length_delimited(CACHE.message(item, item_msg))
                  for item in lst.get("items") or ()]
    except (TypeError, ValueError, AttributeError, OverflowError) as e:
        log.warning("%s %s does not fit its protobuf message, replying JSON: %s",
                    api_version, kind, e)
        return None
    return codec.envelope(api_version, kind, b"".join(parts))


def watch_frame(etype: str, enveloped: bytes) -> bytes:
    """One watch event: length, then WatchEvent {type, object: RawExtension {raw}}."""
    event = b"\x0a" + length_delimited(etype.encode()) + b"\x12" + length_delimited(
        b"\x0a" + length_delimited(enveloped))
    return len(event).to_bytes(4, "big") + event
