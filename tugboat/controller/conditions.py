"""Status conditions as Kubernetes' controllers keep them: timestamps in RFC 3339, and
setting a condition without moving its lastTransitionTime unless its status changed."""

from __future__ import annotations

import datetime as _dt
from typing import Any


def stamp(when: float) -> str:
    """Kubernetes' timestamp (RFC 3339, UTC, whole seconds) for wall-clock seconds."""
    return _dt.datetime.fromtimestamp(when, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def find(conditions: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((c for c in conditions if c.get("type") == kind), None)


def set_condition(conditions: list[dict[str, Any]], kind: str, status: str, reason: str,
                  message: str, now: float, *, refresh: bool = False) -> list[dict[str, Any]]:
    """An unchanged status and reason keeps the old entry (unless `refresh`, which moves
    lastUpdateTime); a changed status moves lastTransitionTime."""
    cur = find(conditions, kind)
    if cur is not None and cur["status"] == status and cur.get("reason") == reason \
            and not refresh:
        return conditions
    now_text = stamp(now)
    keep = cur is not None and cur["status"] == status and cur.get("lastTransitionTime")
    new = {"type": kind, "status": status, "lastUpdateTime": now_text,
           "lastTransitionTime": cur["lastTransitionTime"] if keep else now_text,
           "reason": reason, "message": message}
    return [c for c in conditions if c.get("type") != kind] + [new]
