"""The edge between a served version and the stored one, for resources served in more than
one version (autoscaling/v1 HorizontalPodAutoscalers from autoscaling/v2 storage; CRD
versions later). A body of a converted version is typed as that version first — its own
fields checked, its own unknown fields warned about or refused — and then converted; the
registry's pipeline (strategy, admission, defaults, validation) runs on the storage
version, as Kubernetes runs it on the internal one; what comes back is converted to the
version asked for. Reads and watch events go the same way back (ResourceInfo.from_storage).
"""

from __future__ import annotations

from typing import Any

from tugboat.api.conversion import ConversionError
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import decoding, errors

Obj = dict[str, Any]


def storage_body(info: ResourceInfo, body: Obj,
                 field_validation: str | None) -> tuple[Obj, list[str]]:
    """A request body of the converted version `info` as a storage-version body, and the
    warnings its unknown fields earn."""
    decoding.check_type_meta(info, body)
    name = (body.get("metadata") or {}).get("name") if isinstance(body.get("metadata"),
                                                                 dict) else None
    model = decoding.decode(info, body, name if isinstance(name, str) else None)
    wire = model.wire()
    warnings = decoding.field_validation_outcome(field_validation,
                                                 decoding.unknown_fields(body, wire))
    try:
        return info.to_storage(wire), warnings
    except ConversionError as e:
        raise errors.bad_request(str(e)) from None


def served(info: ResourceInfo, obj: Obj) -> Obj:
    """A stored object as `info` serves it; errors of a stored object that no longer
    converts are the server's (500), not the reader's."""
    try:
        return info.from_storage(obj)
    except ConversionError as e:
        raise errors.ApiError(500, "InternalError", f"an error on the server while "
                              f"converting {info.resource}: {e}") from None
