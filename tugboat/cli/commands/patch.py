"""`tug patch`: change fields of an object in place with a strategic merge (the default),
JSON merge or JSON patch, given inline (`-p`, JSON or YAML) or in a file (`--patch-file`),
on the object or its `status` / `scale` subresource — kubectl's flags and lines
("deployment.apps/web patched", "... patched (no change)").

As kubectl, the object is read first and compared with the server's answer, which is how
"no change" is known; `--dry-run=client` patches the object read, locally, and sends nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
import yaml

from tugboat.api.patch.jsonpatch import json_patch
from tugboat.api.patch.merge import PatchError, json_merge_patch
from tugboat.api.patch.strategic import strategic_merge_patch
from tugboat.api.resources import ResourceInfo
from tugboat.cli import manifests, targets
from tugboat.cli.commands.apply import _dry_run
from tugboat.cli.errors import CliError, ExitCode, error_line
from tugboat.cli.options import (
    CONTEXT,
    DRY_RUN,
    FILENAME,
    RECURSIVE,
    SHOW_MANAGED_FIELDS,
    examples,
    session_of,
)
from tugboat.cli.printers.formats import ObjectPrinter, parse_output
from tugboat.cli.session import Session
from tugboat.client import ApiError

Obj = dict[str, Any]
PATCH_TYPES = ("json", "merge", "strategic")
FIELD_MANAGER = "kubectl-patch"
OUTPUTS = ("json", "jsonpath", "jsonpath-file", "name", "yaml")

EXAMPLES = examples("""
    # Partially update a deployment (strategic merge patch, JSON or YAML)
    tug patch deployment web -p '{"spec":{"replicas":2}}'
    tug patch deploy/web -p 'spec: {replicas: 2}'

    # Change a container's image: containers merge by name
    tug patch pod web -p '{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}'

    # A JSON patch, and a patch of the scale subresource
    tug patch pod web --type=json -p '[{"op":"replace","path":"/spec/activeDeadlineSeconds","value":60}]'
    tug patch deployment web --subresource=scale -p '{"spec":{"replicas":3}}'
""")


def parse_patch(text: str) -> Any:
    """The patch as JSON data: JSON, or YAML as kubectl accepts it (yaml.ToJSON)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise CliError(f'unable to parse "{text}": {yaml_error(e)}') from None


def yaml_error(e: yaml.YAMLError) -> str:
    """PyYAML's several-line report as Go yaml's one line: `yaml: line N: problem`."""
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    return f"yaml: line {mark.line + 1}: {problem}" if mark else f"yaml: {problem}"


def patch_text(patch: str | None, patch_file: str | None) -> str:
    if patch is not None and patch_file:
        raise CliError("cannot specify --patch and --patch-file together")
    if patch_file:
        try:
            return Path(patch_file).read_text()
        except OSError as e:  # as Go's os.ReadFile words it
            reason = e.strerror.lower() if e.strerror else str(e)
            raise CliError(f"unable to read patch file: open {patch_file}: {reason}") from None
    if not patch:
        raise CliError("must specify --patch or --patch-file containing the contents of the "
                       "patch")
    return patch


def patched_locally(obj: Obj, patch: Any, patch_type: str) -> Obj:
    """What the server would make of the patch (for --dry-run=client)."""
    try:
        if patch_type == "json":
            return json_patch(obj, patch)
        if patch_type == "merge":
            return json_merge_patch(obj, patch)
        return strategic_merge_patch(obj, patch)
    except PatchError as e:
        raise CliError(str(e)) from None


def display_name(obj: Obj) -> str:
    """kind.group/name from the object itself (a Scale is `scale.autoscaling/web`)."""
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    kind = str(obj.get("kind") or "").lower()
    name = (obj.get("metadata") or {}).get("name", "")
    return f"{kind}.{group}/{name}" if group else f"{kind}/{name}"


def _targets(session: Session, args: list[str], filenames: list[str] | None,
             recursive: bool) -> list[tuple[ResourceInfo, str | None, str]]:
    if filenames:
        return [(m.info(), session.ns_for(m.info(), m.namespace), m.name)
                for m in manifests.load(filenames, recursive, verb="patch")]
    info, name = targets.single(args, "patch")
    return [(info, session.ns_for(info), name)]


def patch_one(session: Session, info: ResourceInfo, ns: str | None, name: str, patch: Any,
              patch_type: str, subresource: str | None, dry_run: str, field_manager: str
              ) -> tuple[Obj, bool]:
    """(the patched object, whether it changed)."""
    client = session.client
    before = session.request("GET", info.path(ns, name, subresource))
    if dry_run == "client":
        after = patched_locally(before, patch, patch_type)
    else:
        after = client.patch(info, name, patch, ns, patch_type=patch_type,
                             field_manager=field_manager, dry_run=dry_run == "server",
                             subresource=subresource)
    return after, after != before


def patch(ctx: typer.Context,
          args: list[str] = typer.Argument(None, help="TYPE NAME or TYPE/NAME",
                                           autocompletion=targets.complete_resource),
          patch_: str = typer.Option(None, "--patch", "-p",
                                     help="The patch, as JSON or YAML."),
          patch_file: str = typer.Option(None, "--patch-file",
                                         help="A file holding the patch."),
          type_: str = typer.Option("strategic", "--type",
                                    help="json|merge|strategic: the kind of patch."),
          subresource: str = typer.Option(None, "--subresource",
                                          help="status or scale: patch that subresource."),
          filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
          dry_run: str = DRY_RUN,
          output: str = typer.Option(None, "--output", "-o", help="name|yaml|json|jsonpath=..."),
          field_manager: str = typer.Option(FIELD_MANAGER, "--field-manager",
                                            help="Name of the manager of the fields set."),
          show_managed_fields: bool = SHOW_MANAGED_FIELDS) -> None:
    """Update fields of an object using a strategic merge, JSON merge or JSON patch."""
    session = session_of(ctx)
    text = patch_text(patch_, patch_file)
    if type_ not in PATCH_TYPES:
        raise CliError(f'--type must be one of [{" ".join(PATCH_TYPES)}], not "{type_}"')
    body = parse_patch(text)
    mode = _dry_run(dry_run)
    fmt = parse_output(output, OUTPUTS)
    printer = ObjectPrinter(fmt, show_managed_fields=show_managed_fields) if output else None
    failures = []
    for info, ns, name in _targets(session, args or [], filename, recursive):
        try:
            obj, changed = patch_one(session, info, ns, name, body, type_, subresource, mode,
                                     field_manager)
        except (ApiError, CliError) as e:
            failures.append(error_line(e))
            continue
        if printer is not None:
            printer.print_objects([obj], single=True)
        else:
            print(f"{display_name(obj)} patched{'' if changed else ' (no change)'}",
                  flush=True)
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        raise ExitCode(1)


def register(app: typer.Typer) -> None:
    app.command("patch", epilog=EXAMPLES, context_settings=CONTEXT)(patch)
