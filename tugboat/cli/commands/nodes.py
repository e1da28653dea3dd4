"""`tug cordon|uncordon|drain`: take nodes out of scheduling and empty them, as kubectl
does — drain cordons, refuses pods it cannot safely move (unmanaged, local data,
DaemonSet pods) unless told otherwise, evicts the rest (retrying those a disruption
budget holds back) and waits until they are gone."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

import typer

from tugboat.api.resources import resolve
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, SELECTOR, examples, parse_timeout, session_of
from tugboat.cli.session import Session
from tugboat.cli.waiting import WaitTimeout, wait_for_deletion
from tugboat.client import NotFound, TooManyRequests

Obj = dict[str, Any]
MIRROR = "kubernetes.io/config.mirror"
PODS = resolve("pods")
# kubectl drain waits this long before asking again for an eviction a budget refused.
EVICTION_RETRY = 5.0


def _set_unschedulable(session: Session, name: str, value: bool) -> str:
    node = session.client.get("nodes", name)
    word = "cordoned" if value else "uncordoned"
    if bool((node.get("spec") or {}).get("unschedulable")) == value:
        return f"node/{name} already {word}"
    session.client.patch("nodes", name, {"spec": {"unschedulable": value or None}},
                         patch_type="strategic")
    return f"node/{name} {word}"


def _nodes(session: Session, names: list[str], selector: str | None) -> list[str]:
    if names:
        return names
    if not selector:
        raise CliError("resource(s) were provided, but no name was specified")
    reply = session.request("GET", "/api/v1/nodes", params={"labelSelector": selector})
    return [n["metadata"]["name"] for n in reply.get("items") or []]


def cordon(ctx: typer.Context, names: list[str] = typer.Argument(None, help="NODE..."),
           selector: str = SELECTOR) -> None:
    """Mark nodes as unschedulable."""
    session = session_of(ctx)
    for name in _nodes(session, names or [], selector):
        print(_set_unschedulable(session, name, True), flush=True)


def uncordon(ctx: typer.Context, names: list[str] = typer.Argument(None, help="NODE..."),
             selector: str = SELECTOR) -> None:
    """Mark nodes as schedulable again."""
    session = session_of(ctx)
    for name in _nodes(session, names or [], selector):
        print(_set_unschedulable(session, name, False), flush=True)


@dataclass
class DrainFlags:
    ignore_daemonsets: bool
    delete_emptydir_data: bool
    force: bool


@dataclass
class DrainPlan:
    evict: list[Obj] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _controller(pod: Obj) -> Obj | None:
    return next((r for r in (pod.get("metadata") or {}).get("ownerReferences") or []
                 if r.get("controller")), None)


def plan_drain(pods: list[Obj], flags: DrainFlags) -> DrainPlan:
    """Sort a node's pods into those to evict, refusals and warnings (kubectl's filters)."""
    plan = DrainPlan()
    daemon, local, unmanaged, forced = [], [], [], []
    for pod in pods:
        meta = pod.get("metadata") or {}
        ref = f"{meta.get('namespace')}/{meta.get('name')}"
        if MIRROR in (meta.get("annotations") or {}):
            continue
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            plan.evict.append(pod)
            continue
        owner = _controller(pod)
        if owner and owner.get("kind") == "DaemonSet":
            daemon.append(ref)
            continue
        if any("emptyDir" in v for v in (pod.get("spec") or {}).get("volumes") or []) \
                and not flags.delete_emptydir_data:
            local.append(ref)
            continue
        if owner is None:
            (forced if flags.force else unmanaged).append(ref)
            if not flags.force:
                continue
        plan.evict.append(pod)
    if daemon:
        (plan.warnings if flags.ignore_daemonsets else plan.errors).append(
            f"{'ignoring' if flags.ignore_daemonsets else 'cannot delete'} DaemonSet-managed "
            f"Pods{'' if flags.ignore_daemonsets else ' (use --ignore-daemonsets to ignore)'}: "
            f"{', '.join(daemon)}")
    if local:
        plan.errors.append(f"cannot delete Pods with local storage (use "
                           f"--delete-emptydir-data to override): {', '.join(local)}")
    if unmanaged:
        plan.errors.append(f"cannot delete Pods that declare no controller (use --force to "
                           f"override): {', '.join(unmanaged)}")
    if forced:
        plan.warnings.append(f"deleting Pods that declare no controller: {', '.join(forced)}")
    return plan


def _evict(session: Session, pod: Obj, grace: int, disable_eviction: bool) -> None:
    meta = pod["metadata"]
    ns, name = meta["namespace"], meta["name"]
    options = {"gracePeriodSeconds": grace} if grace >= 0 else {}
    if disable_eviction:
        session.client.delete("pods", name, ns, grace_period_seconds=options.get(
            "gracePeriodSeconds"))
        return
    print(f"evicting pod {ns}/{name}", flush=True)
    body = {"apiVersion": "policy/v1", "kind": "Eviction",
            "metadata": {"name": name, "namespace": ns}, "deleteOptions": options}
    session.request("POST", f"/api/v1/namespaces/{ns}/pods/{name}/eviction", body=body)


def _evict_all(session: Session, node: str, pods: list[Obj], grace: int,
               disable_eviction: bool, deadline: float) -> None:
    """Evict every pod, as kubectl's evictPods: a pod whose disruption budget refuses it
    now (429) is tried again every EVICTION_RETRY seconds until the deadline."""
    pending = list(pods)
    while pending:
        refused = []
        for pod in pending:
            meta = pod["metadata"]
            try:
                _evict(session, pod, grace, disable_eviction)
            except NotFound:
                pass
            except TooManyRequests as e:
                print(f'error when evicting pods/"{meta["name"]}" -n "{meta["namespace"]}" '
                      f"(will retry after {EVICTION_RETRY:g}s): {e.message}", file=sys.stderr,
                      flush=True)
                refused.append(pod)
        pending = refused
        if pending and time.monotonic() + EVICTION_RETRY > deadline:
            meta = pending[0]["metadata"]
            raise CliError(f'unable to drain node "{node}" due to error: error when evicting '
                           f'pods/"{meta["name"]}" -n "{meta["namespace"]}": global timeout '
                           f"reached")
        if pending:
            time.sleep(EVICTION_RETRY)


def drain(ctx: typer.Context, name: str = typer.Argument(..., help="NODE"),
          ignore_daemonsets: bool = typer.Option(False, "--ignore-daemonsets",
                                                 help="Leave DaemonSet pods alone."),
          delete_emptydir_data: bool = typer.Option(False, "--delete-emptydir-data",
                                                    help="Evict pods with emptyDir data too."),
          force: bool = typer.Option(False, "--force",
                                     help="Evict pods that no controller will replace."),
          grace_period: int = typer.Option(-1, "--grace-period",
                                           help="Seconds each pod gets (-1: its own)."),
          timeout: str = typer.Option("0s", "--timeout", help="Give up after (0: never)."),
          disable_eviction: bool = typer.Option(False, "--disable-eviction",
                                                help="Delete instead of evicting."),
          pod_selector: str = typer.Option(None, "--pod-selector",
                                           help="Only pods with these labels.")) -> None:
    """Cordon a node and evict its pods."""
    session = session_of(ctx)
    print(_set_unschedulable(session, name, True), flush=True)
    params = {"fieldSelector": f"spec.nodeName={name}"}
    if pod_selector:
        params["labelSelector"] = pod_selector
    pods = session.request("GET", "/api/v1/pods", params=params).get("items") or []
    plan = plan_drain(pods, DrainFlags(ignore_daemonsets, delete_emptydir_data, force))
    if plan.errors:
        raise CliError(f'unable to drain node "{name}" due to error: {"; ".join(plan.errors)}')
    for warning in plan.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    verb = "deleted" if disable_eviction else "evicted"
    deadline = time.monotonic() + parse_timeout(timeout)
    _evict_all(session, name, plan.evict, grace_period, disable_eviction, deadline)
    for pod in plan.evict:
        meta = pod["metadata"]
        try:
            wait_for_deletion(session, PODS, meta["namespace"], meta["name"], meta.get("uid"),
                              max(0.0, deadline - time.monotonic()))
        except WaitTimeout:
            raise CliError(f'unable to drain node "{name}": timed out waiting for pod '
                           f'{meta["namespace"]}/{meta["name"]} to go') from None
        print(f"pod/{meta['name']} {verb}", flush=True)
    print(f"node/{name} drained", flush=True)


EXAMPLES = {
    "cordon": "tug cordon my-host",
    "uncordon": "tug uncordon my-host",
    "drain": """
        # Move every pod off a node (DaemonSet pods stay)
        tug drain my-host --ignore-daemonsets

        # Also pods no controller will replace, and pods with emptyDir data
        tug drain my-host --ignore-daemonsets --force --delete-emptydir-data
    """,
}


def register(app: typer.Typer) -> None:
    for verb, fn in (("cordon", cordon), ("uncordon", uncordon), ("drain", drain)):
        app.command(verb, epilog=examples(EXAMPLES[verb]), context_settings=CONTEXT)(fn)
