"""`tug diff -f FILE`: kubectl diff — each object of the files as it is live against what
the server would make of applying it (asked with dryRun=All, so nothing changes): the
same three-way strategic patch `tug apply` sends, or with `--server-side` the apply
patch. Both versions go as YAML (managedFields left out, Secret values masked) into a
LIVE-* and a MERGED-* folder, one file per object named kubectl's way
(`apps.v1.Deployment.ns.web`), and `diff -u -N` (or $KUBECTL_EXTERNAL_DIFF) compares the
folders. Exit status as kubectl's: 0 no differences, 1 differences, above 1 an error."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import typer

from tugboat.api.resources import ResourceInfo
from tugboat.cli import manifests
from tugboat.cli.commands.apply import (
    CSA_MANAGER,
    SSA_MANAGER,
    WriteFlags,
    client_side_apply,
    prepared,
)
from tugboat.cli.errors import CliError, ExitCode, error_line
from tugboat.cli.manifests import Manifest
from tugboat.cli.options import CONTEXT, FILENAME, RECURSIVE, examples, session_of
from tugboat.cli.printers.objects import dump_yaml
from tugboat.cli.session import Session
from tugboat.client import NotFound

Obj = dict[str, Any]
EXAMPLES = examples("""
    # Diff resources included in pod.json
    tug diff -f pod.json

    # Diff file read from stdin
    cat service.yaml | tug diff -f -

    # Let the server merge (server-side apply) and show what it would change
    tug diff --server-side -f deployment.yaml
""")
HELP = """Diff configurations specified by file name or stdin between the current online
configuration, and the configuration as it would be if applied.

The output is always YAML.

KUBECTL_EXTERNAL_DIFF environment variable can be used to select your own diff command.
By default, the "diff" command available in your path will be run with the "-u" (unified
diff) and "-N" (treat absent files as empty) options.

Exit status: 0 No differences were found. 1 Differences were found. >1 tug or diff failed
with an error."""
MASK, MASK_BEFORE, MASK_AFTER = "***", "*** (before)", "*** (after)"
ARG = re.compile(r"^[a-zA-Z0-9-=]+$")


def file_name(info: ResourceInfo, namespace: str | None, name: str) -> str:
    """kubectl's per-object file name: [group.]version.Kind.namespace.name."""
    group = f"{info.group}." if info.group else ""
    return f"{group}{info.version}.{info.kind}.{namespace or ''}.{name}"


def merged(session: Session, m: Manifest, server_side: bool, force_conflicts: bool,
           field_manager: str) -> Obj:
    """The object as applying `m` would leave it, from the server's dry run."""
    if not server_side:
        flags = WriteFlags(dry_run="server", validation="Strict", output=None)
        # as kubectl diff merges: the last-applied annotation is not rewritten
        return client_side_apply(session, m, flags, annotate=False)[1]
    info, ns, obj = prepared(session, m)
    return session.client.patch(info, m.name, obj, ns, patch_type="apply",
                                field_manager=field_manager, force=force_conflicts,
                                dry_run=True)


def masked(live: Obj | None, after: Obj | None) -> tuple[Obj | None, Obj | None]:
    """A Secret's values hidden, but a changed one still shows as changed."""
    before = copy.deepcopy(live)
    after = copy.deepcopy(after)
    old = (before or {}).get("data")
    new = (after or {}).get("data")
    old = dict(old) if isinstance(old, dict) else None
    new = dict(new) if isinstance(new, dict) else None
    for key in list(old or {}):
        assert old is not None
        if new is not None and key in new:
            if old[key] != new[key]:
                old[key], new[key] = MASK_BEFORE, MASK_AFTER
                continue
            new[key] = MASK
        old[key] = MASK
    for key in list(new or {}):
        if old is None or key not in old:
            assert new is not None
            new[key] = MASK
    if before is not None and old is not None:
        before["data"] = old
    if after is not None and new is not None:
        after["data"] = new
    return before, after


def _without_managed_fields(obj: Obj | None) -> Obj | None:
    if obj is not None:
        obj = copy.deepcopy(obj)
        (obj.get("metadata") or {}).pop("managedFields", None)
    return obj


def _write(folder: Path, name: str, obj: Obj | None) -> None:
    path = folder / name
    path.write_text("" if obj is None else dump_yaml(obj))


def run_diff(live_dir: Path, merged_dir: Path) -> int:
    """The diff program over both folders: its exit status (0 same, 1 different)."""
    external = os.environ.get("KUBECTL_EXTERNAL_DIFF", "")
    if external:
        words = external.split(" ")
        program, args = words[0], [w for w in words[1:] if ARG.match(w)]
    else:
        program, args = "diff", ["-u", "-N"]
    argv = [program, *args, str(live_dir), str(merged_dir)]
    sys.stdout.flush()
    try:
        code = subprocess.run(argv, check=False).returncode
    except OSError as e:
        raise CliError(f'failed to run "{program}": {e}') from None
    if code > 1:
        raise CliError(f'failed to run "{program}": exit status {code}')
    return code


def diff(ctx: typer.Context, filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
         server_side: bool = typer.Option(False, "--server-side",
                                          help="If true, apply runs in the server instead of "
                                               "the client."),
         force_conflicts: bool = typer.Option(False, "--force-conflicts",
                                              help="If true, server-side apply will force the "
                                                   "changes against conflicts."),
         field_manager: str = typer.Option(None, "--field-manager",
                                           help="Name of the manager used to track field "
                                                "ownership."),
         show_managed_fields: bool = typer.Option(False, "--show-managed-fields",
                                                  help="If true, include managed fields in "
                                                       "the diff."),
         show_secrets: bool = typer.Option(False, "--show-secrets",
                                           help="If true, do not mask secret values in the "
                                                "diff.")) -> None:
    """Diff the live version against a would-be applied version."""
    try:
        code = _diff(ctx, filename, recursive, server_side, force_conflicts,
                     field_manager or (SSA_MANAGER if server_side else CSA_MANAGER),
                     show_managed_fields, show_secrets)
    except ExitCode:
        raise
    except Exception as e:  # kubectl's CheckDiffErr: any failure exits above 1
        print(error_line(e), file=sys.stderr)
        raise ExitCode(2) from None
    if code:
        raise ExitCode(code)


def _diff(ctx: typer.Context, filename: list[str], recursive: bool, server_side: bool,
          force_conflicts: bool, field_manager: str, show_managed_fields: bool,
          show_secrets: bool) -> int:
    if not filename:
        raise CliError("must specify one of -f and -k")
    if force_conflicts and not server_side:
        raise CliError("--force-conflicts only works with --server-side")
    session = session_of(ctx)
    items = manifests.load(filename, recursive, verb="diff")
    live_dir = Path(tempfile.mkdtemp(prefix="LIVE-"))
    merged_dir = Path(tempfile.mkdtemp(prefix="MERGED-"))
    try:
        for m in items:
            info, ns, _ = prepared(session, m)
            try:
                live: Obj | None = session.client.get(info, m.name, ns)
            except NotFound:
                live = None
            after: Obj | None = merged(session, m, server_side, force_conflicts,
                                       field_manager)
            if not show_managed_fields:
                live, after = _without_managed_fields(live), _without_managed_fields(after)
            if info.kind == "Secret" and info.version == "v1" and not show_secrets:
                live, after = masked(live, after)
            name = file_name(info, ns, m.name)
            _write(live_dir, name, live)
            _write(merged_dir, name, after)
        return run_diff(live_dir, merged_dir)
    finally:
        shutil.rmtree(live_dir, ignore_errors=True)
        shutil.rmtree(merged_dir, ignore_errors=True)


def register(app: typer.Typer) -> None:
    app.command("diff", help=HELP, short_help="Diff the live version against a would-be "
                "applied version.", epilog=EXAMPLES, context_settings=CONTEXT)(diff)
