"""`tug apply`, `tug create`, `tug replace`: objects from files into the cluster.

`apply` is kubectl's client-side apply: the object carries its last-applied configuration
in the `kubectl.kubernetes.io/last-applied-configuration` annotation, and a re-apply sends
the three-way strategic merge patch between that, the file and the live object (so fields
others set survive, and fields dropped from the file are removed); `--server-side` sends
the whole object as an apply patch instead. Every object is tried; failures are reported
at the end and make the exit status 1.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer

from tugboat.api import gojson
from tugboat.api.patch.apply import three_way_patch
from tugboat.api.resources import ResourceInfo
from tugboat.cli import manifests, targets
from tugboat.cli.errors import CliError, ExitCode, api_error_line, error_line
from tugboat.cli.manifests import Manifest
from tugboat.cli.options import CONTEXT, DRY_RUN, FILENAME, RECURSIVE, examples, session_of
from tugboat.cli.printers.formats import ObjectPrinter, parse_output
from tugboat.cli.session import Session
from tugboat.cli.waiting import wait_for_deletion
from tugboat.client import ApiError, NotFound

Obj = dict[str, Any]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CSA_MANAGER = "kubectl-client-side-apply"
# kubectl's server-side apply manager: the same name, so the server's upgrade path from
# client-side apply (kept for manager "kubectl" only) serves tug too, and either tool's
# --server-side apply owns the fields the other's did
SSA_MANAGER = "kubectl"
VALIDATE = typer.Option("strict", "--validate",
                        help="strict|warn|ignore (true means strict, false ignore): how the "
                             "server treats unknown fields.")


@dataclass
class WriteFlags:
    dry_run: str
    validation: str | None
    output: str | None

    @property
    def server_dry_run(self) -> bool:
        return self.dry_run == "server"

    def suffix(self) -> str:
        return {"client": " (dry run)", "server": " (server dry run)"}.get(self.dry_run, "")


def _validation(value: str) -> str | None:
    v = value.lower()
    table = {"strict": "Strict", "true": "Strict", "warn": "Warn", "ignore": "Ignore",
             "false": "Ignore"}
    if v not in table:
        raise CliError(f'invalid - validate option "{value}"; must be one of: strict (or true), '
                       f"warn, ignore (or false)")
    return table[v]


def _dry_run(value: str) -> str:
    if value not in ("none", "client", "server", "true", "false"):
        raise CliError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')
    return {"true": "client", "false": "none"}.get(value, value)


def prepared(session: Session, m: Manifest) -> tuple[ResourceInfo, str | None, Obj]:
    """The object as it will be sent: its resource, namespace and body."""
    info = m.info()
    obj = copy.deepcopy(m.obj)
    ns = None
    if info.namespaced:
        explicit = session.explicit_namespace
        if explicit and m.namespace and m.namespace != explicit:
            raise CliError(f'the namespace from the provided object "{m.namespace}" does not '
                           f'match the namespace "{explicit}". You must pass '
                           f"'--namespace={m.namespace}' to perform this operation.")
        ns = m.namespace or session.namespace
        obj.setdefault("metadata", {})["namespace"] = ns
    return info, ns, obj


def with_last_applied(obj: Obj) -> Obj:
    """The object annotated with its own JSON, byte for byte as kubectl's
    GetModifiedConfiguration writes it, so either tool's next apply finds nothing to
    change: the annotations map set even when empty (`"annotations":{}`), the object then
    encoded as Go encodes an unstructured map (sorted keys, compact, <>& escaped) by a
    json.Encoder (a trailing newline)."""
    plain = copy.deepcopy(obj)
    meta = plain.setdefault("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    meta["annotations"] = annotations
    text = gojson.dumps(plain, sort_keys=True) + "\n"
    out = copy.deepcopy(obj)
    out.setdefault("metadata", {})
    out["metadata"]["annotations"] = {**annotations, LAST_APPLIED: text}
    return out


def _original(live: Obj) -> Obj | None:
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def client_side_apply(session: Session, m: Manifest, flags: WriteFlags,
                      annotate: bool = True) -> tuple[str, Obj]:
    """`annotate=False` is kubectl diff's merge: the object as the file has it (an existing
    one with its last-applied annotation left as it is), so the diff shows only the
    file's changes."""
    info, ns, obj = prepared(session, m)
    if not m.name:
        raise CliError(f'error when retrieving current configuration of "{m.source}": '
                       f"resource name may not be empty")
    modified = with_last_applied(obj) if annotate else obj
    client = session.client
    try:
        live = client.get(info, m.name, ns)
    except NotFound:
        if flags.dry_run == "client":
            return "created", modified
        created = _guard("creating", m, lambda: client.create(
            info, modified, ns, dry_run=flags.server_dry_run, field_manager=CSA_MANAGER,
            field_validation=flags.validation))
        return "created", created
    if not annotate:  # GetModifiedConfiguration(annotate=false): annotations, minus ours
        meta = modified.setdefault("metadata", {})
        meta["annotations"] = {k: v for k, v in (meta.get("annotations") or {}).items()
                               if k != LAST_APPLIED}
    patch = three_way_patch(_original(live), modified, live, info.kind)
    if not patch:
        return "unchanged", live
    if flags.dry_run == "client":
        return "configured", live
    result = _guard("applying patch to", m, lambda: client.patch(
        info, m.name, patch, ns, patch_type="strategic", field_manager=CSA_MANAGER,
        dry_run=flags.server_dry_run, field_validation=flags.validation))
    return "configured", result


def server_side_apply(session: Session, m: Manifest, flags: WriteFlags,
                      force_conflicts: bool) -> tuple[str, Obj]:
    info, ns, obj = prepared(session, m)
    if flags.dry_run == "client":
        raise CliError("--dry-run=client doesn't work with --server-side (did you mean "
                       "--dry-run=server instead?)")
    result = _guard("applying", m, lambda: session.client.patch(
        info, m.name, obj, ns, patch_type="apply", field_manager=SSA_MANAGER,
        force=force_conflicts,
        dry_run=flags.server_dry_run, field_validation=flags.validation))
    return "serverside-applied", result


def _guard(action: str, m: Manifest, call: Callable[[], Obj]) -> Obj:
    try:
        return call()
    except ApiError as e:
        raise CliError(api_error_line(e, f'error when {action} "{m.source}": '),
                       raw=True) from None


def run_each(session: Session, items: list[Manifest], flags: WriteFlags,
             action: Callable[[Manifest], tuple[str, Obj]]) -> None:
    """Apply `action` to every object, print kubectl's line (or -o) for each, and fail at
    the end if any failed."""
    fmt = parse_output(flags.output, ("json", "name", "yaml"))
    printer = ObjectPrinter(fmt) if flags.output else None
    failures: list[str] = []
    for m in items:
        try:
            verb, obj = action(m)
        except (CliError, ApiError) as e:
            failures.append(error_line(e))
            continue
        if printer is not None:
            printer.print_objects([obj], single=True)
        else:
            print(f"{targets.object_name(m.info(), m.name or _name(obj))} {verb}"
                  f"{flags.suffix()}", flush=True)
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        raise ExitCode(1)


def _name(obj: Obj) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def _replace(session: Session, m: Manifest, flags: WriteFlags, force: bool) -> tuple[str, Obj]:
    info, ns, obj = prepared(session, m)
    client = session.client
    if flags.dry_run == "client":
        return "replaced", obj
    if force:
        try:
            gone = client.delete(info, m.name, ns, grace_period_seconds=None)
            print(f'{targets.display_kind(info)} "{m.name}" deleted', flush=True)
            uid = ((gone.get("details") if gone.get("kind") == "Status"
                    else gone.get("metadata")) or {}).get("uid")
            wait_for_deletion(session, info, ns, m.name, uid, 60.0)
        except NotFound:
            pass
        obj.get("metadata", {}).pop("resourceVersion", None)
        return "replaced", _guard("creating", m, lambda: client.create(
            info, obj, ns, field_manager="kubectl-replace", field_validation=flags.validation))
    return "replaced", _guard("replacing", m, lambda: client.update(
        info, obj, ns, dry_run=flags.server_dry_run, field_manager="kubectl-replace",
        field_validation=flags.validation))


def apply(ctx: typer.Context, filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
          server_side: bool = typer.Option(False, "--server-side",
                                           help="Let the server merge (apply patch)."),
          force_conflicts: bool = typer.Option(False, "--force-conflicts",
                                               help="With --server-side: take over fields."),
          dry_run: str = DRY_RUN, validate: str = VALIDATE,
          output: str = typer.Option(None, "--output", "-o", help="name|yaml|json")) -> None:
    """Apply a configuration to objects from files or stdin (create or update them)."""
    session = session_of(ctx)
    if not filename:
        raise CliError("must specify one of -f and -k")
    flags = WriteFlags(_dry_run(dry_run), _validation(validate), output)
    items = manifests.load(filename, recursive, verb="apply")
    if server_side:
        run_each(session, items, flags,
                 lambda m: server_side_apply(session, m, flags, force_conflicts))
    else:
        run_each(session, items, flags, lambda m: client_side_apply(session, m, flags))


def replace(ctx: typer.Context, filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
            force: bool = typer.Option(False, "--force",
                                       help="Delete and re-create the objects."),
            dry_run: str = DRY_RUN, validate: str = VALIDATE,
            output: str = typer.Option(None, "--output", "-o", help="name|yaml|json")) -> None:
    """Replace objects by the ones in files or stdin (a whole-object update)."""
    session = session_of(ctx)
    if not filename:
        raise CliError("must specify one of -f and -k")
    flags = WriteFlags(_dry_run(dry_run), _validation(validate), output)
    items = manifests.load(filename, recursive, verb="replace")
    run_each(session, items, flags, lambda m: _replace(session, m, flags, force))


APPLY_EXAMPLES = examples("""
    # Create or update the objects of a file, a folder, or stdin
    tug apply -f examples/pod.yaml
    tug apply -f examples/
    cat pod.yaml | tug apply -f -

    # Let the server merge the configuration
    tug apply --server-side -f examples/deployment.yaml
""")
REPLACE_EXAMPLES = examples("""
    # Replace a pod by the one in the file
    tug replace -f pod.yaml

    # Delete and re-create it
    tug replace --force -f pod.yaml
""")


def register(app: typer.Typer) -> None:
    app.command("apply", epilog=APPLY_EXAMPLES, context_settings=CONTEXT)(apply)
    app.command("replace", epilog=REPLACE_EXAMPLES, context_settings=CONTEXT)(replace)
