"""`tug delete`: by name, by file, by label or everything of a type, with kubectl's
deletion options (grace period, force, cascade) and, by default, waiting until each
object is really gone (a pod's containers stopped, a foreground cascade finished)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
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
    RECURSIVE,
    SELECTOR,
    examples,
    parse_timeout,
    session_of,
)
from tugboat.cli.session import Session
from tugboat.cli.waiting import WaitTimeout, wait_for_deletion
from tugboat.client import ApiError, NotFound

Obj = dict[str, Any]
FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running "
                 "resource has been terminated. The resource may continue to run on the "
                 "cluster indefinitely.")
CASCADE = {"background": "Background", "true": "Background", "foreground": "Foreground",
           "orphan": "Orphan", "false": "Orphan"}

EXAMPLES = examples("""
    # Delete a pod and wait until its containers are gone
    tug delete pod web

    # Delete what a file created, or every pod with a label
    tug delete -f examples/deployment.yaml
    tug delete pods -l app=web

    # Delete now, without waiting for graceful termination
    tug delete pod web --grace-period=0 --force

    # Delete a deployment but keep its replica sets and pods
    tug delete deploy web --cascade=orphan
""")


@dataclass
class Victim:
    info: ResourceInfo
    namespace: str | None
    name: str


def _targets(session: Session, args: list[str], filenames: list[str] | None, recursive: bool,
             selector: str | None, field_selector: str | None, all_: bool,
             all_namespaces: bool) -> list[Victim]:
    if filenames:
        out = []
        for m in manifests.load(filenames, recursive, verb="delete"):
            info = m.info()
            out.append(Victim(info, session.ns_for(info, m.namespace), m.name))
        return out
    victims = []
    for sel in targets.parse(args, "delete"):
        ns = None if all_namespaces else session.ns_for(sel.info)
        if sel.names:
            victims += [Victim(sel.info, ns, n) for n in sel.names]
            continue
        if not (selector or field_selector or all_):
            raise CliError("resource(s) were provided, but no name was specified")
        params = {k: v for k, v in (("labelSelector", selector),
                                    ("fieldSelector", field_selector)) if v}
        reply = session.request("GET", sel.info.path(ns), params=params)
        for item in reply.get("items") or []:
            meta = item.get("metadata") or {}
            victims.append(Victim(sel.info, meta.get("namespace"), meta.get("name", "")))
    return victims


def _grace(grace_period: int, force: bool, now: bool) -> int | None:
    if now:
        return 1
    if force and grace_period < 0:
        return 0
    if grace_period == 0 and not force:
        return 1  # kubectl: an immediate deletion needs --force
    return grace_period if grace_period >= 0 else None


def delete(ctx: typer.Context,
           args: list[str] = typer.Argument(None, help="TYPE NAME... or TYPE/NAME...",
        autocompletion=targets.complete_resource),
           filename: list[str] = FILENAME, recursive: bool = RECURSIVE,
           selector: str = SELECTOR, field_selector: str = FIELD_SELECTOR,
           all_: bool = typer.Option(False, "--all", help="Every object of the types."),
           all_namespaces: bool = ALL_NAMESPACES,
           grace_period: int = typer.Option(-1, "--grace-period",
                                            help="Seconds for graceful termination (-1: the "
                                                 "object's own)."),
           force: bool = typer.Option(False, "--force",
                                      help="Remove from the API at once, skipping graceful "
                                           "termination."),
           now: bool = typer.Option(False, "--now", help="Same as --grace-period=1."),
           cascade: str = typer.Option("background", "--cascade",
                                       help="background|foreground|orphan: what happens to "
                                            "the dependents."),
           wait: bool = typer.Option(True, "--wait/--no-wait",
                                     help="Wait until the objects are gone."),
           timeout: str = typer.Option("0s", "--timeout",
                                       help="How long to wait (0: no limit)."),
           ignore_not_found: bool = typer.Option(False, "--ignore-not-found",
                                                 help="A missing object is not an error."),
           output: str = typer.Option(None, "--output", "-o", help="name")) -> None:
    """Delete objects by name, file, label selector, or all of a type."""
    session = session_of(ctx)
    if cascade.lower() not in CASCADE:
        raise CliError(f'invalid cascade value ({cascade}). Must be "background", '
                       f'"foreground", or "orphan".')
    if output not in (None, "name"):
        raise CliError(f'unexpected -o output mode: {output}, the flag \'output\' must be '
                       f'one of yaml|name')
    victims = _targets(session, args or [], filename, recursive, selector, field_selector,
                       all_, all_namespaces)
    if not victims and not filename:
        print("No resources found")
        return
    grace = _grace(grace_period, force, now)
    if grace == 0:
        print(FORCE_WARNING, file=sys.stderr)
    failures, deleted = _delete_all(session, victims, grace, CASCADE[cascade.lower()],
                                    ignore_not_found, output)
    if wait and grace != 0:
        failures += _wait_all(session, deleted, parse_timeout(timeout))
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        raise ExitCode(1)


def _delete_all(session: Session, victims: list[Victim], grace: int | None, policy: str,
                ignore_not_found: bool, output: str | None
                ) -> tuple[list[str], list[tuple[Victim, str | None]]]:
    failures: list[str] = []
    deleted: list[tuple[Victim, str | None]] = []
    for v in victims:
        try:
            obj = session.client.delete(v.info, v.name, v.namespace, grace_period_seconds=grace,
                                        propagation_policy=policy)
        except NotFound as e:
            if not ignore_not_found:
                failures.append(error_line(e))
            continue
        except ApiError as e:
            failures.append(error_line(e))
            continue
        uid = ((obj.get("details") if obj.get("kind") == "Status" else obj.get("metadata"))
               or {}).get("uid")  # a Status when the object went at once
        deleted.append((v, uid))
        if output == "name":
            print(targets.object_name(v.info, v.name), flush=True)
        else:
            verb = "force deleted" if grace == 0 else "deleted"
            print(f'{targets.display_kind(v.info)} "{v.name}" {verb}', flush=True)
    return failures, deleted


def _wait_all(session: Session, deleted: list[tuple[Victim, str | None]],
              timeout: float) -> list[str]:
    failures = []
    for v, uid in deleted:
        try:
            wait_for_deletion(session, v.info, v.namespace, v.name, uid, timeout)
        except WaitTimeout:
            failures.append(f"error: timed out waiting for the condition on "
                            f"{v.info.resource}/{v.name}")
    return failures


def register(app: typer.Typer) -> None:
    app.command("delete", epilog=EXAMPLES, context_settings=CONTEXT)(delete)
