"""`tug rollout status|history|undo|restart|pause|resume`: follow and steer the rollouts of
Deployments (and the status and restart of DaemonSets and StatefulSets), with kubectl's
messages.

A Deployment's history is its ReplicaSets, each carrying the
`deployment.kubernetes.io/revision` annotation; `undo` copies the wanted ReplicaSet's pod
template back into the Deployment (a JSON patch, as kubectl sends), and `restart` stamps
the template with `kubectl.kubernetes.io/restartedAt` so the controller rolls every pod.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import typer

from tugboat.api.meta import now_rfc3339
from tugboat.api.resources import ResourceInfo
from tugboat.cli import targets
from tugboat.cli.describe.podspec import describe_pod_template
from tugboat.cli.describe.writer import PrefixWriter, get
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, parse_timeout, session_of
from tugboat.cli.session import Session
from tugboat.cli.tabwriter import tabulate
from tugboat.cli.waiting import WaitTimeout, watch_until

Obj = dict[str, Any]
REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
HASH_LABEL = "pod-template-hash"
SKIP_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration", REVISION,
                    "deployment.kubernetes.io/revision-history",
                    "deployment.kubernetes.io/desired-replicas",
                    "deployment.kubernetes.io/max-replicas",
                    "deprecated.deployment.rollback.to"}

rollout_app = typer.Typer(name="rollout", help="Manage the rollout of a deployment or "
                          "daemon set.", no_args_is_help=True, context_settings=CONTEXT)


def _target(session: Session, ref: list[str], verb: str, kinds: tuple[str, ...]
            ) -> tuple[ResourceInfo, str | None, str]:
    info, name = targets.single(ref, f"rollout {verb}")
    if info.kind not in kinds:
        raise CliError(f"no {verb} has been implemented for {info.kind}")
    return info, session.ns_for(info), name


def status_message(obj: Obj) -> tuple[str, bool]:
    """kubectl's status viewers: (message, done); a dead rollout raises CliError."""
    name, kind = get(obj, "metadata", "name"), obj.get("kind")
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    observed = (get(obj, "metadata", "generation") or 0) <= (status.get("observedGeneration") or 0)
    if kind == "DaemonSet":
        if not observed:
            return "Waiting for daemon set spec update to be observed...", False
        desired = status.get("desiredNumberScheduled", 0)
        if status.get("updatedNumberScheduled", 0) < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: '
                    f'{status.get("updatedNumberScheduled", 0)} out of {desired} new pods have '
                    f"been updated..."), False
        if status.get("numberAvailable", 0) < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: '
                    f'{status.get("numberAvailable", 0)} of {desired} updated pods are '
                    f"available..."), False
        return f'daemon set "{name}" successfully rolled out', True
    if kind == "StatefulSet":
        return _statefulset_status(spec, status, observed)
    if not observed:
        return "Waiting for deployment spec update to be observed...", False
    progressing = next((c for c in status.get("conditions") or []
                        if c.get("type") == "Progressing"), {})
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        raise CliError(f'deployment "{name}" exceeded its progress deadline')
    want, updated = spec.get("replicas", 1), status.get("updatedReplicas", 0)
    total, available = status.get("replicas", 0), status.get("availableReplicas", 0)
    prefix = f'Waiting for deployment "{name}" rollout to finish: '
    if updated < want:
        return f"{prefix}{updated} out of {want} new replicas have been updated...", False
    if total > updated:
        return f"{prefix}{total - updated} old replicas are pending termination...", False
    if available < updated:
        return f"{prefix}{available} of {updated} updated replicas are available...", False
    return f'deployment "{name}" successfully rolled out', True


def _statefulset_status(spec: Obj, status: Obj, observed: bool) -> tuple[str, bool]:
    """kubectl's StatefulSetStatusViewer (a RollingUpdate's partition counts)."""
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise CliError("rollout status is only available for RollingUpdate strategy type")
    if not observed or not status.get("observedGeneration"):
        return "Waiting for statefulset spec update to be observed...", False
    want, ready = spec.get("replicas", 1), status.get("readyReplicas", 0)
    if ready < want:
        return f"Waiting for {want - ready} pods to be ready...", False
    partition = (strategy.get("rollingUpdate") or {}).get("partition")
    updated = status.get("updatedReplicas", 0)
    if partition is not None:
        if updated < want - partition:
            return (f"Waiting for partitioned roll out to finish: {updated} out of "
                    f"{want - partition} new pods have been updated..."), False
        return f"partitioned roll out complete: {updated} new pods have been updated...", True
    revision = status.get("updateRevision")
    if revision != status.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete {updated} pods at "
                f"revision {revision}..."), False
    return (f"statefulset rolling update complete {status.get('currentReplicas', 0)} pods at "
            f"revision {revision}..."), True


@rollout_app.command("status", epilog=examples("""
    # Wait until a deployment's rollout finishes
    tug rollout status deploy/web
"""))
def status(ctx: typer.Context, ref: list[str] = typer.Argument(..., help="TYPE NAME or TYPE/NAME"),
           watch: bool = typer.Option(True, "--watch/--no-watch", "-w",
                                      help="Wait until the rollout finishes."),
           timeout: str = typer.Option("0s", "--timeout", help="Give up after (0: never).")
           ) -> None:
    """Show the status of a rollout, waiting until it finishes."""
    session = session_of(ctx)
    info, ns, name = _target(session, ref, "status", ("Deployment", "DaemonSet",
                                                      "StatefulSet"))
    last: list[str] = []

    def done(obj: Obj | None) -> bool:
        if obj is None:
            raise CliError("object has been deleted")
        message, finished = status_message({"kind": info.kind, **obj})
        if not last or last[-1] != message:
            print(message, flush=True)
            last.append(message)
        return finished or not watch

    session.client.get(info, name, ns)  # NotFound reads as kubectl's error
    try:
        watch_until(session, info, ns, name, done, parse_timeout(timeout))
    except WaitTimeout:
        raise CliError("timed out waiting for the condition") from None


def replica_sets(session: Session, deploy: Obj) -> list[Obj]:
    """The Deployment's ReplicaSets, oldest revision first."""
    uid, ns = get(deploy, "metadata", "uid"), get(deploy, "metadata", "namespace")
    reply = session.request("GET", f"/apis/apps/v1/namespaces/{ns}/replicasets")
    owned = [rs for rs in reply.get("items") or []
             if any(r.get("uid") == uid for r in get(rs, "metadata", "ownerReferences") or [])]
    return sorted(owned, key=revision_of)


def revision_of(rs: Obj) -> int:
    try:
        return int(get(rs, "metadata", "annotations", REVISION) or 0)
    except ValueError:
        return 0


@rollout_app.command("history", epilog=examples("""
    # The revisions of a deployment, then one revision's pod template
    tug rollout history deploy/web
    tug rollout history deploy/web --revision=2
"""))
def history(ctx: typer.Context, ref: list[str] = typer.Argument(..., help="TYPE NAME or TYPE/NAME"),
            revision: int = typer.Option(0, "--revision", help="Show this revision in detail.")
            ) -> None:
    """Show a deployment's rollout history."""
    session = session_of(ctx)
    info, ns, name = _target(session, ref, "history", ("Deployment",))
    deploy = session.client.get(info, name, ns)
    sets = [rs for rs in replica_sets(session, deploy) if revision_of(rs)]
    if revision:
        found = [rs for rs in sets if revision_of(rs) == revision]
        if not found:
            raise CliError("unable to find the specified revision")
        w = PrefixWriter()
        template = copy.deepcopy(get(found[0], "spec", "template") or {})
        describe_pod_template(w, template)
        print(f"{targets.object_name(info, name)} with revision #{revision}")
        sys.stdout.write(w.page())
        return
    print(f"{targets.object_name(info, name)} ")  # kubectl's trailing space included
    rows = [["REVISION", "CHANGE-CAUSE"]]
    rows += [[str(revision_of(rs)), get(rs, "metadata", "annotations", CHANGE_CAUSE) or "<none>"]
             for rs in sets]
    sys.stdout.write(tabulate(rows, minwidth=0, padding=2) + "\n")


def _equal_ignoring_hash(a: Obj, b: Obj) -> bool:
    a, b = copy.deepcopy(a), copy.deepcopy(b)
    for t in (a, b):
        (t.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    return a == b


@rollout_app.command("undo", epilog=examples("""
    # Back to the previous revision, or to revision 1
    tug rollout undo deploy/web
    tug rollout undo deploy/web --to-revision=1
"""))
def undo(ctx: typer.Context, ref: list[str] = typer.Argument(..., help="TYPE NAME or TYPE/NAME"),
         to_revision: int = typer.Option(0, "--to-revision",
                                         help="The revision to go back to (0: the previous).")
         ) -> None:
    """Roll a deployment back to an earlier revision."""
    session = session_of(ctx)
    info, ns, name = _target(session, ref, "undo", ("Deployment",))
    deploy = session.client.get(info, name, ns)
    if get(deploy, "spec", "paused"):
        raise CliError(f'you cannot rollback a paused deployment; resume it first with '
                       f"'tug rollout resume {targets.object_name(info, name)}' and try again")
    sets = [rs for rs in replica_sets(session, deploy) if revision_of(rs)]
    wanted = _wanted(sets, to_revision, name)
    template = copy.deepcopy(get(wanted, "spec", "template") or {})
    if _equal_ignoring_hash(template, get(deploy, "spec", "template") or {}):
        print(f"{targets.object_name(info, name)} skipped rollback (current template already "
              f"matches revision {revision_of(wanted)})")
        return
    (template.get("metadata") or {}).get("labels", {}).pop(HASH_LABEL, None)
    annotations = {k: v for k, v in (get(deploy, "metadata", "annotations") or {}).items()
                   if k in SKIP_ANNOTATIONS}
    annotations.update({k: v for k, v in (get(wanted, "metadata", "annotations") or {}).items()
                        if k not in SKIP_ANNOTATIONS})
    # kubectl's patch, with "add" for the annotations: it replaces them when present and
    # still works on a Deployment that has none
    patch = [{"op": "replace", "path": "/spec/template", "value": template},
             {"op": "add", "path": "/metadata/annotations", "value": annotations}]
    session.client.patch(info, name, patch, ns, patch_type="json")
    print(f"{targets.object_name(info, name)} rolled back")


def _wanted(sets: list[Obj], to_revision: int, name: str) -> Obj:
    if to_revision:
        for rs in sets:
            if revision_of(rs) == to_revision:
                return rs
        raise CliError(f"unable to find specified revision {to_revision} in history")
    if len(sets) < 2:
        raise CliError(f'no rollout history found for deployment "{name}"')
    return sets[-2]


@rollout_app.command("restart", epilog=examples("""
    # Replace every pod of a deployment, rolling
    tug rollout restart deploy/web
"""))
def restart(ctx: typer.Context, ref: list[str] = typer.Argument(..., help="TYPE NAME or TYPE/NAME")
            ) -> None:
    """Restart a deployment's or daemon set's pods with a new rollout."""
    session = session_of(ctx)
    info, ns, name = _target(session, ref, "restart", ("Deployment", "DaemonSet",
                                                       "StatefulSet"))
    obj = session.client.get(info, name, ns)
    if get(obj, "spec", "paused"):
        raise CliError("can't restart paused deployment (run rollout resume first)")
    patch = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": now_rfc3339()}}}}}
    session.client.patch(info, name, patch, ns, patch_type="strategic")
    print(f"{targets.object_name(info, name)} restarted")


def _set_paused(ctx: typer.Context, ref: list[str], paused: bool) -> None:
    session = session_of(ctx)
    verb = "pause" if paused else "resume"
    info, ns, name = _target(session, ref, verb, ("Deployment",))
    obj = session.client.get(info, name, ns)
    if bool(get(obj, "spec", "paused")) == paused:
        raise CliError(f"{targets.object_name(info, name)} is already "
                       f"{'paused' if paused else 'resumed'}")
    session.client.patch(info, name, {"spec": {"paused": paused}}, ns)
    print(f"{targets.object_name(info, name)} {'paused' if paused else 'resumed'}")


@rollout_app.command("pause", epilog=examples("tug rollout pause deploy/web"))
def pause(ctx: typer.Context, ref: list[str] = typer.Argument(..., help="TYPE NAME")) -> None:
    """Pause a deployment's rollouts."""
    _set_paused(ctx, ref, True)


@rollout_app.command("resume", epilog=examples("tug rollout resume deploy/web"))
def resume(ctx: typer.Context, ref: list[str] = typer.Argument(..., help="TYPE NAME")) -> None:
    """Resume a paused deployment."""
    _set_paused(ctx, ref, False)


def register(app: typer.Typer) -> None:
    app.add_typer(rollout_app, epilog=examples("""
        tug rollout status deploy/web
        tug rollout history deploy/web
        tug rollout undo deploy/web --to-revision=1
        tug rollout restart deploy/web
    """))
