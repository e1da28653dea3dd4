"""The Events section closing every describe page (DescribeEvents): the object's Events
found by `involvedObject` field selectors, oldest first, with kubectl's Age column
(`5m (x3 over 10m)` for repeats) and From (the reporting component)."""

from __future__ import annotations

from typing import Any

from tugboat.cli.describe.writer import PrefixWriter, get, since
from tugboat.cli.session import Session
from tugboat.client import ApiError

Obj = dict[str, Any]


def find_events(session: Session, obj: Obj) -> list[Obj] | None:
    """The object's Events; None when the server has none to give (describe still prints)."""
    meta = obj.get("metadata") or {}
    terms = [f"involvedObject.name={meta.get('name')}"]
    ns = meta.get("namespace")
    if ns:
        terms += [f"involvedObject.namespace={ns}", f"involvedObject.uid={meta.get('uid')}"]
    else:
        terms.append(f"involvedObject.kind={obj.get('kind')}")
    path = f"/api/v1/namespaces/{ns}/events" if ns else "/api/v1/events"
    try:
        reply = session.request("GET", path, params={"fieldSelector": ",".join(terms),
                                                     "limit": 500})
    except ApiError:
        return None
    return reply.get("items") or []


def _sort_key(event: Obj) -> str:
    return event.get("lastTimestamp") or event.get("eventTime") or \
        get(event, "metadata", "creationTimestamp") or ""


def describe_events(w: PrefixWriter, events: list[Obj] | None) -> None:
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in sorted(events, key=_sort_key):
        first = since(e.get("eventTime")) if e.get("eventTime") else since(e.get("firstTimestamp"))
        if (e.get("count") or 0) > 1:
            interval = f"{since(e.get('lastTimestamp'))} (x{e['count']} over {first})"
        else:
            interval = first
        source = get(e, "source", "component") or e.get("reportingComponent") or ""
        w.write(1, f"{e.get('type') or ''}\t{e.get('reason') or ''}\t{interval}\t{source}\t"
                   f"{(e.get('message') or '').strip()}\n")
