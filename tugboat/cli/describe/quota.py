"""kubectl's pages for ResourceQuota (each hard limit in status with what is used of it,
and what each scope means) and LimitRange (one row per item and resource; `-` where the
item sets nothing). Neither page lists Events, as in kubectl."""

from __future__ import annotations

from typing import Any

from tugboat.api.quotausage import quantity
from tugboat.cli.describe.writer import PrefixWriter, get
from tugboat.cli.session import Session

Obj = dict[str, Any]

SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited "
                   "lifespan on a node before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods "
                      "usually include long running pods whose container command is not "
                      "expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods "
                  "have a best effort quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. "
                     "These pods have a burstable or guaranteed quality of service.",
}
_LIMIT_COLUMNS = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")


def _canonical(text: Any) -> str:
    q = quantity(text) if text is not None else None
    return str(q) if q is not None else "0"


def describe_resource_quota(session: Session, w: PrefixWriter, obj: Obj) -> None:
    w.write(0, f"Name:\t{get(obj, 'metadata', 'name') or ''}\n")
    w.write(0, f"Namespace:\t{get(obj, 'metadata', 'namespace') or ''}\n")
    scopes = sorted(get(obj, "spec", "scopes") or [])
    if scopes:
        w.write(0, f"Scopes:\t{', '.join(scopes)}\n")
        for scope in scopes:
            if scope in SCOPE_HELP:
                w.write(0, f" * {SCOPE_HELP[scope]}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    hard = get(obj, "status", "hard") or {}
    used = get(obj, "status", "used") or {}
    for resource in sorted(hard):
        w.write(0, f"{resource}\t{_canonical(used.get(resource))}\t"
                   f"{_canonical(hard[resource])}\n")


def describe_limit_range(session: Session, w: PrefixWriter, obj: Obj) -> None:
    w.write(0, f"Name:\t{get(obj, 'metadata', 'name') or ''}\n")
    w.write(0, f"Namespace:\t{get(obj, 'metadata', 'namespace') or ''}\n")
    w.write(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\t"
               "Max Limit/Request Ratio\n")
    w.write(0, "----\t--------\t---\t---\t---------------\t-------------\t"
               "-----------------------\n")
    for item in get(obj, "spec", "limits") or []:
        names = sorted({k for col in _LIMIT_COLUMNS for k in (item.get(col) or {})})
        for name in names:
            cells = [str(quantity(v)) if (v := (item.get(col) or {}).get(name)) is not None
                     and quantity(v) is not None else "-" for col in _LIMIT_COLUMNS]
            w.write(0, f"{item.get('type', '')}\t{name}\t" + "\t".join(cells) + "\n")
