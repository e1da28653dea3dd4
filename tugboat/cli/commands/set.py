"""`tug set image|env|resources`: change the containers of a pod, or of a workload's pod
template (deployments, replica sets, daemon sets, jobs, replication controllers), as
kubectl does — edit a copy of the object read from the server, send the difference as a
strategic merge patch (containers merge by name, env by name), and print
"deployment.apps/web image updated"; an object the change leaves as it was is skipped
silently, as kubectl skips it.
"""

from __future__ import annotations

import copy
import fnmatch
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer

from tugboat.api.patch.apply import three_way_patch
from tugboat.api.quantity import QuantityError, parse_quantity
from tugboat.cli import targets
from tugboat.cli.commands.apply import _dry_run
from tugboat.cli.commands.get import GetFlags, Query, build_queries, fetch_objects
from tugboat.cli.errors import CliError, ExitCode, error_line
from tugboat.cli.options import (
    CONTEXT,
    DRY_RUN,
    FILENAME,
    RECURSIVE,
    SELECTOR,
    SHOW_MANAGED_FIELDS,
    examples,
    session_of,
)
from tugboat.cli.printers.formats import ObjectPrinter, parse_output
from tugboat.cli.session import Session
from tugboat.client import ApiError

Obj = dict[str, Any]
FIELD_MANAGER = "kubectl-set"
OUTPUTS = ("json", "jsonpath", "jsonpath-file", "name", "yaml")
ENV_NAME_RE = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
INVALID_ENV_CHARS = re.compile(r"[^A-Za-z0-9_]")
TEMPLATED = ("Deployment", "ReplicaSet", "DaemonSet", "Job", "ReplicationController")

set_app = typer.Typer(name="set", no_args_is_help=True, context_settings=CONTEXT,
                      rich_markup_mode=None,
                      help="Set specific features on objects (image, env, resources).")


def pod_spec(obj: Obj) -> Obj | None:
    """The pod spec the change goes to: a pod's own, or a workload's template's."""
    kind = obj.get("kind")
    if kind == "Pod":
        return obj.setdefault("spec", {})
    if kind in TEMPLATED:
        return obj.setdefault("spec", {}).setdefault("template", {}).setdefault("spec", {})
    return None


def containers(spec: Obj, pattern: str = "*") -> list[Obj]:
    """Init containers then containers whose names match the glob (kubectl's -c)."""
    found = list(spec.get("initContainers") or []) + list(spec.get("containers") or [])
    return [c for c in found if fnmatch.fnmatchcase(c.get("name", ""), pattern)]


@dataclass
class Common:
    """The flags every `set` verb takes."""

    args: list[str]
    selector: str | None
    all_: bool
    filename: list[str] | None
    recursive: bool
    dry_run: str
    output: str | None
    show_managed_fields: bool = False


def objects(session: Session, common: Common, resources: list[str], errors: list[str]
            ) -> list[Obj]:
    """The objects the arguments name or select; what cannot be read goes to `errors`."""
    queries = build_queries(session, resources, common.filename, common.recursive, False)
    flags = GetFlags(common.selector, None, False, False)
    found: list[Obj] = []
    for q in queries:
        if not q.names and not (common.selector or common.all_):
            raise CliError("resource(s) were provided, but no name was specified")
        for obj in fetch_objects(session, Query(q.info, q.namespace, q.names), flags, errors):
            obj.setdefault("apiVersion", q.info.api_version)
            obj.setdefault("kind", q.info.kind)
            found.append(obj)
    return found


def run(ctx: typer.Context, common: Common, resources: list[str], done: str,
        change: Callable[[Obj], None]) -> None:
    """Apply `change` to a copy of each object and send what differs."""
    session = session_of(ctx)
    mode = _dry_run(common.dry_run)
    printer = ObjectPrinter(parse_output(common.output, OUTPUTS),
                            show_managed_fields=common.show_managed_fields) \
        if common.output else None
    failures: list[str] = []
    for live in objects(session, common, resources, failures):
        info = targets.kind_of(live)
        assert info is not None
        name = live["metadata"]["name"]
        try:
            modified = copy.deepcopy(live)
            if pod_spec(modified) is None:
                raise CliError(f"{info.resource}/{name} the object is not a pod or does not "
                               f"have a pod template: *{info.version}.{info.kind}")
            change(modified)
            patch = three_way_patch(live, modified, live, live.get("kind"))
            if not patch:
                continue
            result = modified
            if mode != "client":
                result = session.client.patch(info, name, patch, live["metadata"].get(
                    "namespace"), patch_type="strategic", field_manager=FIELD_MANAGER,
                    dry_run=mode == "server")
        except (ApiError, CliError) as e:
            failures.append(error_line(e))
            continue
        if printer is not None:
            printer.print_objects([result], single=True)
        else:
            suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")
            print(f"{targets.object_name(info, name)} {done}{suffix}", flush=True)
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        raise ExitCode(1)


ARGS = typer.Argument(None, autocompletion=targets.complete_resource,
                      help="TYPE NAME..., TYPE/NAME..., then the changes.")
ALL = typer.Option(False, "--all", help="Every object of the type in the namespace.")
OUTPUT = typer.Option(None, "--output", "-o", help="name|yaml|json|jsonpath=...")


def _split(args: list[str]) -> tuple[list[str], list[str]]:
    """(resources, changes): the changes are the arguments with `=` (or ending in `-`)."""
    resources: list[str] = []
    changes: list[str] = []
    for arg in args:
        if "=" in arg or (arg.endswith("-") and len(arg) > 1 and resources):
            changes.append(arg)
        else:
            resources.append(arg)
    return resources, changes


@set_app.command("image", context_settings=CONTEXT, epilog=examples("""
    # Set the image of container "app" of a deployment, of every container of a pod
    tug set image deployment/web app=nginx:1.27
    tug set image pod web '*=busybox:1.36'

    # Of every deployment labelled app=web
    tug set image deployments -l app=web app=nginx:1.27
"""))
def set_image(ctx: typer.Context, args: list[str] = ARGS, selector: str = SELECTOR,
              all_: bool = ALL, filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
              dry_run: str = DRY_RUN, output: str = OUTPUT,
              show_managed_fields: bool = SHOW_MANAGED_FIELDS) -> None:
    """Update the image of a pod template's (or a pod's) containers."""
    resources, pairs = _split(args or [])
    images = dict(p.split("=", 1) for p in pairs)
    if not images:
        raise CliError("at least one image update is required")

    def change(obj: Obj) -> None:
        spec = pod_spec(obj) or {}
        for name, image in images.items():
            matched = containers(spec, "*") if name == "*" else [
                c for c in containers(spec) if c.get("name") == name]
            if not matched:
                raise CliError(f'unable to find container named "{name}"')
            for c in matched:
                c["image"] = image

    run(ctx, Common(resources, selector, all_, filename, recursive, dry_run, output,
                    show_managed_fields), resources, "image updated", change)


def env_name(key: str) -> str:
    """A config map or secret key as an environment variable name (kubectl's)."""
    return INVALID_ENV_CHARS.sub("_", key).upper()


def _from_source(session: Session, source: str, prefix: str, keys: list[str]) -> list[Obj]:
    kind, _, name = source.partition("/")
    if kind not in ("configmap", "cm", "secret", "secrets", "configmaps") or not name:
        raise CliError(f"unsupported --from resource: {source} (configmap/NAME or "
                       f"secret/NAME)")
    is_secret = kind.startswith("secret")
    info = targets.resolve_type("secrets" if is_secret else "configmaps")[0]
    obj = session.client.get(info, name, session.ns_for(info))
    data = sorted(set(obj.get("data") or {}) | set(obj.get("binaryData") or {}))
    out = []
    ref = "secretKeyRef" if is_secret else "configMapKeyRef"
    for key in data:
        if keys and key not in keys:
            continue
        var = env_name(key)
        if var != key:
            print(f"Warning: key {key} transferred to {var}", file=sys.stderr)
        out.append({"name": prefix + var, "valueFrom": {ref: {"key": key, "name": name}}})
    return out


def _list_env(obj: Obj, pattern: str) -> None:
    found = containers(pod_spec(obj) or {}, pattern)
    if not found:
        print(f'Warning: {obj.get("kind")}/{obj["metadata"]["name"]} does not have any '
              f'containers matching "{pattern}"', file=sys.stderr)
    for c in found:
        print(f"# {obj.get('kind')} {obj['metadata']['name']}, container {c.get('name')}")
        for var in c.get("env") or []:
            source = var.get("valueFrom")
            if not source:
                print(f"{var['name']}={var.get('value', '')}")
            elif "configMapKeyRef" in source or "secretKeyRef" in source:
                what = "configmap" if "configMapKeyRef" in source else "secret"
                ref = source.get("configMapKeyRef") or source.get("secretKeyRef")
                print(f"# {var['name']} from {what} {ref.get('name')}, key {ref.get('key')}")
            elif "fieldRef" in source:
                print(f"# {var['name']} from field path {source['fieldRef'].get('fieldPath')}")
            elif "resourceFieldRef" in source:
                print(f"# {var['name']} from resource "
                      f"{source['resourceFieldRef'].get('resource')}")


def _parse_env(changes: list[str]) -> tuple[list[Obj], list[str]]:
    add: list[Obj] = []
    remove: list[str] = []
    for change in changes:
        if "=" in change:
            key, _, value = change.partition("=")
            if not ENV_NAME_RE.match(key):
                raise CliError(f'"{key}" is not a valid key name: a valid environment '
                               f"variable name must consist of alphabetic characters, digits, "
                               f"'_', '-', or '.', and must not start with a digit (e.g. "
                               f"'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex "
                               f"used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
            add.append({"name": key, "value": value})
        elif change.endswith("-") and len(change) > 1:
            remove.append(change[:-1])
        else:  # kubectl's ParseEnv: neither KEY=VALUE nor KEY-
            raise CliError(f"unknown environment variable: {change}")
    return add, remove


def _set_env(c: Obj, add: list[Obj], remove: list[str], overwrite: bool) -> None:
    env = [dict(v) for v in c.get("env") or []]
    for var in add:
        i = next((i for i, v in enumerate(env) if v.get("name") == var["name"]), None)
        if i is None:
            env.append(var)
        elif not overwrite:
            raise CliError(f"'{var['name']}' already has a value "
                           f"({env[i].get('value', '')}), and --overwrite is false")
        else:
            env[i] = var
    env = [v for v in env if v.get("name") not in remove]
    if env:
        c["env"] = env
    else:
        c.pop("env", None)


@set_app.command("env", context_settings=CONTEXT, epilog=examples("""
    # Add or change variables, remove one
    tug set env deployment/web STORAGE_DIR=/local MODE=fast
    tug set env deployment/web MODE-

    # Every key of a config map, as variables with a prefix
    tug set env deployment/web --from=configmap/settings --prefix=APP_

    # List the variables of every container
    tug set env deployment/web --list
"""))
def set_env(ctx: typer.Context, args: list[str] = ARGS,
            env: list[str] = typer.Option(None, "--env", "-e", help="KEY=VAL to set."),
            from_: str = typer.Option(None, "--from",
                                      help="configmap/NAME or secret/NAME: its keys."),
            prefix: str = typer.Option("", "--prefix", help="Prefix for --from variables."),
            keys: list[str] = typer.Option(None, "--keys",
                                           help="Only these keys of --from."),
            container: str = typer.Option("*", "--containers", "-c",
                                          help="The containers to change (a glob)."),
            list_: bool = typer.Option(False, "--list", help="Print the variables."),
            overwrite: bool = typer.Option(True, "--overwrite/--no-overwrite",
                                           help="Allow changing existing variables."),
            selector: str = SELECTOR, all_: bool = ALL, filename: list[str] = FILENAME,
            recursive: bool = RECURSIVE, dry_run: str = DRY_RUN,
            output: str = OUTPUT, show_managed_fields: bool = SHOW_MANAGED_FIELDS) -> None:
    """Update environment variables of a pod template's (or a pod's) containers."""
    resources, changes = _split(args or [])
    add, remove = _parse_env(changes + list(env or []))
    common = Common(resources, selector, all_, filename, recursive, dry_run, output,
                    show_managed_fields)
    session = session_of(ctx)
    if list_:
        failures: list[str] = []
        for obj in objects(session, common, resources, failures):
            _list_env(obj, container)
        for line in failures:
            print(line, file=sys.stderr)
        if failures:
            raise ExitCode(1)
        return
    if from_:
        add += _from_source(session, from_, prefix, [k for k in keys or [] for k in
                                                     k.split(",")])
    if not add and not remove:
        raise CliError("at least one environment variable must be provided")

    def change(obj: Obj) -> None:
        matched = containers(pod_spec(obj) or {}, container)
        if not matched:
            print(f'Warning: {obj.get("kind")}/{obj["metadata"]["name"]} does not have any '
                  f'containers matching "{container}"', file=sys.stderr)
        for c in matched:
            _set_env(c, add, remove, overwrite)

    run(ctx, common, resources, "env updated", change)


def parse_resource_list(text: str | None, flag: str) -> dict[str, str]:
    """`cpu=200m,memory=512Mi` → {"cpu": "200m", "memory": "512Mi"}."""
    out: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair:
            continue
        name, eq, value = pair.partition("=")
        if not eq or not name or not value:
            raise CliError(f"Invalid argument syntax {pair}, expected <resource>=<value>")
        try:
            parse_quantity(value)
        except QuantityError:
            raise CliError("quantities must match the regular expression "
                           "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'") from None
        out[name] = value
    return out


@set_app.command("resources", context_settings=CONTEXT, epilog=examples("""
    # Limit every container of a deployment, and reserve some CPU
    tug set resources deployment/web --limits=cpu=200m,memory=512Mi --requests=cpu=100m

    # Only container "app"
    tug set resources deployment/web -c app --limits=memory=256Mi
"""))
def set_resources(ctx: typer.Context, args: list[str] = ARGS,
                  limits: str = typer.Option(None, "--limits",
                                             help="cpu=200m,memory=512Mi: the limits."),
                  requests: str = typer.Option(None, "--requests",
                                               help="cpu=100m,memory=256Mi: the requests."),
                  container: str = typer.Option("*", "--containers", "-c",
                                                help="The containers to change (a glob)."),
                  selector: str = SELECTOR, all_: bool = ALL, filename: list[str] = FILENAME,
                  recursive: bool = RECURSIVE, dry_run: str = DRY_RUN,
                  output: str = OUTPUT, show_managed_fields: bool = SHOW_MANAGED_FIELDS
                  ) -> None:
    """Update the resource requests and limits of a pod template's (or a pod's) containers."""
    want = {"limits": parse_resource_list(limits, "--limits"),
            "requests": parse_resource_list(requests, "--requests")}
    if not want["limits"] and not want["requests"]:
        raise CliError("you must specify an update to requests or limits (in the form of "
                       "--requests/--limits)")
    resources = list(args or [])

    def change(obj: Obj) -> None:
        matched = containers(pod_spec(obj) or {}, container)
        if not matched:
            print(f'Warning: {obj.get("kind")}/{obj["metadata"]["name"]} does not have any '
                  f'containers matching "{container}"', file=sys.stderr)
        for c in matched:
            res = c.setdefault("resources", {})
            for field, values in want.items():
                if values:
                    res.setdefault(field, {}).update(values)

    run(ctx, Common(resources, selector, all_, filename, recursive, dry_run, output,
                    show_managed_fields), resources, "resource requirements updated", change)


def register(app: typer.Typer) -> None:
    app.add_typer(set_app)
