"""The `io.tugboat.*` labels (DESIGN §7) every container carries, the sandbox included, so
`docker ps --filter label=...` finds a pod's containers, a restarted kubelet adopts them,
and kubelets sharing one Docker engine each touch only their own node's containers."""

from __future__ import annotations

from collections.abc import Mapping

from tugboat.kubelet.runtime.types import PodRef

POD_UID = "io.tugboat.pod.uid"
POD_NAME = "io.tugboat.pod.name"
POD_NAMESPACE = "io.tugboat.pod.namespace"
CONTAINER_NAME = "io.tugboat.container.name"
CONTAINER_ATTEMPT = "io.tugboat.container.attempt"
NODE = "io.tugboat.node"
POD_SOURCE = "io.tugboat.pod.source"  # "api", or "file" for static pods


def container_labels(pod: PodRef, container_name: str, attempt: int) -> dict[str, str]:
    return {POD_UID: pod.uid, POD_NAME: pod.name, POD_NAMESPACE: pod.namespace,
            CONTAINER_NAME: container_name, CONTAINER_ATTEMPT: str(attempt), NODE: pod.node,
            POD_SOURCE: pod.source}


def is_ours(labels: Mapping[str, str] | None) -> bool:
    return bool(labels) and all(k in labels for k in (POD_UID, CONTAINER_NAME, NODE))  # type: ignore[operator]


def pod_ref(labels: Mapping[str, str]) -> PodRef:
    return PodRef(uid=labels.get(POD_UID, ""), name=labels.get(POD_NAME, ""),
                  namespace=labels.get(POD_NAMESPACE, ""), node=labels.get(NODE, ""),
                  source=labels.get(POD_SOURCE, "api"))


def attempt(labels: Mapping[str, str]) -> int:
    try:
        return int(labels.get(CONTAINER_ATTEMPT, "0"))
    except ValueError:
        return 0


def node_filter(node: str, pod_uid: str | None = None) -> list[str]:
    """Docker `label` filters: this node's containers (of one pod)."""
    filters = [f"{NODE}={node}"]
    if pod_uid:
        filters.append(f"{POD_UID}={pod_uid}")
    return filters
