"""`tug describe node`: roles, taints, the kubelet's Lease, conditions, addresses,
capacity, system info, the pods running there with their requests and limits, and the
node's allocated totals, as kubectl's describeNode prints them."""

from __future__ import annotations

from typing import Any

from tugboat.api.quantity import Quantity, cpu_millis, parse_quantity, to_bytes
from tugboat.cli.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    get,
    labels_multiline,
    rfc1123z,
    since,
)
from tugboat.cli.session import Session
from tugboat.client import ApiError

Obj = dict[str, Any]
ROLE_PREFIX = "node-role.kubernetes.io/"
SYSTEM_INFO = (("Machine ID", "machineID"), ("System UUID", "systemUUID"),
               ("Boot ID", "bootID"), ("Kernel Version", "kernelVersion"),
               ("OS Image", "osImage"), ("Operating System", "operatingSystem"),
               ("Architecture", "architecture"),
               ("Container Runtime Version", "containerRuntimeVersion"),
               ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion"))


def _roles(node: Obj) -> str:
    labels = get(node, "metadata", "labels") or {}
    roles = sorted(k[len(ROLE_PREFIX):] for k in labels if k.startswith(ROLE_PREFIX))
    if labels.get("kubernetes.io/role"):
        roles.append(labels["kubernetes.io/role"])
    return ",".join(r for r in roles if r) or "<none>"


def _taints(w: PrefixWriter, taints: list[Obj]) -> None:
    w.write(0, "Taints:\t")
    if not taints:
        w.write(0, "<none>\n")
    for i, t in enumerate(taints):
        if i:
            w.write(0, "\t")
        value = f"={t['value']}" if t.get("value") else ""
        w.write(0, f"{t.get('key')}{value}:{t.get('effect')}\n")


def _lease(session: Session, w: PrefixWriter, name: str) -> None:
    try:
        lease = session.request("GET", "/apis/coordination.k8s.io/v1/namespaces/"
                                       f"kube-node-lease/leases/{name}")
    except ApiError as e:
        w.write(0, f"Lease:\tFailed to get lease: {e.message}\n")
        return
    spec = lease.get("spec") or {}
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    w.write(1, f"AcquireTime:\t{rfc1123z(spec.get('acquireTime'))}\n")
    w.write(1, f"RenewTime:\t{rfc1123z(spec.get('renewTime'))}\n")


def _pod_totals(pod: Obj, field: str) -> tuple[Quantity, Quantity]:
    cpu, mem = parse_quantity("0"), parse_quantity("0")
    for c in get(pod, "spec", "containers") or []:
        values = get(c, "resources", field) or {}
        if "cpu" in values:
            cpu = cpu + parse_quantity(values["cpu"])
        if "memory" in values:
            mem = mem + parse_quantity(values["memory"])
    return cpu, mem


def _pct(q: Quantity, total: int, cpu: bool) -> int:
    if not total:
        return 0
    value = cpu_millis(q) if cpu else to_bytes(q)
    return int(value / total * 100)


def _pods_section(w: PrefixWriter, node: Obj, pods: list[Obj]) -> None:
    alloc = get(node, "status", "allocatable") or get(node, "status", "capacity") or {}
    cpu_total = cpu_millis(alloc.get("cpu", "0"))
    mem_total = to_bytes(alloc.get("memory", "0"))
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    sums = [parse_quantity("0")] * 4
    for pod in pods:
        (rc, rm), (lc, lm) = _pod_totals(pod, "requests"), _pod_totals(pod, "limits")
        sums = [a + b for a, b in zip(sums, (rc, lc, rm, lm), strict=True)]
        w.write(1, f"{get(pod, 'metadata', 'namespace')}\t{get(pod, 'metadata', 'name')}\t\t"
                   f"{rc} ({_pct(rc, cpu_total, True)}%)\t{lc} ({_pct(lc, cpu_total, True)}%)\t"
                   f"{rm} ({_pct(rm, mem_total, False)}%)\t{lm} ({_pct(lm, mem_total, False)}%)\t"
                   f"{since(get(pod, 'metadata', 'creationTimestamp'))}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
               "overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    rc, lc, rm, lm = sums
    w.write(1, f"cpu\t{rc} ({_pct(rc, cpu_total, True)}%)\t{lc} ({_pct(lc, cpu_total, True)}%)\n")
    w.write(1, f"memory\t{rm} ({_pct(rm, mem_total, False)}%)\t"
               f"{lm} ({_pct(lm, mem_total, False)}%)\n")
    w.write(1, "ephemeral-storage\t0 (0%)\t0 (0%)\n")


def describe_node(session: Session, w: PrefixWriter, node: Obj) -> None:
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, \
        node.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Roles:\t{_roles(node)}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    _taints(w, spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{str(bool(spec.get('unschedulable'))).lower()}\n")
    _lease(session, w, meta.get("name", ""))
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\t"
                   "Message\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in status["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \t"
                       f"{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason') or ''} \t"
                       f"{c.get('message') or ''}\n")
    w.write(0, "Addresses:\n")
    for a in status.get("addresses") or []:
        w.write(1, f"{a.get('type')}:\t{a.get('address')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        if status.get(key):
            w.write(0, f"{title}:\n")
            for name in sorted(status[key]):
                w.write(0, f"  {name}:\t{status[key][name]}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in SYSTEM_INFO:
        w.write(0, f"  {title}:\t{info.get(key) or ''}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    reply = session.request("GET", "/api/v1/pods", params={
        "fieldSelector": f"spec.nodeName={meta.get('name')},status.phase!=Succeeded,"
                         f"status.phase!=Failed"})
    _pods_section(w, node, reply.get("items") or [])
