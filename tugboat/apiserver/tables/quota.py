"""The ResourceQuota and LimitRange printers (kubectl's printResourceQuota and
printLimitRange): a quota's REQUEST and LIMIT columns list `resource: used/hard` for each
hard limit in status, `limits.*` ones under LIMIT; a LimitRange shows when it was made."""

from __future__ import annotations

from tugboat.api.quotausage import quantity
from tugboat.apiserver.tables.cells import (
    AGE_DESCRIPTION,
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    name,
    name_column,
)

QUOTA_COLUMNS = (
    name_column(),
    age_column(),
    column("Request", "Request represents a minimum amount of cpu/memory that a container "
                      "may consume."),
    column("Limit", "Limits control the maximum amount of cpu/memory that a container may "
                    "use independent of contention on the node."),
)
LIMIT_RANGE_COLUMNS = (name_column(), column("Created At", AGE_DESCRIPTION, type="date"))


def _canonical(text: object) -> str:
    q = quantity(text) if text is not None else None
    return str(q) if q is not None else "0"


def quota_cells(quota: Obj, now: float) -> list[Cell]:
    status = quota.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    request: list[str] = []
    limit: list[str] = []
    for resource in sorted(hard):
        out = limit if resource.split(".")[0] == "limits" and "." in resource else request
        out.append(f"{resource}: {_canonical(used.get(resource))}/{_canonical(hard[resource])}")
    return [name(quota), age(quota, now), ", ".join(request), ", ".join(limit)]


def limit_range_cells(lr: Obj, now: float) -> list[Cell]:
    return [name(lr), (lr.get("metadata") or {}).get("creationTimestamp") or ""]


PRINTERS = {"resourcequotas": Printer(QUOTA_COLUMNS, quota_cells),
            "limitranges": Printer(LIMIT_RANGE_COLUMNS, limit_range_cells)}
