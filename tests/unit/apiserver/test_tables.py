"""Server-side Tables: each printer's cells against what kubectl's printers.go prints for
the same object, with the clock pinned so ages are exact."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tugboat.apiserver.tables import PRINTERS, column_definitions, to_row, to_table

NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.timezone.utc).timestamp()


def ago(seconds: float) -> str:
    """An RFC 3339 timestamp `seconds` before NOW."""
    when = dt.datetime.fromtimestamp(NOW - seconds, dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, age: float = 300, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "default", "uid": f"uid-{name}",
            "resourceVersion": "7", "creationTimestamp": ago(age), **extra}


def cells(resource: str, obj: dict[str, Any]) -> list[Any]:
    return to_row(resource, obj, now=NOW)["cells"]


def columns(resource: str) -> list[tuple[str, int]]:
    return [(c["name"], c["priority"]) for c in column_definitions(resource)]


# --- pods -------------------------------------------------------------------------------

RUNNING = {"running": {"startedAt": ago(290)}}


def pod(*statuses: dict[str, Any], phase: str = "Running", init: list[dict] | None = None,
        init_statuses: list[dict] | None = None, containers: int | None = None,
        **status: Any) -> dict[str, Any]:
    n = len(statuses) if containers is None else containers
    spec: dict[str, Any] = {"nodeName": "node-1",
                            "containers": [{"name": f"c{i}", "image": "nginx"} for i in range(n)]}
    if init is not None:
        spec["initContainers"] = init
    st: dict[str, Any] = {"phase": phase, "podIP": "10.1.0.5",
                          "podIPs": [{"ip": "10.1.0.5"}], **status}
    st["containerStatuses"] = [{"name": f"c{i}", "restartCount": 0, **s}
                               for i, s in enumerate(statuses)]
    if init_statuses is not None:
        st["initContainerStatuses"] = init_statuses
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta("nginx"), "spec": spec,
            "status": st}


def waiting(reason: str) -> dict[str, Any]:
    return {"state": {"waiting": {"reason": reason}}, "ready": False}


def terminated(reason: str = "", exit_code: int = 0, signal: int = 0) -> dict[str, Any]:
    term: dict[str, Any] = {"exitCode": exit_code, "finishedAt": ago(60)}
    if reason:
        term["reason"] = reason
    if signal:
        term["signal"] = signal
    return {"state": {"terminated": term}, "ready": False}


READY = {"state": RUNNING, "ready": True, "started": True}
NOT_READY = {"state": RUNNING, "ready": False, "started": True}
INIT_C = [{"name": "init", "image": "busybox"}]


def init_status(state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": "init", "restartCount": 0, "ready": False, "state": state, **extra}


def deleting(p: dict[str, Any]) -> dict[str, Any]:
    p["metadata"]["deletionTimestamp"] = ago(10)
    return p


POD_STATUS_CASES = {
    "running": (pod(READY), "1/1", "Running"),
    "pending unscheduled": (pod(phase="Pending", containers=1), "0/1", "Pending"),
    "container creating": (pod(waiting("ContainerCreating"), phase="Pending"), "0/1",
                           "ContainerCreating"),
    "crash loop": (pod(waiting("CrashLoopBackOff")), "0/1", "CrashLoopBackOff"),
    "image pull backoff": (pod(waiting("ImagePullBackOff"), phase="Pending"), "0/1",
                           "ImagePullBackOff"),
    "err image pull": (pod(waiting("ErrImagePull"), phase="Pending"), "0/1", "ErrImagePull"),
    "completed": (pod(terminated("Completed"), phase="Succeeded"), "0/1", "Completed"),
    "error": (pod(terminated("Error", 1), phase="Failed"), "0/1", "Error"),
    "oom killed": (pod(terminated("OOMKilled", 137)), "0/1", "OOMKilled"),
    "signal": (pod(terminated(exit_code=137, signal=9)), "0/1", "Signal:9"),
    "exit code": (pod(terminated(exit_code=3), phase="Failed"), "0/1", "ExitCode:3"),
    "terminated without fields": (pod({"state": {"terminated": {}}}), "0/1", "ExitCode:0"),
    "one of two ready": (pod(READY, NOT_READY), "1/2", "Running"),
    "first container's state wins": (pod(waiting("CrashLoopBackOff"), waiting("ErrImagePull")),
                                     "0/2", "CrashLoopBackOff"),
    "completed sidecar-less but one still running and ready":
        (pod(terminated("Completed"), READY,
             conditions=[{"type": "Ready", "status": "True"}]), "1/2", "Running"),
    "completed and one running but pod not ready":
        (pod(terminated("Completed"), READY), "1/2", "NotReady"),
    "pod reason wins over phase": (pod(phase="Failed", reason="Evicted", containers=1),
                                   "0/1", "Evicted"),
    "scheduling gated": (pod(phase="Pending", containers=1, conditions=[
        {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]),
                         "0/1", "SchedulingGated"),
    "init running": (pod(waiting("PodInitializing"), phase="Pending", init=INIT_C,
                         init_statuses=[init_status(RUNNING)]), "0/1", "Init:0/1"),
    "init waiting PodInitializing": (
        pod(waiting("PodInitializing"), phase="Pending", init=INIT_C,
            init_statuses=[init_status({"waiting": {"reason": "PodInitializing"}})]),
        "0/1", "Init:0/1"),
    "second of two init containers": (
        pod(phase="Pending", containers=1,
            init=[{"name": "a", "image": "x"}, {"name": "b", "image": "x"}],
            init_statuses=[{"name": "a", "restartCount": 0,
                            "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                           {"name": "b", "restartCount": 0, "state": RUNNING}]),
        "0/1", "Init:1/2"),
    "init crash loop": (pod(phase="Pending", containers=1, init=INIT_C, init_statuses=[
        init_status({"waiting": {"reason": "CrashLoopBackOff"}})]), "0/1",
                        "Init:CrashLoopBackOff"),
    "init error": (pod(phase="Pending", containers=1, init=INIT_C, init_statuses=[
        init_status({"terminated": {"exitCode": 1, "reason": "Error"}})]), "0/1", "Init:Error"),
    "init exit code": (pod(phase="Pending", containers=1, init=INIT_C, init_statuses=[
        init_status({"terminated": {"exitCode": 2}})]), "0/1", "Init:ExitCode:2"),
    "init signal": (pod(phase="Pending", containers=1, init=INIT_C, init_statuses=[
        init_status({"terminated": {"exitCode": 137, "signal": 9}})]), "0/1",
                    "Init:Signal:9"),
    "init done, app running": (pod(READY, init=INIT_C, init_statuses=[
        init_status({"terminated": {"exitCode": 0, "reason": "Completed"}})]), "1/1",
                               "Running"),
    "sidecar started and ready": (
        pod(READY, init=[{"name": "init", "image": "envoy", "restartPolicy": "Always"}],
            init_statuses=[init_status(RUNNING, ready=True, started=True)],
            conditions=[{"type": "Initialized", "status": "True"}]),
        "2/2", "Running"),
    "terminating": (deleting(pod(READY)), "1/1", "Terminating"),
    "node lost": (deleting(pod(READY, reason="NodeLost")), "1/1", "Unknown"),
    "finished pods do not show Terminating": (
        deleting(pod(terminated("Completed"), phase="Succeeded")), "0/1", "Completed"),
}


@pytest.mark.parametrize("case", POD_STATUS_CASES, ids=list(POD_STATUS_CASES))
def test_pod_ready_and_status(case: str) -> None:
    obj, ready, status = POD_STATUS_CASES[case]
    got = cells("pods", obj)
    assert (got[1], got[2]) == (ready, status)


def test_pod_full_row_matches_kubectl() -> None:
    assert cells("pods", pod(READY)) == [
        "nginx", "1/1", "Running", 0, "5m", "10.1.0.5", "node-1", "<none>", "<none>"]
    assert columns("pods") == [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0),
                               ("Age", 0), ("IP", 1), ("Node", 1), ("Nominated Node", 1),
                               ("Readiness Gates", 1)]


def test_pod_unscheduled_wide_cells() -> None:
    p = pod(phase="Pending", containers=1)
    del p["spec"]["nodeName"], p["status"]["podIP"], p["status"]["podIPs"]
    assert cells("pods", p)[5:] == ["<none>", "<none>", "<none>", "<none>"]


def test_pod_ip_falls_back_to_pod_ip() -> None:
    p = pod(READY)
    del p["status"]["podIPs"]
    assert cells("pods", p)[5] == "10.1.0.5"


def test_pod_nominated_node_and_readiness_gates() -> None:
    p = pod(READY, nominatedNodeName="node-2", conditions=[
        {"type": "example.com/lb", "status": "True"},
        {"type": "example.com/dns", "status": "False"}])
    p["spec"]["readinessGates"] = [{"conditionType": "example.com/lb"},
                                   {"conditionType": "example.com/dns"}]
    assert cells("pods", p)[7:] == ["node-2", "1/2"]


RESTART_CASES = {
    "none": ([READY], 0),
    "count without a finish time": ([{**READY, "restartCount": 2}], 2),
    "with last termination": (
        [{**READY, "restartCount": 3,
          "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(300)}}}],
        "3 (5m ago)"),
    "summed, latest finish wins": (
        [{**READY, "restartCount": 1,
          "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(7200)}}},
         {**READY, "restartCount": 4,
          "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(95)}}}],
        "5 (95s ago)"),
}


@pytest.mark.parametrize("case", RESTART_CASES, ids=list(RESTART_CASES))
def test_pod_restarts(case: str) -> None:
    statuses, want = RESTART_CASES[case]
    assert cells("pods", pod(*statuses))[3] == want


def test_pod_init_restarts_count_only_while_initializing() -> None:
    init = init_status({"waiting": {"reason": "CrashLoopBackOff"}}, restartCount=4,
                       lastState={"terminated": {"exitCode": 1, "finishedAt": ago(30)}})
    p = pod(phase="Pending", containers=1, init=INIT_C, init_statuses=[init])
    assert cells("pods", p)[3] == "4 (30s ago)"


def test_pod_row_conditions_mark_finished_pods() -> None:
    done = to_row("pods", pod(terminated("Completed"), phase="Succeeded"), now=NOW)
    assert done["conditions"] == [{"type": "Completed", "status": "True",
                                   "reason": "Succeeded",
                                   "message": "The pod has completed successfully."}]
    assert "conditions" not in to_row("pods", pod(READY), now=NOW)


# --- nodes ------------------------------------------------------------------------------

def node(ready: str | None = "True", unschedulable: bool = False,
         labels: dict[str, str] | None = None, info: dict[str, str] | None = None,
         addresses: list[dict[str, str]] | None = None) -> dict[str, Any]:
    conditions = [{"type": "MemoryPressure", "status": "False"}]
    if ready is not None:
        conditions.append({"type": "Ready", "status": ready})
    return {
        "kind": "Node", "apiVersion": "v1",
        "metadata": {"name": "node-1", "creationTimestamp": ago(3 * 86400 + 5 * 3600),
                     "labels": labels or {"kubernetes.io/hostname": "node-1"}},
        "spec": {"unschedulable": True} if unschedulable else {},
        "status": {"conditions": conditions,
                   "addresses": addresses if addresses is not None else [
                       {"type": "InternalIP", "address": "172.18.0.2"},
                       {"type": "Hostname", "address": "node-1"}],
                   "nodeInfo": info if info is not None else {
                       "kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12",
                       "kernelVersion": "6.1.0", "containerRuntimeVersion": "docker://27.0.0"}},
    }


NODE_CASES = {
    "ready": (node(), ["node-1", "Ready", "<none>", "3d5h", "v1.32.0", "172.18.0.2", "<none>",
                       "Debian GNU/Linux 12", "6.1.0", "docker://27.0.0"]),
    "not ready": (node("False"), None),
    "unknown condition status": (node("Unknown"), None),
    "no ready condition": (node(None), None),
    "cordoned": (node(unschedulable=True), None),
    "roles": (node(labels={"node-role.kubernetes.io/control-plane": "",
                           "node-role.kubernetes.io/": "", "kubernetes.io/role": "master",
                           "node-role.kubernetes.io/etcd": ""}), None),
    "empty node info": (node(info={}, addresses=[
        {"type": "ExternalIP", "address": "203.0.113.9"}]), None),
}
NODE_WANT = {
    "not ready": {1: "NotReady"},
    "unknown condition status": {1: "NotReady"},
    "no ready condition": {1: "Unknown"},
    "cordoned": {1: "Ready,SchedulingDisabled"},
    "roles": {2: "control-plane,etcd,master"},
    "empty node info": {4: "", 5: "<none>", 6: "203.0.113.9", 7: "<unknown>", 8: "<unknown>",
                        9: "<unknown>"},
}


@pytest.mark.parametrize("case", NODE_CASES, ids=list(NODE_CASES))
def test_node_cells(case: str) -> None:
    obj, full = NODE_CASES[case]
    got = cells("nodes", obj)
    if full is not None:
        assert got == full
    for index, want in NODE_WANT.get(case, {}).items():
        assert got[index] == want


def test_node_columns() -> None:
    assert columns("nodes") == [("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0),
                                ("Version", 0), ("Internal-IP", 1), ("External-IP", 1),
                                ("OS-Image", 1), ("Kernel-Version", 1),
                                ("Container-Runtime", 1)]


# --- events -----------------------------------------------------------------------------

def event(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "Event", "apiVersion": "v1",
        "metadata": meta("nginx.17c1", age=600),
        "involvedObject": {"kind": "Pod", "name": "nginx", "namespace": "default",
                           "fieldPath": "spec.containers{nginx}"},
        "type": "Normal", "reason": "Pulled", "message": "Successfully pulled image\n",
        **fields,
    }


EVENT_CASES = {
    "legacy timestamps": (
        event(firstTimestamp=ago(600), lastTimestamp=ago(30), count=4,
              source={"component": "kubelet", "host": "node-1"}),
        ["30s", "Normal", "Pulled", "pod/nginx", "spec.containers{nginx}", "kubelet, node-1",
         "Successfully pulled image", "10m", 4, "nginx.17c1"]),
    "only first timestamp": (
        event(firstTimestamp=ago(125), source={"component": "default-scheduler"}),
        ["2m5s", "Normal", "Pulled", "pod/nginx", "spec.containers{nginx}",
         "default-scheduler", "Successfully pulled image", "2m5s", 1, "nginx.17c1"]),
    "events.k8s.io style": (
        # 60.5s ago: a MicroTime, truncated to whole seconds as Go's HumanDuration does.
        event(eventTime="2024-05-01T11:58:59.500000Z", reportingController="kubelet",
              reportingInstance="node-2"),
        ["60s", "Normal", "Pulled", "pod/nginx", "spec.containers{nginx}", "kubelet, node-2",
         "Successfully pulled image", "60s", 1, "nginx.17c1"]),
    "series": (
        event(eventTime=ago(3600), series={"count": 7, "lastObservedTime": ago(5)}),
        ["5s", "Normal", "Pulled", "pod/nginx", "spec.containers{nginx}", "",
         "Successfully pulled image", "60m", 7, "nginx.17c1"]),
    "no timestamps, object without name": (
        event(involvedObject={"kind": "Node"}),
        ["<unknown>", "Normal", "Pulled", "node", "", "", "Successfully pulled image",
         "<unknown>", 1, "nginx.17c1"]),
}


@pytest.mark.parametrize("case", EVENT_CASES, ids=list(EVENT_CASES))
def test_event_cells(case: str) -> None:
    obj, want = EVENT_CASES[case]
    assert cells("events", obj) == want


def test_event_columns_put_wide_ones_where_kubectl_does() -> None:
    assert columns("events") == [("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0),
                                 ("Subobject", 1), ("Source", 1), ("Message", 0),
                                 ("First Seen", 1), ("Count", 1), ("Name", 1)]


# --- workloads --------------------------------------------------------------------------

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"},
                                    {"name": "log", "image": "busybox"}]}}
SELECTOR = {"matchLabels": {"app": "web", "tier": "fe"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]}


def workload(kind: str, spec: dict[str, Any], status: dict[str, Any], age: float = 7200,
             **metadata: Any) -> dict[str, Any]:
    return {"kind": kind, "metadata": meta("web", age=age, **metadata),
            "spec": {"template": TEMPLATE, **spec}, "status": status}


WORKLOAD_CASES = {
    "rc": ("replicationcontrollers",
           workload("ReplicationController", {"replicas": 3, "selector": {"app": "web"}},
                    {"replicas": 3, "readyReplicas": 2}),
           ["web", 3, 3, 2, "120m", "web,log", "nginx:1.25,busybox", "app=web"]),
    "rc fresh": ("replicationcontrollers",
                 workload("ReplicationController", {}, {}, age=30),
                 ["web", 1, 0, 0, "30s", "web,log", "nginx:1.25,busybox", "<none>"]),
    "replicaset": ("replicasets",
                   workload("ReplicaSet", {"replicas": 2, "selector": SELECTOR},
                            {"replicas": 2, "readyReplicas": 2}),
                   ["web", 2, 2, 2, "120m", "web,log", "nginx:1.25,busybox",
                    "app=web,!canary,env in (dev,prod),tier=fe"]),
    "deployment": ("deployments",
                   workload("Deployment", {"replicas": 3,
                                           "selector": {"matchLabels": {"app": "web"}}},
                            {"readyReplicas": 2, "updatedReplicas": 3,
                             "availableReplicas": 2}, age=4 * 3600 + 600),
                   ["web", "2/3", 3, 2, "4h10m", "web,log", "nginx:1.25,busybox", "app=web"]),
    "deployment without status or selector": (
        "deployments", workload("Deployment", {"replicas": 0}, {}),
        ["web", "0/0", 0, 0, "120m", "web,log", "nginx:1.25,busybox", ""]),
    "daemonset": ("daemonsets",
                  workload("DaemonSet", {"selector": {"matchLabels": {"app": "web"}},
                                         "template": {**TEMPLATE, "spec": {
                                             **TEMPLATE["spec"],
                                             "nodeSelector": {"kubernetes.io/os": "linux"}}}},
                           {"desiredNumberScheduled": 3, "currentNumberScheduled": 3,
                            "numberReady": 2, "updatedNumberScheduled": 3,
                            "numberAvailable": 2}),
                  ["web", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "120m", "web,log",
                   "nginx:1.25,busybox", "app=web"]),
    "daemonset no node selector": (
        "daemonsets", workload("DaemonSet", {}, {}),
        ["web", 0, 0, 0, 0, 0, "<none>", "120m", "web,log", "nginx:1.25,busybox", "<none>"]),
}


@pytest.mark.parametrize("case", WORKLOAD_CASES, ids=list(WORKLOAD_CASES))
def test_workload_cells(case: str) -> None:
    resource, obj, want = WORKLOAD_CASES[case]
    assert cells(resource, obj) == want


def test_workload_columns() -> None:
    rc = [("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0), ("Age", 0),
          ("Containers", 1), ("Images", 1), ("Selector", 1)]
    assert columns("replicationcontrollers") == rc
    assert columns("replicasets") == rc
    assert columns("deployments") == [("Name", 0), ("Ready", 0), ("Up-to-date", 0),
                                      ("Available", 0), ("Age", 0), ("Containers", 1),
                                      ("Images", 1), ("Selector", 1)]
    assert columns("daemonsets") == [("Name", 0), ("Desired", 0), ("Current", 0), ("Ready", 0),
                                     ("Up-to-date", 0), ("Available", 0),
                                     ("Node Selector", 0), ("Age", 0), ("Containers", 1),
                                     ("Images", 1), ("Selector", 1)]
    assert columns("jobs") == [("Name", 0), ("Status", 0), ("Completions", 0),
                               ("Duration", 0), ("Age", 0), ("Containers", 1), ("Images", 1),
                               ("Selector", 1)]
    assert column_definitions("replicasets")[1]["type"] == "integer"


JOB_SELECTOR = {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}}


def job(spec: dict[str, Any], status: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return workload("Job", {"selector": JOB_SELECTOR, **spec}, status, age=600, **metadata)


def cond(type_: str, status: str = "True") -> dict[str, str]:
    return {"type": type_, "status": status}


JOB_CASES = {
    "running": (job({"completions": 3, "parallelism": 1},
                    {"succeeded": 1, "startTime": ago(300)}), "Running", "1/3", "5m"),
    "complete": (job({"completions": 1},
                     {"succeeded": 1, "startTime": ago(600), "completionTime": ago(590),
                      "conditions": [cond("SuccessCriteriaMet"), cond("Complete")]}),
                 "Complete", "1/1", "10s"),
    "failed": (job({"completions": 1}, {"failed": 1, "startTime": ago(200),
                                        "completionTime": ago(100),
                                        "conditions": [cond("FailureTarget"),
                                                       cond("Failed")]}),
               "Failed", "0/1", "100s"),
    "not started": (job({"completions": 1}, {}), "Running", "0/1", ""),
    "suspended": (job({"completions": 2, "suspend": True},
                      {"conditions": [cond("Suspended")]}), "Suspended", "0/2", ""),
    "condition false does not count": (
        job({"completions": 1}, {"conditions": [cond("Suspended", "False")]}),
        "Running", "0/1", ""),
    "failure target": (job({"completions": 1}, {"conditions": [cond("FailureTarget")]}),
                       "FailureTarget", "0/1", ""),
    "success criteria met": (
        job({"completions": 1}, {"conditions": [cond("SuccessCriteriaMet")]}),
        "SuccessCriteriaMet", "0/1", ""),
    "terminating": (job({"completions": 1}, {}, deletionTimestamp=ago(1)),
                    "Terminating", "0/1", ""),
    "work queue": (job({"parallelism": 4}, {"succeeded": 2}), "Running", "2/1 of 4", ""),
    "no completions, no parallelism": (job({}, {}), "Running", "0/1", ""),
}


@pytest.mark.parametrize("case", JOB_CASES, ids=list(JOB_CASES))
def test_job_cells(case: str) -> None:
    obj, status, completions, duration = JOB_CASES[case]
    assert cells("jobs", obj) == [
        "web", status, completions, duration, "10m", "web,log", "nginx:1.25,busybox",
        "batch.kubernetes.io/controller-uid=u1"]


# --- services and endpoints -------------------------------------------------------------

def service(spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": "Service", "metadata": meta("web", age=86400 * 100),
            "spec": spec, "status": status or {}}


SERVICE_CASES = {
    "cluster ip": (service({"type": "ClusterIP", "clusterIP": "10.96.0.10",
                            "clusterIPs": ["10.96.0.10"], "selector": {"app": "web"},
                            "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080},
                                      {"port": 53, "protocol": "UDP"}]}),
                   ["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "100d",
                    "app=web"]),
    "node port": (service({"type": "NodePort", "clusterIP": "10.96.0.11",
                           "externalIPs": ["198.51.100.1"],
                           "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}),
                  ["web", "NodePort", "10.96.0.11", "198.51.100.1", "80:30080/TCP", "100d",
                   "<none>"]),
    "headless, defaults": (service({"clusterIP": "None", "ports": [{"port": 80}]}),
                           ["web", "ClusterIP", "None", "<none>", "80/TCP", "100d",
                            "<none>"]),
    "load balancer pending": (
        service({"type": "LoadBalancer", "clusterIPs": ["10.96.0.12"],
                 "ports": [{"port": 443, "nodePort": 31443, "protocol": "TCP"}]}),
        ["web", "LoadBalancer", "10.96.0.12", "<pending>", "443:31443/TCP", "100d",
         "<none>"]),
    "load balancer with ingress": (
        service({"type": "LoadBalancer", "clusterIPs": ["10.96.0.12"],
                 "externalIPs": ["198.51.100.1"]},
                {"loadBalancer": {"ingress": [{"ip": "203.0.113.5"},
                                              {"hostname": "lb.example.com"}]}}),
        ["web", "LoadBalancer", "10.96.0.12", "203.0.113.5,lb.example.com,198.51.100.1",
         "<none>", "100d", "<none>"]),
    "external name": (service({"type": "ExternalName", "externalName": "db.example.com"}),
                      ["web", "ExternalName", "<none>", "db.example.com", "<none>", "100d",
                       "<none>"]),
}


@pytest.mark.parametrize("case", SERVICE_CASES, ids=list(SERVICE_CASES))
def test_service_cells(case: str) -> None:
    obj, want = SERVICE_CASES[case]
    assert cells("services", obj) == want


def test_service_columns() -> None:
    assert columns("services") == [("Name", 0), ("Type", 0), ("Cluster-IP", 0),
                                   ("External-IP", 0), ("Port(s)", 0), ("Age", 0),
                                   ("Selector", 1)]


def endpoints(*subsets: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Endpoints", "metadata": meta("web"), "subsets": list(subsets)}


def addrs(*ips: str) -> list[dict[str, str]]:
    return [{"ip": ip} for ip in ips]


ENDPOINTS_CASES = {
    "none": (endpoints(), "<none>"),
    "two": (endpoints({"addresses": addrs("10.0.0.1", "10.0.0.2"),
                       "notReadyAddresses": addrs("10.0.0.9"), "ports": [{"port": 80}]}),
            "10.0.0.1:80,10.0.0.2:80"),
    "more than three": (endpoints({"addresses": addrs("10.0.0.1", "10.0.0.2", "10.0.0.3"),
                                   "ports": [{"port": 80}, {"port": 443}]}),
                        "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more..."),
    "headless without ports": (endpoints({"addresses": addrs("10.0.0.1")}), "10.0.0.1"),
    "ipv6": (endpoints({"addresses": addrs("fd00::1"), "ports": [{"port": 80}]}),
             "[fd00::1]:80"),
    "only not-ready addresses": (endpoints({"notReadyAddresses": addrs("10.0.0.9"),
                                            "ports": [{"port": 80}]}), ""),
}


@pytest.mark.parametrize("case", ENDPOINTS_CASES, ids=list(ENDPOINTS_CASES))
def test_endpoints_cells(case: str) -> None:
    obj, want = ENDPOINTS_CASES[case]
    assert cells("endpoints", obj) == ["web", want, "5m"]


# --- the small ones ---------------------------------------------------------------------

SIMPLE_CASES = {
    "namespace": ("namespaces", {"metadata": meta("dev", age=45 * 60),
                                 "status": {"phase": "Active"}}, ["dev", "Active", "45m"]),
    "namespace terminating": ("namespaces", {"metadata": meta("old"),
                                             "status": {"phase": "Terminating"}},
                              ["old", "Terminating", "5m"]),
    "configmap": ("configmaps", {"metadata": meta("cfg"), "data": {"a": "1", "b": "2"},
                                 "binaryData": {"c": "AA=="}}, ["cfg", 3, "5m"]),
    "empty configmap": ("configmaps", {"metadata": meta("kube-root-ca.crt")},
                        ["kube-root-ca.crt", 0, "5m"]),
    "secret": ("secrets", {"metadata": meta("tls"), "type": "kubernetes.io/tls",
                           "data": {"tls.crt": "eA==", "tls.key": "eQ=="}},
               ["tls", "kubernetes.io/tls", 2, "5m"]),
    "secret defaults to Opaque": ("secrets", {"metadata": meta("s"), "data": {"a": "eA=="},
                                              "stringData": {"a": "x", "b": "y"}},
                                  ["s", "Opaque", 2, "5m"]),
    "lease": ("leases", {"metadata": meta("kube-scheduler"),
                         "spec": {"holderIdentity": "sched-1_abc", "leaseDurationSeconds": 15}},
              ["kube-scheduler", "sched-1_abc", "5m"]),
    "lease unheld": ("leases", {"metadata": meta("x"), "spec": {}}, ["x", "", "5m"]),
    "unknown resource": ("widgets", {"metadata": meta("w", age=8 * 365 * 86400 + 86400)},
                         ["w", "8y"]),
}


@pytest.mark.parametrize("case", SIMPLE_CASES, ids=list(SIMPLE_CASES))
def test_simple_cells(case: str) -> None:
    resource, obj, want = SIMPLE_CASES[case]
    assert cells(resource, obj) == want


def test_simple_columns() -> None:
    assert columns("namespaces") == [("Name", 0), ("Status", 0), ("Age", 0)]
    assert columns("configmaps") == [("Name", 0), ("Data", 0), ("Age", 0)]
    assert columns("secrets") == [("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)]
    assert columns("leases") == [("Name", 0), ("Holder", 0), ("Age", 0)]
    assert columns("widgets") == [("Name", 0), ("Age", 0)]
    assert columns("pods.metrics.k8s.io") == [("Name", 0), ("Age", 0)]


# --- horizontal pod autoscalers ---------------------------------------------------------

def hpa(metrics: list[dict], current: list[dict] | None = None,
        min_replicas: int | None = 1) -> dict[str, Any]:
    spec: dict[str, Any] = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                               "name": "web"},
                            "maxReplicas": 10, "metrics": metrics}
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    status: dict[str, Any] = {"currentReplicas": 3, "desiredReplicas": 3}
    if current is not None:
        status["currentMetrics"] = current
    return {"kind": "HorizontalPodAutoscaler", "metadata": meta("web"), "spec": spec,
            "status": status}


CPU_80 = {"type": "Resource",
          "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                 "averageUtilization": 80}}}
CPU_AT_50 = {"type": "Resource",
             "resource": {"name": "cpu", "current": {"averageUtilization": 50,
                                                     "averageValue": "250m"}}}
MEM_AVG = {"type": "Resource",
           "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                     "averageValue": "500Mi"}}}
PODS_QPS = {"type": "Pods", "pods": {"metric": {"name": "qps"},
                                     "target": {"type": "AverageValue", "averageValue": "10"}}}
EXTERNAL = {"type": "External", "external": {"metric": {"name": "queue"},
                                             "target": {"type": "Value", "value": "30"}}}
OBJECT_AVG = {"type": "Object", "object": {"metric": {"name": "rps"},
                                           "target": {"type": "AverageValue",
                                                      "averageValue": "5"}}}

HPA_CASES = {
    "cpu measured": (hpa([CPU_80], [CPU_AT_50]), "cpu: 50%/80%"),
    "cpu not yet measured": (hpa([CPU_80]), "cpu: <unknown>/80%"),
    "no metrics": (hpa([]), "<none>"),
    "average value": (hpa([MEM_AVG], [{"type": "Resource", "resource": {
        "name": "memory", "current": {"averageValue": "300Mi"}}}]), "memory: 300Mi/500Mi"),
    "pods": (hpa([PODS_QPS], [{"type": "Pods", "pods": {"current": {"averageValue": "7"}}}]),
             "7/10"),
    "external": (hpa([EXTERNAL]), "<unknown>/30"),
    "object average": (hpa([OBJECT_AVG], [{"type": "Object", "object": {
        "current": {"averageValue": "2"}}}]), "2/5 (avg)"),
    "more than two": (hpa([CPU_80, MEM_AVG, PODS_QPS, EXTERNAL], [CPU_AT_50]),
                      "cpu: 50%/80%, memory: <unknown>/500Mi + 2 more..."),
    "unknown type": (hpa([{"type": "Bogus"}]), "<unknown type>"),
}


@pytest.mark.parametrize("case", HPA_CASES, ids=list(HPA_CASES))
def test_hpa_targets(case: str) -> None:
    obj, targets = HPA_CASES[case]
    assert cells("horizontalpodautoscalers", obj) == [
        "web", "Deployment/web", targets, "1", 10, 3, "5m"]


def test_hpa_min_unset_and_columns() -> None:
    assert cells("horizontalpodautoscalers", hpa([CPU_80], min_replicas=None))[3] == "<unset>"
    assert columns("horizontalpodautoscalers") == [
        ("Name", 0), ("Reference", 0), ("Targets", 0), ("MinPods", 0), ("MaxPods", 0),
        ("Replicas", 0), ("Age", 0)]


# --- the Table --------------------------------------------------------------------------

def test_table_shape_and_partial_object_metadata() -> None:
    p = pod(READY)
    p["metadata"]["labels"] = {"app": "web"}
    table = to_table("pods", [p], list_resource_version="105", now=NOW)
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"] == {"resourceVersion": "105"}
    assert table["columnDefinitions"] == column_definitions("pods")
    assert table["rows"] == [{
        "cells": ["nginx", "1/1", "Running", 0, "5m", "10.1.0.5", "node-1", "<none>",
                  "<none>"],
        "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                   "metadata": p["metadata"]},
    }]


def test_table_include_object_policies() -> None:
    cm = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta("cfg"), "data": {"a": "1"}}
    whole = to_table("configmaps", [cm], list_resource_version="1", now=NOW,
                     include_object="Object")
    assert whole["rows"][0]["object"] == cm
    bare = to_table("configmaps", [cm], list_resource_version="1", now=NOW,
                    include_object="None")
    assert "object" not in bare["rows"][0]
    default = to_table("configmaps", [cm], list_resource_version="1", now=NOW,
                       include_object="")
    assert default["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    with pytest.raises(ValueError):
        to_table("configmaps", [], list_resource_version="1", include_object="Everything")


def test_table_without_resource_version_and_empty() -> None:
    table = to_table("nodes", [], list_resource_version=None)
    assert table["metadata"] == {}
    assert table["rows"] == []
    assert [c["name"] for c in table["columnDefinitions"]][:2] == ["Name", "Status"]


def test_table_uses_the_clock_when_now_is_not_given() -> None:
    fresh = {"metadata": {"name": "x", "creationTimestamp":
                          dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}}
    assert to_table("widgets", [fresh], list_resource_version="1")["rows"][0]["cells"][1] in (
        "0s", "1s", "2s")


@pytest.mark.parametrize("resource", sorted(PRINTERS))
def test_every_printer_fills_every_column(resource: str) -> None:
    defs = column_definitions(resource)
    for col in defs:
        assert set(col) == {"name", "type", "format", "description", "priority"}
        assert col["type"] in ("string", "integer", "date", "boolean")  # boolean: PriorityClass
        assert col["description"]
        assert col["priority"] in (0, 1)
    assert [c["format"] for c in defs if c["name"] == "Name"] == ["name"]
    # A skeletal object must print, with one cell per column and no crash on missing fields.
    row = to_row(resource, {"metadata": {"name": "x"}}, now=NOW)
    assert len(row["cells"]) == len(defs)


def test_column_definitions_are_copies() -> None:
    column_definitions("pods")[0]["name"] = "changed"
    assert column_definitions("pods")[0]["name"] == "Name"
