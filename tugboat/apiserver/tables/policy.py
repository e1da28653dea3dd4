"""Printers for PodDisruptionBudgets and PriorityClasses (kubectl's
printPodDisruptionBudget and printPriorityClass): a budget's row answers "may I drain
now?" (ALLOWED DISRUPTIONS); a class's, "what does this name mean?" (its value)."""

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

PDB_COLUMNS = (
    name_column(),
    column("Min Available", "The minimum number or percentage of available pods this "
                            "budget requires."),
    column("Max Unavailable", "The maximum number or percentage of unavailable pods this "
                              "budget requires."),
    column("Allowed Disruptions", "Calculated number of pods that may be disrupted at this "
                                  "time.", type="integer"),
    age_column(),
)


def _int_or_string(value: int | str | None) -> str:
    return "N/A" if value is None else str(value)


def pdb_cells(pdb: Obj, now: float) -> list[Cell]:
    return [name(pdb), _int_or_string(get(pdb, "spec", "minAvailable")),
            _int_or_string(get(pdb, "spec", "maxUnavailable")),
            get(pdb, "status", "disruptionsAllowed") or 0, age(pdb, now)]


PC_COLUMNS = (
    name_column(),
    column("Value", "value represents the integer value of this priority class. This is the "
                    "actual priority that pods receive when they have the name of this class "
                    "in their pod spec.", type="integer"),
    column("Global-Default", "globalDefault specifies whether this PriorityClass should be "
                             "considered as the default priority for pods that do not have "
                             "any priority class.", type="boolean"),
    age_column(),
    column("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with "
                               "lower priority."),
)


def pc_cells(pc: Obj, now: float) -> list[Cell]:
    return [name(pc), pc.get("value") or 0, bool(pc.get("globalDefault")), age(pc, now),
            pc.get("preemptionPolicy") or ""]


PRINTERS = {"poddisruptionbudgets": Printer(PDB_COLUMNS, pdb_cells),
            "priorityclasses": Printer(PC_COLUMNS, pc_cells)}
