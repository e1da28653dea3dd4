"""Server-side printing: meta.k8s.io/v1 Tables for `Accept: ...;as=Table;...` requests
(COMPAT §4–§5). kubectl prints a Table's cells verbatim and only adds the NAMESPACE
column and labels from each row's object, so every column and cell that `kubectl get`
shows is decided here, and must match what a real apiserver's printers
(k8s.io/kubernetes/pkg/printers/internalversion/printers.go) would send. One module per
resource family holds its columns and cell logic; this one picks the printer and wraps
the rows in a Table.

Resources without a printer get Name and Age. (A real apiserver's fallback is Name plus
a "Created At" date column, which kubectl prints as a raw timestamp; Age is what kubectl
shows for a plain list, so it is the more familiar choice.)
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from tugboat.apiserver.tables import (
    autoscaling,
    config,
    cronjobs,
    customresources,
    events,
    leases,
    namespaces,
    nodes,
    pods,
    policy,
    quota,
    serviceaccounts,
    services,
    workloads,
)
from tugboat.apiserver.tables.cells import Obj, Printer, age, age_column, name, name_column

__all__ = ["INCLUDE_OBJECT_POLICIES", "column_definitions", "to_row", "to_table"]

TABLE_API_VERSION = "meta.k8s.io/v1"
# includeObject's values; Kubernetes treats an empty value as the default, Metadata.
INCLUDE_OBJECT_POLICIES = ("None", "Metadata", "Object", "")

DEFAULT_PRINTER = Printer((name_column(), age_column()),
                          lambda obj, now: [name(obj), age(obj, now)])

# Keyed by plural resource name; a qualified name such as "pods.metrics.k8s.io" matches
# nothing here and so prints with the default columns.
PRINTERS: dict[str, Printer] = {
    **pods.PRINTERS,
    **nodes.PRINTERS,
    **events.PRINTERS,
    **namespaces.PRINTERS,
    **workloads.PRINTERS,
    **cronjobs.PRINTERS,
    **services.PRINTERS,
    **config.PRINTERS,
    **serviceaccounts.PRINTERS,
    **leases.PRINTERS,
    **autoscaling.PRINTERS,
    **quota.PRINTERS,
    **policy.PRINTERS,
}


def _printer(resource: str) -> Printer:
    return PRINTERS.get(resource) or customresources.find(resource) or DEFAULT_PRINTER


def column_definitions(resource: str) -> list[Obj]:
    """The Table columnDefinitions for a resource, wide (priority 1) columns included."""
    return [dict(col) for col in _printer(resource).columns]


def _check_include_object(include_object: str) -> None:
    if include_object not in INCLUDE_OBJECT_POLICIES:
        raise ValueError(f"unrecognized includeObject value: {include_object!r}")


def _row_object(obj: Obj, include_object: str) -> Obj | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return obj
    # The default: PartialObjectMetadata, enough for kubectl's NAMESPACE column and
    # --show-labels without shipping whole objects (and secret data) to a terminal.
    return {"kind": "PartialObjectMetadata", "apiVersion": TABLE_API_VERSION,
            "metadata": obj.get("metadata") or {}}


def to_row(resource: str, obj: Obj, *, now: float | None = None,
           include_object: str = "Metadata") -> Obj:
    """One TableRow for one object. An unknown include_object raises ValueError, which
    the caller answers with 400 BadRequest as Kubernetes does."""
    _check_include_object(include_object)
    printer = _printer(resource)
    when = time.time() if now is None else now
    row: Obj = {"cells": printer.cells(obj, when)}
    if printer.conditions is not None and (conditions := printer.conditions(obj)):
        row["conditions"] = conditions
    if (row_object := _row_object(obj, include_object)) is not None:
        row["object"] = row_object
    return row


def to_table(resource: str, objects: Iterable[Obj], *, list_resource_version: str | None,
             now: float | None = None, include_object: str = "Metadata") -> Obj:
    """A meta.k8s.io/v1 Table of the objects, in order. `resource` is the plural name
    ("pods"); `now` (epoch seconds) fixes the clock the ages are measured against;
    `include_object` is the includeObject query parameter: "Metadata", "Object" or
    "None". A watch event carries the one-row Table of its object."""
    _check_include_object(include_object)  # even for an empty list
    when = time.time() if now is None else now
    metadata: Obj = {}
    if list_resource_version is not None:
        metadata["resourceVersion"] = list_resource_version
    return {
        "kind": "Table",
        "apiVersion": TABLE_API_VERSION,
        "metadata": metadata,
        "columnDefinitions": column_definitions(resource),
        "rows": [to_row(resource, obj, now=when, include_object=include_object)
                 for obj in objects],
    }
