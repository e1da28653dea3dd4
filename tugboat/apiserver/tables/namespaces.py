"""The namespace printer (kubectl's printNamespace): STATUS is the phase, so a namespace
being torn down shows "Terminating" until its contents are gone.
"""

from __future__ import annotations

from tugboat.apiserver.tables.cells import (
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    get,
    name,
    name_column,
)

COLUMNS = (name_column(), column("Status", "The status of the namespace"), age_column())


def namespace_cells(ns: Obj, now: float) -> list[Cell]:
    return [name(ns), get(ns, "status", "phase") or "", age(ns, now)]


PRINTERS = {"namespaces": Printer(COLUMNS, namespace_cells)}
