"""The bodies custom objects are sent as: JSON and YAML only (Kubernetes has no protobuf
message for a kind it does not know), and no strategic merge patch (its merge keys come
from Go struct tags a custom kind has none of). Others are a 415, in the
apiextensions-apiserver's words."""

from __future__ import annotations

from tugboat.api.customresources import CustomResourceInfo
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import decoding, errors

BODY_TYPES = ("application/json", "application/yaml")
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/apply-patch+yaml")


def check(info: ResourceInfo, method: str, content_type: str | None) -> None:
    if not isinstance(info, CustomResourceInfo) or method not in ("POST", "PUT", "PATCH"):
        return
    media = decoding.media_type(content_type)
    accepted = PATCH_TYPES if method == "PATCH" else BODY_TYPES
    allowed = (*accepted, "application/apply-patch+json") if method == "PATCH" \
        else (*accepted, "")
    if media not in allowed:
        raise errors.ApiError(415, "UnsupportedMediaType",
                              f"the body of the request was in an unknown format - accepted "
                              f"media types include: {', '.join(accepted)}")
