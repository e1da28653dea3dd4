"""Validation of the volume sources the kubelet fills or sizes (ValidateVolumes' configMap,
secret, downwardAPI, projected and emptyDir parts): required names, file modes within
0..0777, item paths that stay inside the volume and do not clash with the atomic writer's
`..` names, downward API field paths a volume can show, projected sources one kind each
without duplicate paths, token lifetimes. Kubernetes' field paths and messages."""

from __future__ import annotations

from pathlib import PurePosixPath

from tugboat.api.pod import DownwardAPIVolumeFile, KeyToPath, ProjectedVolumeSource, Volume
from tugboat.api.quantity import QuantityError, parse_quantity
from tugboat.api.validation.fielderrors import (
    Errors,
    forbidden,
    invalid,
    not_supported,
    required,
)
from tugboat.api.validation.names import is_qualified_name

FILE_MODE_MESSAGE = "must be a number between 0 and 0777 (octal), both inclusive"
VOLUME_FIELD_PATHS = ("metadata.annotations", "metadata.labels", "metadata.name",
                      "metadata.namespace", "metadata.uid")
RESOURCE_FIELD_PATHS = ("limits.cpu", "limits.ephemeral-storage", "limits.memory",
                        "requests.cpu", "requests.ephemeral-storage", "requests.memory")
_MIN_TOKEN_SECONDS = 600
_MAX_TOKEN_SECONDS = 1 << 32


def validate_local_descending_path(target: str, path: str, errs: Errors) -> None:
    if target.startswith("/"):
        errs.append(invalid(path, target, "must be a relative path"))
    if ".." in PurePosixPath(target).parts or ".." in target.split("/"):
        errs.append(invalid(path, target, "must not contain '..'"))


def validate_local_non_reserved_path(target: str, path: str, errs: Errors) -> None:
    validate_local_descending_path(target, path, errs)
    if target.startswith("..") and not target.startswith("../"):
        errs.append(invalid(path, target, "must not start with '..'"))


def _mode(mode: int | None, path: str, errs: Errors) -> None:
    if mode is not None and not 0 <= mode <= 0o777:
        errs.append(invalid(path, mode, FILE_MODE_MESSAGE))


def _key_to_path(item: KeyToPath, path: str, errs: Errors) -> None:
    if not item.key:
        errs.append(required(f"{path}.key"))
    if not item.path:
        errs.append(required(f"{path}.path"))
    validate_local_non_reserved_path(item.path, f"{path}.path", errs)
    _mode(item.mode, f"{path}.mode", errs)


def _field_path(value: str, path: str, errs: Errors) -> None:
    if value in VOLUME_FIELD_PATHS:
        return
    for prefix, check in (("metadata.labels", is_qualified_name),
                          ("metadata.annotations", is_qualified_name)):
        if value.startswith(f"{prefix}['") and value.endswith("']"):
            key = value[len(prefix) + 2:-2]
            for msg in check(key.lower() if prefix == "metadata.annotations" else key):
                errs.append(invalid(path, key, msg))
            return
    errs.append(not_supported(path, value, VOLUME_FIELD_PATHS))


def _downward_file(item: DownwardAPIVolumeFile, path: str, errs: Errors) -> None:
    if not item.path:
        errs.append(required(f"{path}.path"))
    validate_local_non_reserved_path(item.path, f"{path}.path", errs)
    if item.fieldRef is not None:
        if not item.fieldRef.fieldPath:
            errs.append(required(f"{path}.fieldRef.fieldPath"))
        else:
            _field_path(item.fieldRef.fieldPath, f"{path}.fieldRef.fieldPath", errs)
        if item.resourceFieldRef is not None:
            errs.append(invalid(path, "resource", "fieldRef and resourceFieldRef can not be "
                                                  "specified simultaneously"))
    elif item.resourceFieldRef is not None:
        ref = item.resourceFieldRef
        if not ref.containerName:
            errs.append(required(f"{path}.resourceFieldRef.containerName"))
        if not ref.resource:
            errs.append(required(f"{path}.resourceFieldRef.resource"))
        elif ref.resource not in RESOURCE_FIELD_PATHS \
                and not ref.resource.startswith(("limits.hugepages-", "requests.hugepages-")):
            errs.append(not_supported(f"{path}.resourceFieldRef.resource", ref.resource,
                                      RESOURCE_FIELD_PATHS))
    else:
        errs.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    _mode(item.mode, f"{path}.mode", errs)


def _projected(src: ProjectedVolumeSource, path: str, errs: Errors) -> None:
    _mode(src.defaultMode, f"{path}.defaultMode", errs)
    seen: set[str] = set()

    def claim(target: str, value: str) -> None:
        if target in seen:
            errs.append(invalid(path, value, "conflicting duplicate paths"))
        seen.add(target)

    for i, s in enumerate(src.sources or ()):
        sp = f"{path}.sources[{i}]"
        kinds = [k for k in ("secret", "configMap", "downwardAPI", "serviceAccountToken",
                             "clusterTrustBundle") if getattr(s, k) is not None]
        for kind, ref in (("secret", s.secret), ("configMap", s.configMap)):
            if ref is None:
                continue
            if not ref.name:
                errs.append(required(f"{sp}.{kind}.name"))
            for j, item in enumerate(ref.items or ()):
                _key_to_path(item, f"{sp}.{kind}.items[{j}]", errs)
                if item.path:
                    claim(item.path, ref.name or "")
        if s.downwardAPI is not None:
            for j, item in enumerate(s.downwardAPI.items or ()):
                _downward_file(item, f"{sp}.downwardAPI.items[{j}]", errs)
                if item.path:
                    claim(item.path, item.path)
        if (token := s.serviceAccountToken) is not None:
            tp = f"{sp}.serviceAccountToken"
            seconds = token.expirationSeconds
            if seconds is not None and seconds < _MIN_TOKEN_SECONDS:
                errs.append(invalid(f"{tp}.expirationSeconds", seconds,
                                    "may not specify a duration less than 10 minutes"))
            elif seconds is not None and seconds > _MAX_TOKEN_SECONDS:
                errs.append(invalid(f"{tp}.expirationSeconds", seconds,
                                    "may not specify a duration larger than 2^32 seconds"))
            if not token.path:
                errs.append(required(f"{tp}.path"))
            else:
                validate_local_non_reserved_path(token.path, f"{tp}.path", errs)
                claim(token.path, token.path)
        if len(kinds) > 1:
            errs.append(forbidden(sp, "may not specify more than 1 volume type per source"))


def validate_written_volume(v: Volume, path: str, errs: Errors) -> None:
    """The configMap, secret, downwardAPI, projected and emptyDir parts of one volume."""
    for kind, src, name in (("configMap", v.configMap, "name"),
                            ("secret", v.secret, "secretName")):
        if src is None:
            continue
        if not getattr(src, name):
            errs.append(required(f"{path}.{kind}.{name}"))
        _mode(src.defaultMode, f"{path}.{kind}.defaultMode", errs)
        for i, item in enumerate(src.items or ()):
            _key_to_path(item, f"{path}.{kind}.items[{i}]", errs)
    if v.downwardAPI is not None:
        _mode(v.downwardAPI.defaultMode, f"{path}.downwardAPI.defaultMode", errs)
        for i, item in enumerate(v.downwardAPI.items or ()):
            _downward_file(item, f"{path}.downwardAPI.items[{i}]", errs)
    if v.projected is not None:
        _projected(v.projected, f"{path}.projected", errs)
    if v.emptyDir is not None and v.emptyDir.sizeLimit is not None:
        try:
            negative = parse_quantity(v.emptyDir.sizeLimit).value < 0
        except QuantityError:
            negative = False  # the quantity's own check reports it
        if negative:
            errs.append(forbidden(f"{path}.emptyDir.sizeLimit",
                                  "SizeLimit field must be a valid resource quantity"))
