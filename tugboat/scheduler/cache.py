"""The scheduler's cache: every node with the pods bound or assumed on it.

Informer events keep it current (add/update/remove of nodes and bound pods); the
scheduling loop reads it and, once it has picked a node, *assumes* the pod there at once,
before the binding is written, so the next pod in a burst sees the room already taken.
When the binding shows up through the informer the assumption is confirmed; if the bind
fails it is forgotten. Everything runs on one event loop and a scheduling cycle never
awaits, so a cycle sees one consistent cache without kube-scheduler's snapshots.

It is also the ClusterView plugins query: the node count and how many nodes hold an image.
"""

from __future__ import annotations

from dataclasses import dataclass

from tugboat.api.core import Node
from tugboat.scheduler.framework import NodeInfo, PodInfo


@dataclass(slots=True)
class _PodState:
    pod: PodInfo
    node_name: str
    assumed: bool


class SchedulerCache:
    def __init__(self) -> None:
        self._nodes: dict[str, NodeInfo] = {}
        self._pods: dict[str, _PodState] = {}
        self._image_nodes: dict[str, int] = {}
        self._node_list: list[NodeInfo] | None = None

    # --- the ClusterView ------------------------------------------------------------------

    def node_count(self) -> int:
        return len(self.node_list())

    def image_node_count(self, image: str) -> int:
        return self._image_nodes.get(image, 0)

    def node_list(self) -> list[NodeInfo]:
        """Nodes the informer has shown, in a stable order (round-robin walks it)."""
        if self._node_list is None:
            self._node_list = [n for n in self._nodes.values() if n.node is not None]
        return self._node_list

    def get_node(self, name: str) -> NodeInfo | None:
        info = self._nodes.get(name)
        return info if info is not None and info.node is not None else None

    # --- nodes ----------------------------------------------------------------------------

    def set_node(self, node: Node) -> NodeInfo:
        """Add or update a node (its pods, if any arrived first, stay accounted)."""
        name = node.metadata.name or ""
        info = self._nodes.get(name)
        if info is None:
            info = self._nodes[name] = NodeInfo(name)
        if info.node is None:
            self._node_list = None
        self._count_images(info, -1)
        info.set_node(node)
        self._count_images(info, 1)
        return info

    def remove_node(self, name: str) -> None:
        info = self._nodes.get(name)
        if info is None:
            return
        self._count_images(info, -1)
        if info.pods:
            info.node = None  # its pods still count until their deletes arrive
            info.images = {}
        else:
            del self._nodes[name]
        self._node_list = None

    def _count_images(self, info: NodeInfo, sign: int) -> None:
        if info.node is None:
            return
        for image in info.images:
            count = self._image_nodes.get(image, 0) + sign
            if count > 0:
                self._image_nodes[image] = count
            else:
                self._image_nodes.pop(image, None)

    # --- pods -----------------------------------------------------------------------------

    def assume_pod(self, pod: PodInfo, node_name: str) -> None:
        self._place(pod, node_name, assumed=True)

    def forget_pod(self, key: str) -> None:
        """Drop an assumption (the bind failed); a confirmed pod is left alone."""
        state = self._pods.get(key)
        if state is not None and state.assumed:
            self.remove_pod(key)

    def add_pod(self, pod: PodInfo) -> None:
        """A bound pod from the informer: confirms an assumption, or adds (or moves) it."""
        node_name = pod.node_name
        if node_name:
            self._place(pod, node_name, assumed=False)

    def remove_pod(self, key: str) -> None:
        state = self._pods.pop(key, None)
        if state is None:
            return
        info = self._nodes.get(state.node_name)
        if info is not None:
            info.remove_pod(key)
            if info.node is None and not info.pods:
                del self._nodes[state.node_name]

    def is_assumed(self, key: str) -> bool:
        state = self._pods.get(key)
        return state is not None and state.assumed

    def node_of(self, key: str) -> str | None:
        state = self._pods.get(key)
        return state.node_name if state is not None else None

    def pod_count(self) -> int:
        return len(self._pods)

    def assumed_count(self) -> int:
        return sum(1 for s in self._pods.values() if s.assumed)

    def _place(self, pod: PodInfo, node_name: str, assumed: bool) -> None:
        state = self._pods.get(pod.key)
        if state is not None and state.node_name != node_name:
            self.remove_pod(pod.key)
        info = self._nodes.get(node_name)
        if info is None:
            info = self._nodes[node_name] = NodeInfo(node_name)
        info.add_pod(pod)
        self._pods[pod.key] = _PodState(pod, node_name, assumed)
