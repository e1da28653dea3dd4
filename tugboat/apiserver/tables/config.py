"""Printers for configuration objects — config maps and secrets (kubectl's printConfigMap
and printSecret). DATA is a key count, never the values: a Table is what `kubectl get`
shows on screen, and secret contents must not end up there.
"""

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

CONFIGMAP_COLUMNS = (
    name_column(),
    column("Data", "Data contains the configuration data."),
    age_column(),
)


def configmap_cells(cm: Obj, now: float) -> list[Cell]:
    keys = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [name(cm), keys, age(cm, now)]


SECRET_COLUMNS = (
    name_column(),
    column("Type", "Used to facilitate programmatic handling of secret data."),
    column("Data", "Data contains the secret data."),
    age_column(),
)


def secret_cells(secret: Obj, now: float) -> list[Cell]:
    # The apiserver folds stringData into data on write; count the union in case a stored
    # object still carries both.
    keys = set(secret.get("data") or {}) | set(secret.get("stringData") or {})
    return [name(secret), secret.get("type") or "Opaque", len(keys), age(secret, now)]


PRINTERS = {
    "configmaps": Printer(CONFIGMAP_COLUMNS, configmap_cells),
    "secrets": Printer(SECRET_COLUMNS, secret_cells),
}
