"""`tug label` and `tug annotate`: add (`key=value`), change (`--overwrite`) and remove
(`key-`) an object's labels or annotations, sent as a JSON merge patch of metadata —
kubectl's argument forms, checks and messages."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import typer

from tugboat.api.labels import label_key_errors, label_value_errors
from tugboat.cli import targets
from tugboat.cli.commands.get import GetFlags, Query, build_queries, fetch_objects
from tugboat.cli.errors import CliError, ExitCode, error_line
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
from tugboat.client import ApiError

Obj = dict[str, Any]


@dataclass
class Changes:
    set: dict[str, str]
    remove: list[str]


def split_args(args: list[str], what: str) -> tuple[list[str], Changes]:
    """(resource arguments, changes): changes are the `k=v` and `k-` arguments."""
    resources: list[str] = []
    changes = Changes({}, [])
    for arg in args:
        if "=" in arg:
            key, _, value = arg.partition("=")
            _check(key, value, what)
            changes.set[key] = value
        elif arg.endswith("-") and len(arg) > 1 and resources:
            changes.remove.append(arg[:-1])
        else:
            resources.append(arg)
    if not changes.set and not changes.remove:
        raise CliError(f"at least one {what} update is required")
    both = set(changes.set) & set(changes.remove)
    if both:
        raise CliError(f"can not both modify and remove the following {what}(s) in the same "
                       f"command: {', '.join(sorted(both))}")
    return resources, changes


def _check(key: str, value: str, what: str) -> None:
    problems = label_key_errors(key)
    if what == "label":
        problems += label_value_errors(value)
    if problems:
        raise CliError(f'invalid {what} spec: "{key}={value}": {"; ".join(problems)}')


@dataclass
class Edit:
    field: str  # "labels" | "annotations"
    what: str  # "label" | "annotation"
    done: str  # "labeled" | "annotated"


LABELS = Edit("labels", "label", "labeled")
ANNOTATIONS = Edit("annotations", "annotation", "annotated")


def apply_changes(session: Session, obj: Obj, edit: Edit, changes: Changes, overwrite: bool,
                  resource_version: str | None) -> str:
    info = targets.kind_of(obj)
    assert info is not None
    meta = obj.get("metadata") or {}
    current = dict(meta.get(edit.field) or {})
    for key in changes.set:
        if key in current and not overwrite:
            raise CliError(f"'{key}' already has a value ({current[key]}), and --overwrite is "
                           f"false")
    patch: dict[str, Any] = {k: v for k, v in changes.set.items() if current.get(k) != v}
    for key in changes.remove:
        if key in current:
            patch[key] = None
        else:
            print(f'{edit.what} "{key}" not found.', file=sys.stderr)
    name = targets.object_name(info, meta.get("name", ""))
    if not patch:
        return f"{name} not {edit.done}"
    body: dict[str, Any] = {"metadata": {edit.field: patch}}
    if resource_version:
        body["metadata"]["resourceVersion"] = resource_version
    session.client.patch(info, meta["name"], body, meta.get("namespace"))
    return f"{name} {edit.done}"


def run(ctx: typer.Context, edit: Edit, args: list[str], overwrite: bool, selector: str | None,
        all_: bool, all_namespaces: bool, filename: list[str] | None, recursive: bool,
        resource_version: str | None, list_: bool) -> None:
    session = session_of(ctx)
    if list_:
        resources, changes = [a for a in args if "=" not in a], Changes({}, [])
    else:
        resources, changes = split_args(args, edit.what)
    queries = build_queries(session, resources, filename, recursive, all_namespaces)
    flags = GetFlags(selector, None, all_namespaces, False)
    errors: list[str] = []
    objs: list[Obj] = []
    for q in queries:
        if not q.names and not (selector or all_):
            raise CliError("resource(s) were provided, but no name was specified")
        for obj in fetch_objects(session, Query(q.info, q.namespace, q.names), flags, errors):
            obj.setdefault("apiVersion", q.info.api_version)
            obj.setdefault("kind", q.info.kind)
            objs.append(obj)
    for obj in objs:
        if list_:
            for k, v in sorted(((obj.get("metadata") or {}).get(edit.field) or {}).items()):
                print(f"{k}={v}")
            continue
        try:
            print(apply_changes(session, obj, edit, changes, overwrite, resource_version),
                  flush=True)
        except (ApiError, CliError) as e:
            errors.append(error_line(e))
    for line in errors:
        print(line, file=sys.stderr)
    if errors:
        raise ExitCode(1)


def _command(edit: Edit):  # noqa: ANN202 - builds a typer command per field
    def command(ctx: typer.Context,
                args: list[str] = typer.Argument(..., help="TYPE NAME KEY=VAL... KEY-..."),
                overwrite: bool = typer.Option(False, "--overwrite",
                                               help="Allow changing existing values."),
                selector: str = SELECTOR,
                all_: bool = typer.Option(False, "--all", help="Every object of the type."),
                all_namespaces: bool = ALL_NAMESPACES,
                filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
                resource_version: str = typer.Option(None, "--resource-version",
                                                     help="Only if unchanged since."),
                list_: bool = typer.Option(False, "--list", help="Print the current ones.")
                ) -> None:
        run(ctx, edit, args, overwrite, selector, all_, all_namespaces, filename, recursive,
            resource_version, list_)
    command.__doc__ = f"Update the {edit.field} of objects."
    return command


def register(app: typer.Typer) -> None:
    app.command("label", epilog=examples("""
        # Add a label, change it, remove it
        tug label pod web tier=frontend
        tug label pod web tier=backend --overwrite
        tug label pod web tier-

        # Label every pod with app=web
        tug label pods -l app=web env=dev
    """), context_settings=CONTEXT)(_command(LABELS))
    app.command("annotate", epilog=examples("""
        # Add an annotation, change it, remove it
        tug annotate pod web description='my web server'
        tug annotate pod web description='the web server' --overwrite
        tug annotate pod web description-
    """), context_settings=CONTEXT)(_command(ANNOTATIONS))
