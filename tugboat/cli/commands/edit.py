"""`tug edit`: open an object in $KUBE_EDITOR or $EDITOR (else vi) as YAML, and send what
changed as a strategic merge patch (the two-way patch kubectl computes). An empty or
unchanged file cancels; a failed save keeps the edited copy and says where."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import typer
import yaml

from tugboat.api.patch.apply import three_way_patch
from tugboat.cli import targets
from tugboat.cli.errors import CliError, error_line
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.printers.objects import dump_json, dump_yaml
from tugboat.client import ApiError

Obj = dict[str, Any]
HEADER = """# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving, the edited
# file is kept and its path is printed.
#
"""
EXAMPLES = examples("""
    # Edit a deployment in your editor
    tug edit deploy/web

    # Edit as JSON, with a given editor
    KUBE_EDITOR="nano" tug edit svc web -o json
""")


def editor_command() -> list[str]:
    editor = os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi"
    return shlex.split(editor)


def run_editor(path: Path) -> None:
    try:
        done = subprocess.run([*editor_command(), str(path)])
    except FileNotFoundError as e:
        raise CliError(f"unable to launch the editor {editor_command()[0]!r}: {e}") from None
    if done.returncode != 0:
        raise CliError(f"there was a problem with the editor {editor_command()[0]!r}")


def read_back(path: Path) -> Obj | None:
    text = "\n".join(line for line in path.read_text().splitlines()
                     if not line.lstrip().startswith("#"))
    if not text.strip():
        return None
    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise CliError(f"the edited file is not valid YAML ({e}); your changes are in "
                       f"{path}") from None
    if not isinstance(obj, dict):
        raise CliError(f"the edited file does not hold an object; your changes are in {path}")
    return obj


def edit(ctx: typer.Context, ref: list[str] = typer.Argument(..., help="TYPE NAME or TYPE/NAME",
        autocompletion=targets.complete_resource),
         output: str = typer.Option("yaml", "--output", "-o", help="yaml or json")) -> None:
    """Edit an object in your editor."""
    session = session_of(ctx)
    info, name = targets.single(ref, "edit")
    ns = session.ns_for(info)
    original = session.client.get(info, name, ns)
    original.setdefault("apiVersion", info.api_version)
    original.setdefault("kind", info.kind)
    if output not in ("yaml", "json"):
        raise CliError(f"the edit mode must be yaml or json, not {output!r}")
    text = dump_json(original) if output == "json" else HEADER + dump_yaml(original)
    fd, tmp = tempfile.mkstemp(prefix="tug-edit-", suffix=f".{output}")
    path = Path(tmp)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    run_editor(path)
    edited = read_back(path)
    if edited is None or edited == original:
        path.unlink(missing_ok=True)
        print("Edit cancelled, no changes made.")
        return
    patch = three_way_patch(original, edited, original, info.kind)
    try:
        session.client.patch(info, name, patch, ns, patch_type="strategic")
    except ApiError as e:
        raise CliError(f"{error_line(e)} (your changes are in {path})", raw=True) from None
    path.unlink(missing_ok=True)
    print(f"{targets.object_name(info, name)} edited")


def register(app: typer.Typer) -> None:
    app.command("edit", epilog=EXAMPLES, context_settings=CONTEXT)(edit)
