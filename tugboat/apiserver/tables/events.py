"""The event printer (kubectl's printEvent). Events carry time in three places — the
legacy first/lastTimestamp, the events.k8s.io eventTime, and series.lastObservedTime for
deduplicated series — and LAST SEEN must pick the right one, or `kubectl get events`
shows "<unknown>" for every event a modern component emitted.
"""

from __future__ import annotations

from tugboat.apiserver.tables.cells import (
    Cell,
    Obj,
    Printer,
    column,
    get,
    name,
    name_column,
    since,
)

COLUMNS = (
    column("Last Seen", "The time at which the most recent occurrence of this event was "
                        "recorded."),
    column("Type", "Type of this event (Normal, Warning), new types could be added in the "
                   "future"),
    column("Reason", "This should be a short, machine understandable string that gives the "
                     "reason for the transition into the object's current status."),
    column("Object", "The object that this event is about."),
    column("Subobject", "If referring to a piece of an object instead of an entire object, "
                        "this string should contain a valid JSON/Go field access statement.",
           priority=1),
    column("Source", "The component reporting this event. Should be a short machine "
                     "understandable string.", priority=1),
    column("Message", "A human-readable description of the status of this operation."),
    column("First Seen", "The time at which the event was first recorded. (Time of server "
                         "receipt is in TypeMeta.)", priority=1),
    column("Count", "The number of times this event has occurred.", priority=1),
    name_column(priority=1),
)


def _source(event: Obj) -> str:
    """formatEventSource: component (or reportingController), then ", host" (or
    reportingInstance) when there is one."""
    component = get(event, "source", "component") or event.get("reportingController") or ""
    host = get(event, "source", "host") or event.get("reportingInstance") or ""
    return f"{component}, {host}" if host else component


def _target(event: Obj) -> str:
    obj = event.get("involvedObject") or {}
    kind = (obj.get("kind") or "").lower()
    return f"{kind}/{obj['name']}" if obj.get("name") else kind


def event_cells(event: Obj, now: float) -> list[Cell]:
    first = event.get("firstTimestamp")
    first_seen = since(first or event.get("eventTime"), now)
    last = event.get("lastTimestamp")
    last_seen = since(last, now) if last else first_seen
    count = event.get("count") or 0
    series = event.get("series")
    if series is not None:
        last_seen = since(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        # Singleton events from the events.k8s.io API carry no count.
        count = 1
    return [
        last_seen,
        event.get("type", ""),
        event.get("reason", ""),
        _target(event),
        get(event, "involvedObject", "fieldPath") or "",
        _source(event),
        (event.get("message") or "").strip(),
        first_seen,
        count,
        name(event),
    ]


PRINTERS = {"events": Printer(COLUMNS, event_cells)}
