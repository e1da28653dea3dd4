"""Pod and Node builders for the scheduler's unit tests: a few keyword arguments instead
of nested API dicts, so each table row reads as the case it tests."""

from __future__ import annotations

from typing import Any

from tugboat.api.core import Node, Pod
from tugboat.scheduler.framework import CycleState, Diagnosis, Framework, NodeInfo, PodInfo, Status


def make_pod(name: str = "p", namespace: str = "default", *, cpu: str | None = None,
             memory: str | None = None, extra: dict[str, str] | None = None,
             host_ports: tuple[int | tuple[str, str, int], ...] = (),
             node_selector: dict[str, str] | None = None,
             tolerations: list[dict[str, Any]] | None = None, owner: str | None = None,
             priority: int | None = None, images: tuple[str, ...] = ("busybox:1.35",),
             affinity: dict[str, Any] | None = None, node_name: str | None = None,
             labels: dict[str, str] | None = None, uid: str | None = None,
             scheduler_name: str | None = None, **spec: Any) -> Pod:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    requests.update(extra or {})
    containers = []
    for i, image in enumerate(images):
        c: dict[str, Any] = {"name": f"c{i}", "image": image}
        if i == 0 and requests:
            c["resources"] = {"requests": requests}
        if i == 0 and host_ports:
            c["ports"] = [_port(p) for p in host_ports]
        containers.append(c)
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": uid or f"uid-{name}"}
    if labels:
        meta["labels"] = labels
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                    "name": owner, "uid": f"owner-{owner}", "controller": True}]
    body: dict[str, Any] = {"containers": containers, **spec}
    for key, value in (("nodeSelector", node_selector), ("tolerations", tolerations),
                       ("priority", priority), ("affinity", affinity),
                       ("nodeName", node_name), ("schedulerName", scheduler_name)):
        if value is not None:
            body[key] = value
    return Pod.model_validate({"metadata": meta, "spec": body})


def _port(port: int | tuple[str, str, int]) -> dict[str, Any]:
    if isinstance(port, int):
        return {"containerPort": port, "hostPort": port}
    ip, protocol, number = port
    return {"containerPort": number, "hostPort": number, "protocol": protocol, "hostIP": ip}


def make_node(name: str = "n", *, cpu: str = "4", memory: str = "8Gi", pods: str = "110",
              labels: dict[str, str] | None = None,
              taints: list[dict[str, Any]] | None = None, unschedulable: bool = False,
              ready: str | None = None, images: dict[str, int] | None = None,
              extra: dict[str, str] | None = None) -> Node:
    status: dict[str, Any] = {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods,
                                              **(extra or {})}}
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready}]
    if images:
        status["images"] = [{"names": [n], "sizeBytes": size} for n, size in images.items()]
    spec: dict[str, Any] = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return Node.model_validate({"metadata": {"name": name, "labels": labels or {}},
                                "spec": spec, "status": status})


def node_info(node: Node | None = None, *pods: Pod) -> NodeInfo:
    node = node or make_node()
    info = NodeInfo(node.metadata.name or "")
    info.set_node(node)
    for pod in pods:
        info.add_pod(PodInfo.of(pod))
    return info


def pod_info(pod: Pod | None = None, **kwargs: Any) -> PodInfo:
    return PodInfo.of(pod or make_pod(**kwargs))


def filter_status(plugin: Any, pod: Pod, node: NodeInfo) -> Status | None:
    """Run one plugin's PreFilter and Filter as the framework would: the rejecting
    status, or None when the pod fits (or the plugin skipped itself)."""
    framework = Framework([plugin])
    state, info = CycleState(), PodInfo.of(pod)
    status = framework.run_pre_filter(state, info, Diagnosis())
    if status is not None:
        return status
    rejected = framework.run_filters(state, info, node)
    return rejected[1] if rejected else None


def score_nodes(plugin: Any, pod: Pod, nodes: list[NodeInfo]) -> list[int] | None:
    """One plugin's PreScore, Score and NormalizeScore at weight 1; None if it skipped."""
    framework = Framework([plugin], {plugin.name: 1})
    state, info = CycleState(), PodInfo.of(pod)
    assert framework.run_pre_score(state, info, nodes) is None
    if plugin.name in state.skip_score:
        return None
    return framework.run_score(state, info, nodes)
