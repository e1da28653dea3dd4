"""Printers for the pod-owning controllers — replication controllers, replica sets,
deployments, daemon sets, stateful sets and jobs (kubectl's printReplicationController,
printReplicaSet, printDeployment, printDaemonSet, printStatefulSet, printJob). They
share the wide Containers/Images tail (and most a Selector), but differ in small ways
kubectl users notice: RC selectors are label maps, the others label selectors; a
deployment or stateful set prints READY as "ready/desired" and an empty selector as ""
rather than "<none>".
"""

from __future__ import annotations

from tugboat.api.durations import human_duration
from tugboat.apiserver.tables.cells import (
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    container_cells,
    format_labels,
    format_selector,
    get,
    name,
    name_column,
    selector_string,
    timestamp,
)

_SELECTOR = "A label query over pods that should match the replica count."


def _replica_columns(kind: str) -> tuple[Obj, ...]:
    return (
        name_column(),
        column("Desired", "Replicas is the number of desired replicas.", type="integer"),
        column("Current", f"Replicas is the most recently observed number of replicas of the "
                          f"{kind}.", type="integer"),
        column("Ready", f"The number of ready replicas for this {kind}.", type="integer"),
        age_column(),
        CONTAINERS_COLUMN,
        IMAGES_COLUMN,
        column("Selector", _SELECTOR, priority=1),
    )


def _desired(obj: Obj) -> int:
    # spec.replicas defaults to 1 when omitted, as the apiserver's defaulting would set it.
    replicas = get(obj, "spec", "replicas")
    return 1 if replicas is None else int(replicas)


def _status_int(obj: Obj, field: str) -> int:
    return int(get(obj, "status", field) or 0)


def _replica_cells(obj: Obj, now: float) -> list[Cell]:
    return [name(obj), _desired(obj), _status_int(obj, "replicas"),
            _status_int(obj, "readyReplicas"), age(obj, now)]


def rc_cells(rc: Obj, now: float) -> list[Cell]:
    return [*_replica_cells(rc, now), *container_cells(rc),
            format_labels(get(rc, "spec", "selector"))]


def replicaset_cells(rs: Obj, now: float) -> list[Cell]:
    return [*_replica_cells(rs, now), *container_cells(rs),
            format_selector(get(rs, "spec", "selector"))]


DEPLOYMENT_COLUMNS = (
    name_column(),
    column("Ready", "Number of the pod with ready state"),
    column("Up-to-date", "Total number of non-terminated pods targeted by this deployment "
                         "that have the desired template spec."),
    column("Available", "Total number of available pods (ready for at least minReadySeconds) "
                        "targeted by this deployment."),
    age_column(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "Label selector for pods.", priority=1),
)


def deployment_cells(deploy: Obj, now: float) -> list[Cell]:
    return [
        name(deploy),
        f"{_status_int(deploy, 'readyReplicas')}/{_desired(deploy)}",
        _status_int(deploy, "updatedReplicas"),
        _status_int(deploy, "availableReplicas"),
        age(deploy, now),
        *container_cells(deploy),
        selector_string(get(deploy, "spec", "selector")),
    ]


DAEMONSET_COLUMNS = (
    name_column(),
    column("Desired", "The total number of nodes that should be running the daemon pod.",
           type="integer"),
    column("Current", "The number of nodes that are running at least 1 daemon pod and are "
                      "supposed to run the daemon pod.", type="integer"),
    column("Ready", "The number of nodes that should be running the daemon pod and have one "
                    "or more of the daemon pod running and ready.", type="integer"),
    column("Up-to-date", "The total number of nodes that are running updated daemon pod",
           type="integer"),
    column("Available", "The number of nodes that should be running the daemon pod and have "
                        "one or more of the daemon pod running and available.",
           type="integer"),
    column("Node Selector", "NodeSelector is a selector which must be true for the pod to "
                            "fit on a node."),
    age_column(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "A label query over pods that are managed by the daemon set.",
           priority=1),
)


def daemonset_cells(ds: Obj, now: float) -> list[Cell]:
    return [
        name(ds),
        _status_int(ds, "desiredNumberScheduled"),
        _status_int(ds, "currentNumberScheduled"),
        _status_int(ds, "numberReady"),
        _status_int(ds, "updatedNumberScheduled"),
        _status_int(ds, "numberAvailable"),
        format_labels(get(ds, "spec", "template", "spec", "nodeSelector")),
        age(ds, now),
        *container_cells(ds),
        format_selector(get(ds, "spec", "selector")),
    ]


STATEFULSET_COLUMNS = (
    name_column(),
    column("Ready", "Number of the pod with ready state"),
    age_column(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
)


def statefulset_cells(sts: Obj, now: float) -> list[Cell]:
    return [name(sts), f"{_status_int(sts, 'readyReplicas')}/{_desired(sts)}", age(sts, now),
            *container_cells(sts)]


JOB_COLUMNS = (
    name_column(),
    column("Status", "Status of the job."),
    column("Completions", "The number of pods which reached phase Succeeded."),
    column("Duration", "Time required to complete the job."),
    age_column(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "A label query over pods that should match the pod count.",
           priority=1),
)


def _job_condition(job: Obj, type_: str) -> bool:
    # hasJobCondition: the first condition of the type decides.
    for cond in get(job, "status", "conditions") or []:
        if cond.get("type") == type_:
            return cond.get("status") == "True"
    return False


def job_status(job: Obj) -> str:
    """kubectl 1.32's Job STATUS, in printJob's precedence order."""
    if _job_condition(job, "Complete"):
        return "Complete"
    if _job_condition(job, "Failed"):
        return "Failed"
    if get(job, "metadata", "deletionTimestamp"):
        return "Terminating"
    for cond in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _job_condition(job, cond):
            return cond
    return "Running"


def _completions(job: Obj) -> str:
    succeeded = _status_int(job, "succeeded")
    completions = get(job, "spec", "completions")
    if completions is not None:
        return f"{succeeded}/{completions}"
    # A work-queue job (no completions) shows its parallelism instead.
    parallelism = get(job, "spec", "parallelism") or 0
    if parallelism > 1:
        return f"{succeeded}/1 of {parallelism}"
    return f"{succeeded}/1"


def _duration(job: Obj, now: float) -> str:
    start = timestamp(get(job, "status", "startTime"))
    if start is None:
        return ""
    end = timestamp(get(job, "status", "completionTime"))
    return human_duration((now if end is None else end) - start)


def job_cells(job: Obj, now: float) -> list[Cell]:
    return [
        name(job),
        job_status(job),
        _completions(job),
        _duration(job, now),
        age(job, now),
        *container_cells(job),
        format_selector(get(job, "spec", "selector")),
    ]


PRINTERS = {
    "replicationcontrollers": Printer(_replica_columns("replication controller"), rc_cells),
    "replicasets": Printer(_replica_columns("ReplicaSet"), replicaset_cells),
    "deployments": Printer(DEPLOYMENT_COLUMNS, deployment_cells),
    "daemonsets": Printer(DAEMONSET_COLUMNS, daemonset_cells),
    "statefulsets": Printer(STATEFULSET_COLUMNS, statefulset_cells),
    "jobs": Printer(JOB_COLUMNS, job_cells),
}
