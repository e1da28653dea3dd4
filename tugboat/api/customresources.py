"""The resources a CustomResourceDefinition adds to the API: one CustomResourceInfo per
served version, carrying what the server needs to serve it — the version's structural
schema, printer columns and scale paths — so that routing, the write pipeline, discovery,
OpenAPI and Tables treat custom resources like the built-in table's. Custom objects have
no pydantic model: `Unstructured` stands in for one (types from the schema, metadata
typed as ObjectMeta), pruned and defaulted as it is decoded."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import Field

from tugboat.api.apiextensions import (
    CustomResourceColumnDefinition,
    CustomResourceDefinition,
    CustomResourceDefinitionVersion,
    CustomResourceSubresourceScale,
)
from tugboat.api.meta import K8sModel, ObjectMeta
from tugboat.api.resources import ResourceInfo
from tugboat.api.schema import defaulting, pruning

Obj = dict[str, Any]


class _Envelope(K8sModel):
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)


class Unstructured:
    """A decoded custom object: the JSON itself, with its metadata typed."""

    def __init__(self, obj: Obj, metadata: ObjectMeta):
        self.obj = obj
        self.metadata = metadata

    def wire(self) -> Obj:
        return self.obj


@dataclass(frozen=True)
class UnstructuredModel:
    """The stand-in for a pydantic model class (`model_validate`) of one custom resource
    version: decoding prunes what the schema does not know and applies its defaults;
    a metadata of the wrong shape is the pydantic error a typed kind would raise."""

    schema: Obj | None
    preserve_unknown: bool = False

    def model_validate(self, body: Obj) -> Unstructured:
        obj = copy.deepcopy(body)
        meta = _Envelope.model_validate({"metadata": obj.get("metadata") or {}}).metadata
        obj["metadata"] = meta.wire()
        if not self.preserve_unknown:
            pruning.prune(obj, self.schema)
        defaulting.apply_defaults(obj, self.schema)
        return Unstructured(obj, meta)


@dataclass(frozen=True)
class RenameVersion:
    """Conversion strategy None: the object is the same in every version; only its
    apiVersion changes."""

    group: str
    served_version: str
    storage_version: str

    def to_storage(self, obj: Obj) -> Obj:
        return {**obj, "apiVersion": f"{self.group}/{self.storage_version}"}

    def from_storage(self, obj: Obj) -> Obj:
        return {**obj, "apiVersion": f"{self.group}/{self.served_version}"}


@dataclass(frozen=True)
class CustomResourceInfo(ResourceInfo):
    # The CRD's resourceVersion: infos of one CRD compare equal only while it is unchanged,
    # so what is cached by info (strategies) follows the CRD's edits.
    revision: str = ""
    crd_name: str = ""
    schema: Obj | None = field(default=None, compare=False, hash=False)
    preserve_unknown: bool = field(default=False, compare=False)
    printer_columns: tuple[CustomResourceColumnDefinition, ...] = field(default=(),
                                                                        compare=False)
    scale: CustomResourceSubresourceScale | None = field(default=None, compare=False)
    terminating: bool = False  # the CRD is being deleted: its objects go, none are created

    @cached_property
    def model(self) -> Any:
        return UnstructuredModel(self.schema, self.preserve_unknown)

    @cached_property
    def converter(self) -> Any:
        return RenameVersion(self.group, self.version, self.storage_version or self.version)

    @property
    def printer_name(self) -> str:
        return f"{self.resource}.{self.group}/{self.version}"


def _info(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion,
          storage: str) -> CustomResourceInfo:
    names = (crd.status.acceptedNames if crd.status and crd.status.acceptedNames
             else crd.spec.names)
    subs = v.subresources
    subresources = tuple(s for s in ("status", "scale")
                         if subs is not None and getattr(subs, s) is not None)
    return CustomResourceInfo(
        group=crd.spec.group, version=v.name, resource=names.plural, kind=names.kind,
        namespaced=crd.spec.scope == "Namespaced", model_path="",
        short_names=tuple(names.shortNames or ()), subresources=subresources,
        categories=tuple(names.categories or ()),
        storage_version=None if v.name == storage else storage,
        revision=crd.metadata.resourceVersion or "", crd_name=crd.metadata.name or "",
        schema=v.schema_.openAPIV3Schema if v.schema_ else None,
        preserve_unknown=bool(crd.spec.preserveUnknownFields),
        printer_columns=tuple(v.additionalPrinterColumns or ()),
        scale=subs.scale if subs else None,
        terminating=crd.metadata.deletionTimestamp is not None)


_KUBE_VERSION = re.compile(r"v([0-9]+)(?:(alpha|beta)([0-9]+))?")


def version_priority(name: str) -> tuple[int, int, int, str]:
    """Kubernetes' version order (sort ascending): GA before beta before alpha, higher
    numbers first, then versions that do not look like Kubernetes' in name order."""
    m = _KUBE_VERSION.fullmatch(name)
    if m is None:
        return (3, 0, 0, name)
    major, level, minor = int(m[1]), m[2], int(m[3] or 0)
    return ({None: 0, "beta": 1, "alpha": 2}[level], -major, -minor, "")


def infos_for(crd: CustomResourceDefinition) -> list[CustomResourceInfo]:
    """The served versions of an Established CRD as resources, in Kubernetes' version
    order: the first is the group's preferred version in discovery."""
    storage = crd.storage_version()
    if storage is None:
        return []
    served = sorted((v for v in crd.spec.versions if v.served),
                    key=lambda v: version_priority(v.name))
    return [_info(crd, v, storage) for v in served]
