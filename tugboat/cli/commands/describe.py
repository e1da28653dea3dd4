"""`tug describe`: the human page of one or many objects (kubectl's layout) with their
Events. Without names every object of the type is shown; a name that matches no object
exactly shows the objects whose names start with it, as kubectl does."""

from __future__ import annotations

import sys
from typing import Any

import typer

from tugboat.cli import targets
from tugboat.cli.commands.get import GetFlags, Query, build_queries, fetch_objects
from tugboat.cli.describe import describe as describe_page
from tugboat.cli.errors import ExitCode, error_line
from tugboat.cli.options import (
    ALL_NAMESPACES,
    CONTEXT,
    FILENAME,
    RECURSIVE,
    SELECTOR,
    examples,
    session_of,
)
from tugboat.cli.session import Session
from tugboat.client import NotFound

Obj = dict[str, Any]

EXAMPLES = examples("""
    # Describe a pod, with its containers, conditions and events
    tug describe pod web

    # Describe a node, every deployment, or what a file created
    tug describe node my-host
    tug describe deployments
    tug describe -f examples/service.yaml
""")


def _objects(session: Session, q: Query, flags: GetFlags, errors: list[str]) -> list[Obj]:
    if not q.names:
        return fetch_objects(session, q, flags, errors)
    out = []
    for name in q.names:
        try:
            out.append(session.client.get(q.info, name, q.namespace))
        except NotFound as e:
            listed = fetch_objects(session, Query(q.info, q.namespace), flags, [])
            matches = [o for o in listed if (o.get("metadata") or {}).get(
                "name", "").startswith(name)]
            if matches:
                out.extend(matches)
            else:
                errors.append(error_line(e))
    for obj in out:
        obj.setdefault("apiVersion", q.info.api_version)
        obj.setdefault("kind", q.info.kind)
    return out


def describe(ctx: typer.Context,
             args: list[str] = typer.Argument(None, help="TYPE [NAME_PREFIX...] or TYPE/NAME",
        autocompletion=targets.complete_resource),
             selector: str = SELECTOR, all_namespaces: bool = ALL_NAMESPACES,
             filename: list[str] = FILENAME, recursive: bool = RECURSIVE) -> None:
    """Show the details of objects, with their events."""
    session = session_of(ctx)
    queries = build_queries(session, args or [], filename, recursive, all_namespaces)
    flags = GetFlags(selector, None, all_namespaces, False)
    errors: list[str] = []
    pages = []
    for q in queries:
        pages += [describe_page(session, obj) for obj in _objects(session, q, flags, errors)]
    if pages:
        sys.stdout.write("\n\n".join(pages))
    elif not errors:
        ns = next((q.namespace for q in queries if q.namespace), None)
        print(f"No resources found in {ns} namespace." if ns else "No resources found",
              file=sys.stderr)
    for line in errors:
        print(line, file=sys.stderr)
    if errors:
        raise ExitCode(1)


def register(app: typer.Typer) -> None:
    app.command("describe", epilog=EXAMPLES, context_settings=CONTEXT)(describe)
