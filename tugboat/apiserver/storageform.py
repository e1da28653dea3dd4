"""What the registry checks of a write's body on its way to the store, beyond its kind's
validation: the metadata typed before any step reads it (a name that is a number used to
be a 500, a uid of the wrong type was silently reset), and the encoded object within what
the store takes (etcd's default request limit; an object is kept whole in the watch cache
and in every event, so one write must not be able to cost megabytes a revision). And the
way back: a stored object read as its model even when it was stored before a rule
tightened, so that an update can still fix it."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pydantic

from tugboat.api import validation
from tugboat.api.meta import PartialObjectMetadata
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import errors

Obj = dict[str, Any]
log = logging.getLogger(__name__)
# The largest object the store takes: etcd's default --max-request-bytes (1.5 MiB), which
# Kubernetes meets as "request is too large" and answers 413. The 3 MiB request limit
# alone would let one object be twice that, and the watch cache keeps every version.
MAX_OBJECT_BYTES = 1_572_864


def encode(info: ResourceInfo, name: str, wire: Obj) -> bytes:
    """The stored form of an object; 413 when it is over MAX_OBJECT_BYTES."""
    data = orjson.dumps(wire)
    if len(data) > MAX_OBJECT_BYTES:
        raise errors.entity_too_large(f"{info.resource} \"{name}\" would be {len(data)} "
                                      f"bytes stored; the limit is {MAX_OBJECT_BYTES}")
    return data


def check_metadata(info: ResourceInfo, body: Obj) -> None:
    """Type-check a body's metadata before anything reads it: a name that is a number or a
    uid that is a list is a 422 naming the field, as the full decode would say later, and
    never a 500 from code that expected strings (nor silently dropped when the server
    resets the field)."""
    try:
        PartialObjectMetadata.model_validate(body)
    except pydantic.ValidationError as e:
        name = body["metadata"].get("name")
        raise errors.invalid(info, name if isinstance(name, str) else None,
                             validation.causes_from_pydantic(e, PartialObjectMetadata)) from None


def decode_stored(info: ResourceInfo, stored: Obj) -> Any:
    """The stored object as its model, for an update's rules that compare with it. An
    object stored before a field was bounded (replicas 2^31, before int32) does not decode
    any more; its offending fields are left out of this view, so the update that fixes
    them is judged as if they were unset (and not a 500 on every write to it)."""
    obj = stored
    for _ in range(8):
        try:
            return info.model.model_validate(obj)
        except pydantic.ValidationError as e:
            if obj is stored:
                obj = orjson.loads(orjson.dumps(stored))
            log.warning("stored %s %s no longer decodes (%s); judging the update without it",
                        info.resource, stored.get("metadata", {}).get("name"),
                        "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
                                  for err in e.errors(include_url=False)))
            for err in e.errors(include_url=False):
                _drop(obj, err["loc"])
    return info.model.model_validate(obj)


def _drop(obj: Any, loc: tuple[int | str, ...]) -> None:
    """Remove the deepest part of `obj` that `loc` (a pydantic error location, which may
    end in union member tags that are no keys) reaches."""
    parent, key = None, None
    node = obj
    for part in loc:
        if isinstance(node, dict) and part in node:
            parent, key, node = node, part, node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            parent, key, node = node, part, node[part]
        else:
            break
    if isinstance(parent, dict):
        parent.pop(key, None)
    elif isinstance(parent, list) and isinstance(key, int):
        parent.pop(key)
