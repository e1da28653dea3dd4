"""The pod printer: kubectl's printPod, the one users read most. STATUS is not a field
of the pod but a verdict kubectl derives from the phase, the pod's reason and the state of
every init and app container, in a precise order; getting it wrong shows "Running" for a
crash-looping pod, so this follows printers.go branch by branch.
"""

from __future__ import annotations

from tugboat.apiserver.tables.cells import (
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    get,
    name,
    name_column,
    since,
    timestamp,
)

COLUMNS = (
    name_column(),
    column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "The aggregate status of the containers in this pod."),
    column("Restarts", "The number of times the containers in this pod have been restarted "
                       "and when the last container in this pod has restarted."),
    age_column(),
    column("IP", "podIP address allocated to the pod. Routable at least within the cluster. "
                 "Empty if not yet allocated.", priority=1),
    column("Node", "NodeName indicates in which node this pod is scheduled.", priority=1),
    column("Nominated Node", "nominatedNodeName is set only when this pod preempts other "
                             "pods on the node.", priority=1),
    column("Readiness Gates", "If specified, all readiness gates will be evaluated for pod "
                              "readiness.", priority=1),
)

# The node lifecycle controller's reason for pods on a node that stopped reporting.
NODE_UNREACHABLE_REASON = "NodeLost"


def _restartable(container: Obj | None) -> bool:
    """A sidecar: an init container with restartPolicy Always keeps running beside the app
    containers, so kubectl counts it with them."""
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(pod: Obj, type_: str) -> bool:
    return any(c.get("type") == type_ and c.get("status") == "True"
               for c in get(pod, "status", "conditions") or [])


def _terminated_reason(term: Obj, prefix: str = "") -> str:
    if term.get("reason"):
        return prefix + term["reason"]
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


class RestartTally:
    """A running restart count with the latest lastState.terminated.finishedAt seen."""

    def __init__(self) -> None:
        self.count = 0
        self.last: float | None = None
        self.last_text: str | None = None

    def add(self, status: Obj) -> None:
        self.count += int(status.get("restartCount") or 0)
        finished = get(status, "lastState", "terminated", "finishedAt")
        ts = timestamp(finished)
        if ts is not None and (self.last is None or ts > self.last):
            self.last, self.last_text = ts, finished

    def cell(self, now: float) -> Cell:
        # kubectl 1.32 appends the age of the latest restart when it knows one.
        if self.count and self.last_text:
            return f"{self.count} ({since(self.last_text, now)} ago)"
        return self.count


def _init_reason(pod: Obj, init_specs: dict[str, Obj], restarts: RestartTally,
                 sidecar_restarts: RestartTally) -> tuple[str | None, int, bool]:
    """Walk the init containers as printPod does: the reason they impose (None if none),
    ready sidecars, and whether the pod is still initializing."""
    n_init = len(get(pod, "spec", "initContainers") or [])
    ready = 0
    for i, status in enumerate(get(pod, "status", "initContainerStatuses") or []):
        restarts.add(status)
        spec = init_specs.get(status.get("name", ""))
        if _restartable(spec):
            sidecar_restarts.add(status)
        term = get(status, "state", "terminated")
        waiting_reason = get(status, "state", "waiting", "reason")
        # `terminated: {}` is still a termination (exit code 0), hence the `is not None`s.
        if term is not None and term.get("exitCode", 0) == 0:
            continue
        if _restartable(spec) and status.get("started"):
            ready += 1 if status.get("ready") else 0
            continue
        # The first init container that has neither succeeded nor started as a sidecar
        # decides the status; later ones have not run yet.
        if term is not None:
            return _terminated_reason(term, "Init:"), ready, True
        if waiting_reason and waiting_reason != "PodInitializing":
            return "Init:" + waiting_reason, ready, True
        return f"Init:{i}/{n_init}", ready, True
    return None, ready, False


def pod_status(pod: Obj) -> tuple[str, int, RestartTally]:
    """(STATUS, ready containers, restarts) exactly as printPod derives them."""
    phase = get(pod, "status", "phase") or ""
    reason = get(pod, "status", "reason") or phase
    for cond in get(pod, "status", "conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_specs = {c.get("name", ""): c for c in get(pod, "spec", "initContainers") or []}
    restarts, sidecar_restarts = RestartTally(), RestartTally()
    init_reason, ready, initializing = _init_reason(pod, init_specs, restarts, sidecar_restarts)
    if init_reason is not None:
        reason = init_reason

    if not initializing or _condition_true(pod, "Initialized"):
        # Once initialized only sidecar restarts still count beside the app containers'.
        restarts = sidecar_restarts
        has_running = False
        # Walked last to first so the first container's state wins, as in printPod.
        for status in reversed(get(pod, "status", "containerStatuses") or []):
            restarts.add(status)
            state = status.get("state") or {}
            waiting, term = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif term is not None:
                reason = _terminated_reason(term)
            elif status.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        # A pod whose restartPolicy let one container finish is still running if another is.
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(pod, "Ready") else "NotReady"

    if get(pod, "metadata", "deletionTimestamp"):
        if get(pod, "status", "reason") == NODE_UNREACHABLE_REASON:
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, ready, restarts


def _total_containers(pod: Obj) -> int:
    spec = pod.get("spec") or {}
    sidecars = sum(1 for c in spec.get("initContainers") or [] if _restartable(c))
    return len(spec.get("containers") or []) + sidecars


def _readiness_gates(pod: Obj) -> str:
    gates = get(pod, "spec", "readinessGates") or []
    if not gates:
        return "<none>"
    conditions = {}
    for cond in get(pod, "status", "conditions") or []:
        conditions.setdefault(cond.get("type"), cond.get("status"))
    true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{true}/{len(gates)}"


def _pod_ip(pod: Obj) -> str:
    ips = get(pod, "status", "podIPs") or []
    ip = (ips[0].get("ip") if ips else None) or get(pod, "status", "podIP")
    return ip or "<none>"


def pod_cells(pod: Obj, now: float) -> list[Cell]:
    reason, ready, restarts = pod_status(pod)
    return [
        name(pod),
        f"{ready}/{_total_containers(pod)}",
        reason,
        restarts.cell(now),
        age(pod, now),
        _pod_ip(pod),
        get(pod, "spec", "nodeName") or "<none>",
        get(pod, "status", "nominatedNodeName") or "<none>",
        _readiness_gates(pod),
    ]


def pod_conditions(pod: Obj) -> list[Obj] | None:
    """The Completed row condition kubectl's printer puts on finished pods."""
    phase = get(pod, "status", "phase")
    message = {"Succeeded": "The pod has completed successfully.",
               "Failed": "The pod failed."}.get(phase or "")
    if message is None:
        return None
    return [{"type": "Completed", "status": "True", "reason": phase, "message": message}]


PRINTERS = {"pods": Printer(COLUMNS, pod_cells, pod_conditions)}
