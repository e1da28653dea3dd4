"""Describe pages of the pod-owning kinds: Deployment (replicas, strategy, conditions, old
and new ReplicaSets), ReplicaSet, ReplicationController, DaemonSet and Job (pod counts by
phase of the pods they control), each followed by its pod template, as kubectl lays them
out."""

from __future__ import annotations

from typing import Any

from tugboat.api.durations import human_duration
from tugboat.api.meta import parse_rfc3339
from tugboat.cli.describe.podspec import describe_pod_template
from tugboat.cli.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    controller_of,
    get,
    labels_multiline,
    rfc1123z,
    selector_text,
)
from tugboat.cli.session import Session

Obj = dict[str, Any]
REVISION = "deployment.kubernetes.io/revision"


def controlled_pods(session: Session, obj: Obj) -> list[Obj]:
    meta = obj.get("metadata") or {}
    selector = selector_text(get(obj, "spec", "selector"))
    if selector == "<none>":
        return []
    reply = session.request("GET", f"/api/v1/namespaces/{meta.get('namespace')}/pods",
                            params={"labelSelector": selector})
    return [p for p in reply.get("items") or []
            if any(r.get("uid") == meta.get("uid") and r.get("controller")
                   for r in get(p, "metadata", "ownerReferences") or [])]


def _pods_status(pods: list[Obj]) -> str:
    phases = [get(p, "status", "phase") for p in pods]
    return (f"{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
            f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed")


def _identity(w: PrefixWriter, obj: Obj, selector: str, *, created: bool = False,
              controlled: bool = True) -> None:
    meta = obj.get("metadata") or {}
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace')}\n")
    if created:
        w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
        labels_multiline(w, "Labels", meta.get("labels"))
        annotations_multiline(w, "Annotations", meta.get("annotations"))
        w.write(0, f"Selector:\t{selector}\n")
        return
    w.write(0, f"Selector:\t{selector}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if controlled and controller_of(obj):
        w.write(0, f"Controlled By:\t{controller_of(obj)}\n")


def _conditions(w: PrefixWriter, obj: Obj) -> None:
    conditions = get(obj, "status", "conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conditions:
            w.write(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason') or ''}\n")


def describe_replica_set(session: Session, w: PrefixWriter, obj: Obj) -> None:
    rc = obj.get("kind") == "ReplicationController"
    _identity(w, obj, selector_text(get(obj, "spec", "selector")), controlled=not rc)
    w.write(0, f"Replicas:\t{get(obj, 'status', 'replicas') or 0} current / "
               f"{get(obj, 'spec', 'replicas') if get(obj, 'spec', 'replicas') is not None else 1}"
               f" desired\n")
    w.write(0, f"Pods Status:\t{_pods_status(controlled_pods(session, obj))}\n")
    describe_pod_template(w, get(obj, "spec", "template"))
    _conditions(w, obj)


def _replica_sets(session: Session, deploy: Obj) -> tuple[list[Obj], Obj | None]:
    meta = deploy.get("metadata") or {}
    reply = session.request("GET", f"/apis/apps/v1/namespaces/{meta.get('namespace')}/replicasets")
    owned = [rs for rs in reply.get("items") or []
             if any(r.get("uid") == meta.get("uid") and r.get("controller")
                    for r in get(rs, "metadata", "ownerReferences") or [])]
    owned.sort(key=lambda rs: int(get(rs, "metadata", "annotations", REVISION) or 0))
    if not owned:
        return [], None
    return [rs for rs in owned[:-1] if get(rs, "status", "replicas")], owned[-1]


def _rs_list(sets: list[Obj]) -> str:
    return ", ".join(f"{get(rs, 'metadata', 'name')} ({get(rs, 'status', 'replicas') or 0}/"
                     f"{get(rs, 'spec', 'replicas') or 0} replicas created)"
                     for rs in sets) or "<none>"


def describe_deployment(session: Session, w: PrefixWriter, obj: Obj) -> None:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    _identity(w, obj, selector_text(spec.get("selector")), created=True)
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | "
               f"{status.get('updatedReplicas', 0)} updated | {status.get('replicas', 0)} total "
               f"| {status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type') or 'RollingUpdate'}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds') or 0}\n")
    if strategy.get("type", "RollingUpdate") == "RollingUpdate":
        ru = strategy.get("rollingUpdate") or {}
        w.write(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', '25%')} max unavailable, "
                   f"{ru.get('maxSurge', '25%')} max surge\n")
    describe_pod_template(w, spec.get("template"))
    _conditions(w, obj)
    old, new = _replica_sets(session, obj)
    w.write(0, f"OldReplicaSets:\t{_rs_list(old)}\n")
    w.write(0, f"NewReplicaSet:\t{_rs_list([new] if new else [])}\n")


def describe_daemon_set(session: Session, w: PrefixWriter, obj: Obj) -> None:
    meta, status = obj.get("metadata") or {}, obj.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Selector:\t{selector_text(get(obj, 'spec', 'selector'))}\n")
    node_selector = get(obj, "spec", "template", "spec", "nodeSelector") or {}
    w.write(0, f"Node-Selector:\t{selector_text(node_selector)}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    for title, key in (("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
                       ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
                       ("Number of Nodes Scheduled with Up-to-date Pods",
                        "updatedNumberScheduled"),
                       ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
                       ("Number of Nodes Misscheduled", "numberMisscheduled")):
        w.write(0, f"{title}: {status.get(key, 0)}\n")
    w.write(0, f"Pods Status:\t{_pods_status(controlled_pods(session, obj))}\n")
    describe_pod_template(w, get(obj, "spec", "template"))


def describe_job(session: Session, w: PrefixWriter, obj: Obj) -> None:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    _identity(w, obj, selector_text(spec.get("selector")))
    if spec.get("parallelism") is not None:
        w.write(0, f"Parallelism:\t{spec['parallelism']}\n")
    w.write(0, f"Completions:\t{spec.get('completions', '<unset>')}\n")
    w.write(0, f"Completion Mode:\t{spec.get('completionMode') or 'NonIndexed'}\n")
    w.write(0, f"Suspend:\t{str(bool(spec.get('suspend'))).lower()}\n")
    w.write(0, f"Backoff Limit:\t{spec.get('backoffLimit', 6)}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    if status.get("completionTime") and status.get("startTime"):
        took = (parse_rfc3339(status["completionTime"]) - parse_rfc3339(status["startTime"]))
        w.write(0, f"Completed At:\t{rfc1123z(status['completionTime'])}\n")
        w.write(0, f"Duration:\t{human_duration(took.total_seconds())}\n")
    if spec.get("activeDeadlineSeconds") is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    ready = f" ({status['ready']} Ready)" if status.get("ready") is not None else ""
    w.write(0, f"Pods Statuses:\t{status.get('active', 0)} Active{ready} / "
               f"{status.get('succeeded', 0)} Succeeded / {status.get('failed', 0)} Failed\n")
    describe_pod_template(w, spec.get("template"))
