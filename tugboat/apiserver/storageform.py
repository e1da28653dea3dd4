"""What the registry checks of a write's body on its way to the store, beyond its kind's
validation: the metadata typed before any step reads it (a name that is a number used to
be a 500, a uid of the wrong type was silently reset), and the encoded object within what
the store takes (etcd's default request limit; an object is kept whole in the watch cache
and in every event, so one write must not be able to cost megabytes a revision)."""

from __future__ import annotations

from typing import Any

import orjson
import pydantic

from tugboat.api import validation
from tugboat.api.meta import PartialObjectMetadata
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import errors

Obj = dict[str, Any]
# The largest object the store takes: etcd's default --max-request-bytes (1.5 MiB), which
# Kubernetes meets as "request is too large" and answers 413. The 3 MiB request limit
# alone would let one object be twice that, and the watch cache keeps every version.
MAX_OBJECT_BYTES = 1_572_864


def encode(info: ResourceInfo, name: str, wire: Obj) -> bytes:
    """The stored form of an object; 413 when it is over MAX_OBJECT_BYTES."""
    data = orjson.dumps(wire)
    if len(data) > MAX_OBJECT_BYTES:
        raise errors.ApiError(413, "RequestEntityTooLarge",
                              f"Request entity too large: {info.resource} \"{name}\" would be "
                              f"{len(data)} bytes stored; the limit is {MAX_OBJECT_BYTES}")
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
