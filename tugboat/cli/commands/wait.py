"""`tug wait`: block until objects meet a condition — a status condition
(`--for=condition=Ready`, `=false` for the opposite), their deletion (`--for=delete`), or a
JSONPath value (`--for=jsonpath='{.status.phase}'=Running`) — or fail at the timeout."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer

from tugboat.api.resources import ResourceInfo
from tugboat.cli import manifests, targets
from tugboat.cli.errors import CliError, ExitCode
from tugboat.cli.options import (
    ALL_NAMESPACES,
    CONTEXT,
    FILENAME,
    RECURSIVE,
    SELECTOR,
    examples,
    parse_timeout,
    session_of,
)
from tugboat.cli.printers.jsonpath import JsonPath, JsonPathError
from tugboat.cli.session import Session
from tugboat.cli.waiting import WaitTimeout, watch_until

Obj = dict[str, Any]
EXAMPLES = examples("""
    # Until a pod is Ready, for at most a minute
    tug wait --for=condition=Ready pod/web --timeout=60s

    # Until every pod labelled app=web is gone
    tug wait --for=delete pods -l app=web

    # Until a job's pod has succeeded, by a field's value
    tug wait --for=jsonpath='{.status.phase}'=Succeeded pod/pi-x7d2k
""")


@dataclass
class Condition:
    check: Callable[[Obj | None], bool]
    wants_deletion: bool = False


def _condition(name: str, value: str) -> Callable[[Obj | None], bool]:
    def met(obj: Obj | None) -> bool:
        if obj is None:
            return False
        generation = (obj.get("metadata") or {}).get("generation")
        for c in (obj.get("status") or {}).get("conditions") or []:
            if str(c.get("type", "")).lower() != name.lower():
                continue
            observed = c.get("observedGeneration")
            if observed is not None and generation is not None and observed != generation:
                return False
            return str(c.get("status", "")).lower() == value.lower()
        return False
    return met


def _jsonpath(spec: str) -> Callable[[Obj | None], bool]:
    end = spec.rfind("}")
    if not spec.startswith("{") or end < 0 or (spec[end + 1:] and spec[end + 1] != "="):
        raise CliError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 "
                       "or --for=jsonpath='{.status.readyReplicas}'")
    try:
        path = JsonPath(spec[:end + 1])
    except JsonPathError as e:
        raise CliError(f"unrecognized jsonpath {spec[:end + 1]}: {e}") from None
    want = spec[end + 2:] if spec[end + 1:] else None

    def met(obj: Obj | None) -> bool:
        if obj is None:
            return False
        values = path.find(obj)
        if not values:
            return False
        if want is None:
            return True
        return len(values) == 1 and JsonPath.text(values[0]) == want
    return met


def parse_for(value: str) -> Condition:
    if value == "delete":
        return Condition(lambda obj: obj is None, wants_deletion=True)
    if value.startswith("condition="):
        name, _, state = value[len("condition="):].partition("=")
        if not name:
            raise CliError(f"invalid --for condition: {value!r}")
        return Condition(_condition(name, state or "true"))
    if value.startswith("jsonpath="):
        return Condition(_jsonpath(value[len("jsonpath="):].strip("'")))
    raise CliError(f"unrecognized condition: {value!r}")


def _objects(session: Session, args: list[str], filenames: list[str] | None, recursive: bool,
             selector: str | None, all_: bool, all_ns: bool, deletion: bool
             ) -> list[tuple[ResourceInfo, str | None, str]]:
    if filenames:
        return [(m.info(), session.ns_for(m.info(), m.namespace), m.name)
                for m in manifests.load(filenames, recursive, verb="wait")]
    out = []
    for sel in targets.parse(args, "wait"):
        ns = None if all_ns else session.ns_for(sel.info)
        if sel.names:
            out += [(sel.info, ns, n) for n in sel.names]
            continue
        if not (selector or all_):
            raise CliError("resource(s) were provided, but no name was specified")
        params = {"labelSelector": selector} if selector else {}
        items = session.request("GET", sel.info.path(ns), params=params).get("items") or []
        out += [(sel.info, o["metadata"].get("namespace"), o["metadata"]["name"]) for o in items]
    if not out and not deletion:
        raise CliError("no matching resources found")
    return out


def wait(ctx: typer.Context,
         args: list[str] = typer.Argument(None, help="TYPE NAME... or TYPE/NAME...",
        autocompletion=targets.complete_resource),
         for_: str = typer.Option(..., "--for",
                                  help="delete, condition=NAME[=VALUE] or "
                                       "jsonpath='{PATH}'[=VALUE]"),
         timeout: str = typer.Option("30s", "--timeout",
                                     help="Give up after this long (0: wait forever)."),
         selector: str = SELECTOR,
         all_: bool = typer.Option(False, "--all", help="Every object of the type."),
         all_namespaces: bool = ALL_NAMESPACES,
         filename: list[str] = FILENAME, recursive: bool = RECURSIVE) -> None:
    """Wait for a condition on one or many objects."""
    session = session_of(ctx)
    cond = parse_for(for_)
    deadline = time.monotonic() + parse_timeout(timeout)
    objects = _objects(session, args or [], filename, recursive, selector, all_,
                       all_namespaces, cond.wants_deletion)
    failed = False
    for info, ns, name in objects:
        if not cond.wants_deletion:
            session.client.get(info, name, ns)  # a missing object is an error, as in kubectl
        try:
            watch_until(session, info, ns, name, cond.check,
                        max(0.0, deadline - time.monotonic()))
            print(f"{targets.object_name(info, name)} condition met", flush=True)
        except WaitTimeout:
            print(f"error: timed out waiting for the condition on {info.resource}/{name}",
                  file=sys.stderr)
            failed = True
    if failed:
        raise ExitCode(1)


def register(app: typer.Typer) -> None:
    app.command("wait", epilog=EXAMPLES, context_settings=CONTEXT)(wait)
