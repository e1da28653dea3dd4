"""The bodies custom objects are sent as: JSON and YAML only (Kubernetes has no protobuf
message for a kind it does not know), and no strategic merge patch (its merge keys come
from Go struct tags a custom kind has none of). Others are a 415, in the
apiextensions-apiserver's words."""

from __future__ import annotations

from tugboat.api.apiextensions import GROUP
from tugboat.api.customresources import CustomResourceInfo
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import decoding, errors

BODY_TYPES = ("application/json", "application/yaml")
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/apply-patch+yaml")


def check(info: ResourceInfo, method: str, content_type: str | None) -> None:
    if method not in ("POST", "PUT", "PATCH"):
        return
    media = decoding.media_type(content_type)
    if info.group == GROUP and method != "PATCH" and media not in (*BODY_TYPES, ""):
        # CRDs have a protobuf message in Kubernetes, but not in tugboat/api/proto's tables
        raise _unsupported(BODY_TYPES)
    if not isinstance(info, CustomResourceInfo):
        return
    accepted = PATCH_TYPES if method == "PATCH" else BODY_TYPES
    allowed = (*accepted, "application/apply-patch+json") if method == "PATCH" \
        else (*accepted, "")
    if media not in allowed:
        raise _unsupported(accepted)


def _unsupported(accepted: tuple[str, ...]) -> errors.ApiError:
    return errors.ApiError(415, "UnsupportedMediaType", f"the body of the request was in an "
                           f"unknown format - accepted media types include: "
                           f"{', '.join(accepted)}")
