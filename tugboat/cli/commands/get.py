"""`tug get`: list or show objects of one or several types, as server-side Tables (like
kubectl: the server picks the columns) or whole objects (`-o yaml|json|name|jsonpath|
custom-columns`), and `-w` to keep printing changes as they happen."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import typer

from tugboat.api.resources import ResourceInfo
from tugboat.cli import manifests, targets
from tugboat.cli.errors import CliError, ExitCode, error_line
from tugboat.cli.options import (
    ALL_NAMESPACES,
    CONTEXT,
    FIELD_SELECTOR,
    FILENAME,
    OUTPUT,
    RECURSIVE,
    SELECTOR,
    examples,
    session_of,
)
from tugboat.cli.printers.formats import ObjectPrinter, OutputFormat, parse_output
from tugboat.cli.printers.tables import TableOptions, TablePrinter, as_table
from tugboat.cli.session import Session
from tugboat.client import NotFound

Obj = dict[str, Any]
PAGE = 500

EXAMPLES = examples("""
    # List the pods in the current namespace, then with their node and IP
    tug get pods
    tug get pods -o wide

    # List several types at once, in every namespace
    tug get pods,services -A

    # One deployment as YAML, or just the names of running pods
    tug get deploy web -o yaml
    tug get pods --field-selector status.phase=Running -o name

    # Pick fields with JSONPath or custom columns
    tug get pods -o jsonpath='{.items[*].status.podIP}'
    tug get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName

    # Watch pods with label app=web change
    tug get pods -l app=web -w
""")


@dataclass
class Query:
    """One type, in one namespace (None: all, or cluster-scoped), named or selected."""

    info: ResourceInfo
    namespace: str | None
    names: list[str] = field(default_factory=list)


@dataclass
class GetFlags:
    selector: str | None
    field_selector: str | None
    all_namespaces: bool
    ignore_not_found: bool


def build_queries(session: Session, args: list[str], filenames: list[str] | None,
                  recursive: bool, all_namespaces: bool) -> list[Query]:
    if filenames:
        if args:
            raise CliError("specifying a resource type with -f is not allowed")
        out = []
        for m in manifests.load(filenames, recursive, verb="get"):
            info = m.info()
            out.append(Query(info, session.ns_for(info, m.namespace), [m.name]))
        return out
    queries = []
    for sel in targets.parse(args):
        if sel.names and all_namespaces and sel.info.namespaced:
            raise CliError("a resource cannot be retrieved by name across all namespaces")
        ns = None if all_namespaces else session.ns_for(sel.info)
        queries.append(Query(sel.info, ns, sel.names))
    return queries


def _list_params(flags: GetFlags, cont: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": PAGE}
    if flags.selector:
        params["labelSelector"] = flags.selector
    if flags.field_selector:
        params["fieldSelector"] = flags.field_selector
    if cont:
        params["continue"] = cont
    return params


def fetch_tables(session: Session, q: Query, flags: GetFlags, errors: list[str]) -> list[Obj]:
    """The Tables for one query: one per name, or the pages of a list."""
    if q.names:
        tables = []
        for name in q.names:
            try:
                tables.append(as_table(session.table(q.info, q.namespace, name)))
            except NotFound as e:
                if not flags.ignore_not_found:
                    errors.append(error_line(e))
        return tables
    tables, cont = [], None
    while True:
        reply = session.table(q.info, q.namespace, params=_list_params(flags, cont))
        tables.append(as_table(reply))
        cont = (reply.get("metadata") or {}).get("continue")
        if not cont:
            return tables


def fetch_objects(session: Session, q: Query, flags: GetFlags, errors: list[str]) -> list[Obj]:
    if q.names:
        objs = []
        for name in q.names:
            try:
                objs.append(session.client.get(q.info, name, q.namespace))
            except NotFound as e:
                if not flags.ignore_not_found:
                    errors.append(error_line(e))
        return objs
    objs, cont = [], None
    while True:
        reply = session.request("GET", q.info.path(q.namespace), params=_list_params(flags, cont))
        for item in reply.get("items") or []:
            item.setdefault("apiVersion", q.info.api_version)
            item.setdefault("kind", q.info.kind)
            objs.append(item)
        cont = (reply.get("metadata") or {}).get("continue")
        if not cont:
            return objs


def no_resources(session: Session, queries: list[Query], flags: GetFlags) -> None:
    namespaced = [q for q in queries if q.info.namespaced]
    if namespaced and not flags.all_namespaces:
        print(f"No resources found in {namespaced[0].namespace} namespace.", file=sys.stderr)
    else:
        print("No resources found", file=sys.stderr)


def print_tables(session: Session, queries: list[Query], flags: GetFlags,
                 options: TableOptions, show_kind: bool, errors: list[str]) -> int:
    multi = show_kind or len({(q.info.group, q.info.resource) for q in queries}) > 1
    total, printer, last = 0, None, None
    for q in queries:
        key = (q.info.group, q.info.resource)
        tables = fetch_tables(session, q, flags, errors)
        if printer is None or key != last:
            opts = TableOptions(**{**options.__dict__, "kind_prefix":
                                   targets.display_kind(q.info) + "/" if multi else ""})
            if total and any(t.get("rows") for t in tables):
                print()  # a blank line between types, as kubectl, only before printed rows
            printer, last = TablePrinter(opts), key
        for table in tables:
            total += printer.print_table(table)
    return total


def print_objects(session: Session, queries: list[Query], flags: GetFlags, fmt: OutputFormat,
                  no_headers: bool, errors: list[str], show_managed_fields: bool = False) -> int:
    objs: list[Obj] = []
    for q in queries:
        objs.extend(fetch_objects(session, q, flags, errors))
    named = sum(len(q.names) for q in queries) == 1 and all(q.names for q in queries)
    if objs or fmt.kind in ("json", "yaml"):
        ObjectPrinter(fmt, no_headers=no_headers, show_managed_fields=show_managed_fields
                      ).print_objects(objs, single=named)
    return len(objs)


def watch(session: Session, queries: list[Query], flags: GetFlags, fmt: OutputFormat,
          options: TableOptions, watch_only: bool, show_managed_fields: bool = False) -> None:
    if len(queries) != 1 or len(queries[0].names) > 1:
        raise CliError("you may only specify a single resource type (and at most one name) "
                       "to watch")
    q = queries[0]
    if q.names:
        extra = f"metadata.name={q.names[0]}"
        flags.field_selector = f"{flags.field_selector},{extra}" if flags.field_selector else extra
        q = Query(q.info, q.namespace)
    errors: list[str] = []
    if fmt.is_table:
        printer: Any = TablePrinter(options)
        tables = fetch_tables(session, q, flags, errors)
        rv = (tables[-1].get("metadata") or {}).get("resourceVersion")
        if not watch_only:
            for table in tables:
                printer.print_table(table)
        client, emit = session.table_client, printer.print_table
    else:
        printer = ObjectPrinter(fmt, show_managed_fields=show_managed_fields)
        reply = session.request("GET", q.info.path(q.namespace), params=_list_params(flags))
        rv = (reply.get("metadata") or {}).get("resourceVersion")
        if not watch_only:
            for obj in reply.get("items") or []:
                printer.print_event({"apiVersion": q.info.api_version, "kind": q.info.kind,
                                     **obj})
        client, emit = session.client, printer.print_event
    for event in client.watch(q.info, q.namespace, resource_version=rv,
                              label_selector=flags.selector,
                              field_selector=flags.field_selector,
                              allow_bookmarks=False, resume=False):
        emit(event.object)


def get(ctx: typer.Context,
        args: list[str] = typer.Argument(None, help="TYPE[,TYPE...] [NAME...] or TYPE/NAME...",
        autocompletion=targets.complete_resource),
        output: str = OUTPUT,
        selector: str = SELECTOR,
        field_selector: str = FIELD_SELECTOR,
        all_namespaces: bool = ALL_NAMESPACES,
        watch_: bool = typer.Option(False, "--watch", "-w",
                                    help="After listing, watch for changes."),
        watch_only: bool = typer.Option(False, "--watch-only",
                                        help="Watch for changes without listing first."),
        show_labels: bool = typer.Option(False, "--show-labels",
                                         help="Show all labels as the last column."),
        label_columns: list[str] = typer.Option(None, "--label-columns", "-L",
                                                help="A column with this label's value."),
        no_headers: bool = typer.Option(False, "--no-headers", help="Don't print headers."),
        show_kind: bool = typer.Option(False, "--show-kind",
                                       help="Prefix names with their type."),
        ignore_not_found: bool = typer.Option(False, "--ignore-not-found",
                                              help="A missing named object is not an error."),
        filename: list[str] = FILENAME,
        recursive: bool = RECURSIVE,
        show_managed_fields: bool = typer.Option(
            False, "--show-managed-fields",
            help="Keep the managedFields when printing objects in JSON or YAML.")) -> None:
    """Display one or many objects."""
    session = session_of(ctx)
    fmt = parse_output(output)
    queries = build_queries(session, args or [], filename, recursive, all_namespaces)
    flags = GetFlags(selector, field_selector, all_namespaces, ignore_not_found)
    options = TableOptions(wide=fmt.kind == "wide", with_namespace=all_namespaces,
                           show_labels=show_labels,
                           label_columns=[k for c in label_columns or [] for k in c.split(",")],
                           no_headers=no_headers)
    if watch_ or watch_only:
        watch(session, queries, flags, fmt, options, watch_only, show_managed_fields)
        return
    errors: list[str] = []
    if fmt.is_table:
        count = print_tables(session, queries, flags, options, show_kind, errors)
    else:
        count = print_objects(session, queries, flags, fmt, no_headers, errors,
                              show_managed_fields)
    if not count and not errors and not any(q.names for q in queries) and \
            fmt.kind not in ("json", "yaml"):
        no_resources(session, queries, flags)
    for line in errors:
        print(line, file=sys.stderr)
    if errors:
        raise ExitCode(1)


def register(app: typer.Typer) -> None:
    app.command("get", epilog=EXAMPLES, context_settings=CONTEXT)(get)

