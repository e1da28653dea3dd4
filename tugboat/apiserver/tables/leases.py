"""The lease printer (kubectl's printLease): HOLDER answers "who is the leader / is this
node's heartbeat lease held", the one question people ask of a lease.
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

COLUMNS = (
    name_column(),
    column("Holder", "holderIdentity contains the identity of the holder of a current lease."),
    age_column(),
)


def lease_cells(lease: Obj, now: float) -> list[Cell]:
    return [name(lease), get(lease, "spec", "holderIdentity") or "", age(lease, now)]


PRINTERS = {"leases": Printer(COLUMNS, lease_cells)}
