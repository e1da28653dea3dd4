"""The Table printers of custom resources: a Name column, then the CRD version's
additionalPrinterColumns (or an Age column when it names none), each cell the first value
its simple JSONPath finds, as the apiextensions-apiserver's tableconvertor prints them.
The printers are keyed by ResourceInfo.printer_name and replaced whole as CRDs change
(customresources' establishing controller calls serve)."""

from __future__ import annotations

import re
from typing import Any

from tugboat.api.customresources import CustomResourceInfo
from tugboat.apiserver.tables.cells import (
    Obj,
    Printer,
    age,
    age_column,
    column,
    name,
    name_column,
    since,
)

_PRINTERS: dict[str, Printer] = {}
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\*)\]|\[\?\(@\.([^=!]+?)\s*==\s*['\"]?([^'\"\)]*)['\"]?\)\]")


def serve(infos: tuple[CustomResourceInfo, ...]) -> None:
    global _PRINTERS
    _PRINTERS = {i.printer_name: printer(i) for i in infos}


def find(printer_name: str) -> Printer | None:
    return _PRINTERS.get(printer_name) or _STATIC.get(printer_name)


def values(obj: Any, path: str) -> list[Any]:
    """The values a simple JSONPath (`.spec.replicas`, `.items[0]`, `.conds[?(@.type=="Ready")].status`)
    finds in obj, in order."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    found = [obj]
    for m in _STEP.finditer(path):
        key, index, fkey, fval = m.groups()
        nxt: list[Any] = []
        for cur in found:
            if key is not None and isinstance(cur, dict) and key in cur:
                nxt.append(cur[key])
            elif index is not None and isinstance(cur, list):
                if index == "*":
                    nxt.extend(cur)
                elif int(index) < len(cur):
                    nxt.append(cur[int(index)])
            elif fkey is not None and isinstance(cur, list):
                nxt.extend(x for x in cur if isinstance(x, dict) and str(x.get(fkey)) == fval)
        found = nxt
    return found


def _cell(obj: Obj, path: str, type_: str, now: float) -> Any:
    found = values(obj, path)
    if not found or found[0] is None:
        return None
    value = found[0]
    if type_ == "date" and isinstance(value, str):
        return since(value, now)
    if isinstance(value, dict | list):
        return str(value)
    return value


def printer(info: CustomResourceInfo) -> Printer:
    cols = info.printer_columns
    if not cols:
        return Printer((name_column(), age_column()), lambda obj, now: [name(obj), age(obj, now)])
    defs = (name_column(), *(column(c.name, c.description or "", type=c.type,
                                    format=c.format or "", priority=c.priority or 0)
                             for c in cols))
    return Printer(defs, lambda obj, now: [name(obj), *(_cell(obj, c.jsonPath, c.type, now)
                                                        for c in cols)])


# CustomResourceDefinitions themselves print as Kubernetes' default table does: the
# creation time as a timestamp ("CREATED AT").
CRD_PRINTER = Printer(
    (name_column(), column("Created At", "CreationTimestamp is a timestamp representing the "
                           "server time when this object was created.", type="date")),
    lambda obj, now: [name(obj), (obj.get("metadata") or {}).get("creationTimestamp")])
_STATIC = {"customresourcedefinitions": CRD_PRINTER}
