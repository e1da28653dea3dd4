"""The checks a write makes against what it names before the pipeline runs: an update's
body must agree with its URL (kube-apiserver's "does not match" 400s), and a delete's
preconditions must hold for the stored object (409), as in Kubernetes' rest package."""

from __future__ import annotations

from typing import Any

from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import decoding, errors
from tugboat.apiserver.storageform import check_metadata

Obj = dict[str, Any]


def check_update_body(info: ResourceInfo, ns: str | None, name: str, body: Obj,
                      expected: int | None) -> int | None:
    """An update's body against its URL: kind, metadata, name and namespace must agree;
    its resourceVersion (when the caller expects none) becomes the expected revision."""
    decoding.check_type_meta(info, body)
    meta = body.get("metadata")
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    check_metadata(info, body)
    if meta.get("name") and meta["name"] != name:
        raise errors.bad_request(f"the name of the object ({meta['name']}) does not match "
                                 f"the name on the URL ({name})")
    meta["name"] = name
    if info.namespaced and meta.get("namespace") and meta["namespace"] != ns:
        raise errors.bad_request("the namespace of the provided object does not match the "
                                 "namespace sent on the request")
    rv = meta.get("resourceVersion")
    if expected is None and rv:
        if not isinstance(rv, str) or not decoding.is_resource_version(rv):
            raise errors.bad_request(f'invalid resourceVersion "{rv}"')
        expected = int(rv)
    return expected


def check_delete(info: ResourceInfo, name: str, cur: Obj, options: Any) -> None:
    """DeleteOptions.preconditions (uid, resourceVersion) against the stored object: 409."""
    pre = options.preconditions
    uid, rv = cur["metadata"].get("uid"), cur["metadata"]["resourceVersion"]
    if pre and pre.uid and pre.uid != uid:
        raise errors.conflict(info, name, f"Precondition failed: UID in precondition: "
                              f"{pre.uid}, UID in object meta: {uid}")
    if pre and pre.resourceVersion and pre.resourceVersion != rv:
        raise errors.conflict(info, name, "Precondition failed: ResourceVersion in "
                              f"precondition: {pre.resourceVersion}, ResourceVersion in "
                              f"object meta: {rv}")
