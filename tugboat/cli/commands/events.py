"""`tug events`: kubectl events — a namespace's (or every namespace's) events as one
table sorted by when they last happened (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE;
"5s (x3 over 2m)" for a repeated one), narrowed to one object with `--for TYPE/NAME`
and to `--types Normal,Warning`, printed as objects with `-o`, and followed with `-w`
(the watch sends the current events first, then each new one as it comes)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
import typer

from tugboat.api.durations import human_duration
from tugboat.api.meta import parse_rfc3339
from tugboat.cli import targets
from tugboat.cli.errors import CliError
from tugboat.cli.options import (
    ALL_NAMESPACES,
    CONTEXT,
    SHOW_MANAGED_FIELDS,
    examples,
    session_of,
)
from tugboat.cli.printers.formats import ObjectPrinter, OutputFormat, parse_output
from tugboat.cli.session import Session
from tugboat.cli.tabwriter import TabWriter
from tugboat.client.errors import error_from_response

Obj = dict[str, Any]
EXAMPLES = examples("""
    # List recent events in the default namespace
    tug events

    # List recent events in all namespaces
    tug events --all-namespaces

    # List recent events for the specified pod, then wait for more events and list them as they arrive
    tug events --for pod/web-pod-13je7 --watch

    # List recent events in YAML format
    tug events -oyaml

    # List recent only events of type 'Warning' or 'Normal'
    tug events --types=Warning,Normal
""")
OUTPUTS = ("json", "yaml", "name", "jsonpath", "jsonpath-file", "custom-columns",
           "custom-columns-file")
EPOCH = datetime.fromtimestamp(0).astimezone()


def event_time(event: Obj) -> datetime:
    """When the event last happened: its series' last observation, else lastTimestamp,
    else eventTime (kubectl's eventTime)."""
    series = event.get("series") or {}
    for value in (series.get("lastObservedTime"), event.get("lastTimestamp"),
                  event.get("eventTime")):
        if value:
            return parse_rfc3339(value)
    return EPOCH


def _since(value: str | None, now: float) -> str:
    if not value:
        return "<unknown>"
    return human_duration(now - parse_rfc3339(value).timestamp())


def interval(event: Obj, now: float) -> str:
    """LAST SEEN: "45s", or "5s (x3 over 2m)" for a repeated event."""
    first = _since(event.get("eventTime") or event.get("firstTimestamp"), now)
    series = event.get("series")
    if series:
        return (f"{_since(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} "
                f"over {first})")
    if (event.get("count") or 0) > 1:
        return f"{_since(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
    return first


def _escape(text: str) -> str:
    # printers.EscapeTerminal: an event's text may not drive the user's terminal.
    return text.replace("\x1b", "^[").replace("\r", "\\r")


class EventPrinter:
    """kubectl's event table; headers once, before the first row."""

    def __init__(self, no_headers: bool, all_namespaces: bool):
        self.writer = TabWriter(sys.stdout, minwidth=6, padding=3, remember_widths=True)
        self.headers = not no_headers
        self.all_namespaces = all_namespaces

    def print(self, events: list[Obj]) -> None:
        if self.headers:
            self.writer.write(("NAMESPACE\t" if self.all_namespaces else "") +
                              "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n")
            self.headers = False
        now = time.time()
        for e in events:
            ref = e.get("involvedObject") or {}
            cells = [interval(e, now), _escape(e.get("type") or ""),
                     _escape(e.get("reason") or ""),
                     f"{_escape(ref.get('kind') or '')}/{_escape(ref.get('name') or '')}",
                     _escape((e.get("message") or "").strip())]
            if self.all_namespaces:
                cells.insert(0, (e.get("metadata") or {}).get("namespace", ""))
            self.writer.write("\t".join(cells) + "\n")
        self.writer.flush()


def for_selector(session: Session, for_object: str) -> str:
    """`--for TYPE/NAME` as the involvedObject field selector kubectl sends."""
    if "/" not in for_object:
        raise CliError("--for must be in resource/name form")
    kind, _, name = for_object.partition("/")
    if "/" in name:
        raise CliError("arguments in resource/name form may not have more than one slash")
    try:
        info = targets.resolve_type(kind)[0]
    except CliError as e:  # kubectl's CheckErr prints a RESTMapper miss without "error: "
        raise CliError(e.message, raw=True) from None
    api_version = f"{info.group}/{info.version}" if info.group else info.version
    return (f"involvedObject.kind={info.kind},involvedObject.apiVersion={api_version},"
            f"involvedObject.name={name}")


def _types(values: list[str] | None) -> list[str]:
    types = sorted({t.strip() for v in values or [] for t in v.split(",") if t.strip()})
    for t in types:
        if t.lower() not in ("normal", "warning"):
            raise CliError("valid --types are Normal or Warning")
    return types


def _wanted(event: Obj, types: list[str]) -> bool:
    return not types or (event.get("type") or "").lower() in {t.lower() for t in types}


def _list(session: Session, path: str, params: dict[str, str]) -> list[Obj]:
    items: list[Obj] = []
    while True:
        reply = session.request("GET", path, params={**params, "limit": "500"})
        items += reply.get("items") or []
        token = (reply.get("metadata") or {}).get("continue")
        if not token:
            return items
        params = {**params, "continue": token}


def _watch(session: Session, path: str, params: dict[str, str], types: list[str],
           show: Callable[[list[Obj]], None]) -> None:
    with session.stream(path, {**params, "watch": "true"}) as resp:
        if resp.status_code >= 300:
            raise error_from_response(resp.status_code, resp.read(), resp.reason_phrase)
        for line in resp.iter_lines():
            if not line:
                continue
            event = orjson.loads(line)
            if event.get("type") in ("DELETED", "BOOKMARK"):
                continue  # events are deleted after an hour; kubectl does not print that
            if event.get("type") == "ERROR":
                raise CliError((event.get("object") or {}).get("message") or "watch failed")
            obj = event.get("object") or {}
            if _wanted(obj, types):
                obj.setdefault("apiVersion", "v1")
                obj.setdefault("kind", "Event")
                show([obj])


def events(ctx: typer.Context,
           all_namespaces: bool = ALL_NAMESPACES,
           for_object: str = typer.Option(None, "--for",
                                          help="Filter events to only those pertaining to the "
                                               "specified resource.",
                                          autocompletion=targets.complete_type_name),
           types: list[str] = typer.Option(None, "--types",
                                           help="Output only events of given types."),
           watch: bool = typer.Option(False, "--watch", "-w",
                                      help="After listing the requested events, watch for "
                                           "more events."),
           no_headers: bool = typer.Option(False, "--no-headers",
                                           help="When using the default output format, don't "
                                                "print headers."),
           output: str = typer.Option(None, "--output", "-o",
                                      help="json|yaml|name|jsonpath=...|custom-columns=..."),
           show_managed_fields: bool = SHOW_MANAGED_FIELDS) -> None:
    """List events."""
    session = session_of(ctx)
    wanted = _types(types)
    fmt = parse_output(output, OUTPUTS)
    params = {"fieldSelector": for_selector(session, for_object)} if for_object else {}
    path = "/api/v1/events" if all_namespaces else \
        f"/api/v1/namespaces/{session.namespace}/events"
    show = _object_printer(fmt, watch, show_managed_fields) if output else \
        EventPrinter(no_headers, all_namespaces).print
    if watch:
        _watch(session, path, params, wanted, show)
        return
    items = [e for e in _list(session, path, params) if _wanted(e, wanted)]
    if not items:
        print("No events found." if all_namespaces else
              f"No events found in {session.namespace} namespace.", file=sys.stderr)
        return
    items.sort(key=event_time)
    for e in items:
        e.setdefault("apiVersion", "v1")
        e.setdefault("kind", "Event")
    show(items)


def _object_printer(fmt: OutputFormat, watch: bool, show_managed_fields: bool
                    ) -> Callable[[list[Obj]], None]:
    printer = ObjectPrinter(fmt, list_kind=None if watch else "EventList",
                            show_managed_fields=show_managed_fields)
    if watch:
        return lambda objs: printer.print_event(objs[0])
    return printer.print_objects


def register(app: typer.Typer) -> None:
    app.command("events", epilog=EXAMPLES, context_settings=CONTEXT)(events)
