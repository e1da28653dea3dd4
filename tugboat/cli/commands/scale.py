"""`tug scale`: set a workload's replicas through its `scale` subresource, as kubectl does
(a merge patch; with `--current-replicas` or `--resource-version`, a checked read and a
PUT of the Scale)."""

from __future__ import annotations

import sys

import typer

from tugboat.api.resources import ResourceInfo
from tugboat.cli import manifests, targets
from tugboat.cli.errors import CliError, ExitCode, error_line
from tugboat.cli.options import CONTEXT, FILENAME, RECURSIVE, SELECTOR, examples, session_of
from tugboat.cli.session import Session
from tugboat.client import ApiError

EXAMPLES = examples("""
    # Run 3 replicas of a deployment, or of a replication controller
    tug scale deploy/web --replicas=3
    tug scale rc web --replicas=3

    # Only if it now runs 2
    tug scale deploy web --current-replicas=2 --replicas=3

    # Every replica set labelled app=web
    tug scale rs -l app=web --replicas=0
""")


def _targets(session: Session, args: list[str], filenames: list[str] | None,
             recursive: bool, selector: str | None, all_: bool
             ) -> list[tuple[ResourceInfo, str | None, str]]:
    if filenames:
        out = []
        for m in manifests.load(filenames, recursive, verb="scale"):
            info = m.info()
            out.append((info, session.ns_for(info, m.namespace), m.name))
        return out
    found = []
    for sel in targets.parse(args, "scale"):
        ns = session.ns_for(sel.info)
        if sel.names:
            found += [(sel.info, ns, n) for n in sel.names]
        elif selector or all_:
            params = {"labelSelector": selector} if selector else {}
            reply = session.request("GET", sel.info.path(ns), params=params)
            found += [(sel.info, ns, o["metadata"]["name"]) for o in reply.get("items") or []]
        else:
            raise CliError("resource(s) were provided, but no name was specified")
    return found


def scale_one(session: Session, info: ResourceInfo, ns: str | None, name: str, replicas: int,
              current: int, resource_version: str | None) -> None:
    if "scale" not in info.subresources:
        raise CliError(f'no scaler has been implemented for {{"{info.group}" "{info.kind}"}}')
    client = session.client
    if current >= 0 or resource_version:
        scale = client.get_scale(info, name, ns)
        have = (scale.get("spec") or {}).get("replicas", 0)
        if current >= 0 and have != current:
            raise CliError(f"Expected replicas to be {current}, was {have}")
        if resource_version and scale["metadata"].get("resourceVersion") != resource_version:
            raise CliError(f"Expected resourceVersion to be {resource_version}, was "
                           f"{scale['metadata'].get('resourceVersion')}")
        scale["spec"] = {"replicas": replicas}
        client.update_scale(info, name, scale, ns)
    else:
        client.patch_scale(info, name, replicas, ns)


def scale(ctx: typer.Context,
          args: list[str] = typer.Argument(None, help="TYPE NAME or TYPE/NAME",
        autocompletion=targets.complete_resource),
          replicas: int = typer.Option(..., "--replicas", help="The new number of replicas."),
          current_replicas: int = typer.Option(-1, "--current-replicas",
                                               help="Precondition: the current replicas."),
          resource_version: str = typer.Option(None, "--resource-version",
                                               help="Precondition: the resourceVersion."),
          selector: str = SELECTOR,
          all_: bool = typer.Option(False, "--all", help="Every object of the type."),
          filename: list[str] = FILENAME, recursive: bool = RECURSIVE) -> None:
    """Set a new size for a deployment, replica set or replication controller."""
    session = session_of(ctx)
    if replicas < 0:
        raise CliError("The --replicas=COUNT flag is required, and COUNT must be greater "
                       "than or equal to 0")
    failures = []
    for info, ns, name in _targets(session, args or [], filename, recursive, selector, all_):
        try:
            scale_one(session, info, ns, name, replicas, current_replicas, resource_version)
            print(f"{targets.object_name(info, name)} scaled", flush=True)
        except (ApiError, CliError) as e:
            failures.append(error_line(e))
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        raise ExitCode(1)


def register(app: typer.Typer) -> None:
    app.command("scale", epilog=EXAMPLES, context_settings=CONTEXT)(scale)
