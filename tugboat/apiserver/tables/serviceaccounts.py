"""The printer for service accounts (kubectl's printServiceAccount): NAME SECRETS AGE,
SECRETS being how many Secrets the account lists."""

from __future__ import annotations

from tugboat.apiserver.tables.cells import (
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    name,
    name_column,
)

SERVICE_ACCOUNT_COLUMNS = (
    name_column(),
    column("Secrets", "Secrets is a list of the secrets in the same namespace that pods "
                      "running using this ServiceAccount are allowed to use."),
    age_column(),
)


def service_account_cells(sa: Obj, now: float) -> list[Cell]:
    return [name(sa), len(sa.get("secrets") or ()), age(sa, now)]


PRINTERS = {"serviceaccounts": Printer(SERVICE_ACCOUNT_COLUMNS, service_account_cells)}
