"""The pieces every printer shares: the column-definition and printer shapes, and the
cell formatters kubectl's printers.go reuses across kinds (ages, label maps, label
selectors, container lists). Keeping them here lets each per-kind module read like the Go
function it mirrors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tugboat.api.durations import human_duration
from tugboat.api.meta import parse_rfc3339

Obj = dict[str, Any]
Cell = str | int

# Column descriptions follow the Go types' swagger docs that a real apiserver sends (some
# shortened); kubectl never prints them, but other Table readers may show them.
NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is "
    "in UTC."
)


def column(name: str, description: str, *, type: str = "string", format: str = "",
           priority: int = 0) -> Obj:
    """One meta.k8s.io/v1 TableColumnDefinition; priority 1 marks an `-o wide` column."""
    return {"name": name, "type": type, "format": format, "description": description,
            "priority": priority}


def name_column(priority: int = 0) -> Obj:
    return column("Name", NAME_DESCRIPTION, format="name", priority=priority)


def age_column() -> Obj:
    # kubectl's server printers type Age as "string": the cell is already "5m", not a date.
    return column("Age", AGE_DESCRIPTION)


CONTAINERS_COLUMN = column("Containers", "Names of each container in the template.", priority=1)
IMAGES_COLUMN = column("Images", "Images referenced by each container in the template.",
                       priority=1)


@dataclass(frozen=True)
class Printer:
    """How one resource prints: its columns, and a function from (object, now) to the cells
    of its row, one per column in column order. The server always prints every column
    (kubectl's apiserver uses Wide: true) and kubectl hides the priority ≥ 1 ones itself."""

    columns: tuple[Obj, ...]
    cells: Callable[[Obj, float], list[Cell]]
    # kubectl marks finished pods with a row condition; None means "no conditions".
    conditions: Callable[[Obj], list[Obj] | None] | None = None


def get(obj: Mapping[str, Any] | None, *path: str) -> Any:
    """obj[path[0]][path[1]]…, or None where a level is missing (wire dicts omit unset
    fields, where Go would hand the printer a zero value)."""
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def timestamp(value: str | None) -> float | None:
    """An RFC 3339 wire timestamp as epoch seconds; None for unset or unparsable ones,
    which Go would also treat as the zero time."""
    if not value:
        return None
    try:
        return parse_rfc3339(value).timestamp()
    except ValueError:
        return None


def since(value: str | None, now: float) -> str:
    """kubectl's translateTimestampSince: the human age of a timestamp, "<unknown>" if unset."""
    ts = timestamp(value)
    if ts is None:
        return "<unknown>"
    return human_duration(now - ts)


def age(obj: Obj, now: float) -> str:
    return since(get(obj, "metadata", "creationTimestamp"), now)


def name(obj: Obj) -> str:
    return get(obj, "metadata", "name") or ""


def format_labels(labels: Mapping[str, str] | None) -> str:
    """labels.FormatLabels: "k=v" pairs sorted by key, "<none>" when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """labels.Selector.String() of a metav1.LabelSelector: requirements sorted by key,
    "" for a nil or empty selector."""
    if not selector:
        return ""
    reqs: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        reqs.append((key, f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key", ""), expr.get("operator", "")
        values = ",".join(sorted(expr.get("values") or []))
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(op)
        if text is None:
            # LabelSelectorAsSelector fails on an unknown operator; FormatLabelSelector
            # then prints "<error>".
            return "<error>"
        reqs.append((key, text))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0]))


def format_selector(selector: Mapping[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: like selector_string but "<none>" when empty."""
    return selector_string(selector) or "<none>"


def container_cells(obj: Obj) -> list[Cell]:
    """layoutContainerCells for a pod template: container names and images, comma-joined."""
    containers = get(obj, "spec", "template", "spec", "containers") or []
    return [",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers)]
