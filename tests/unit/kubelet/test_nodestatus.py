"""The Node's status: capacity, addresses, the kubelet endpoint, nodeInfo, and conditions
that keep their transition times — Ready False with the runtime's error while it is down."""

from __future__ import annotations

from tugboat.kubelet.node.hostinfo import HostInfo, Pressure
from tugboat.kubelet.node.nodestatus import (
    KUBELET_VERSION,
    NodeIdentity,
    RuntimeState,
    new_node,
    node_status,
    without_heartbeats,
)

INFO = HostInfo(cpus=4, memory_bytes=8 << 30, ephemeral_storage_bytes=100 << 30,
                os_image="Debian GNU/Linux 12 (bookworm)", kernel_version="6.1.0",
                machine_id="m", boot_id="b", system_uuid="", architecture="amd64")
IDENT = NodeIdentity("node-a", "127.0.0.1", 10250)
CALM = Pressure(False, False, False)
UP = RuntimeState(True, "", "docker://20.10.24")


def conditions(status) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    return {c.type: (c.status, c.reason) for c in status.conditions}


def test_a_healthy_node() -> None:
    st = node_status(IDENT, INFO, CALM, UP, None, "2030-01-01T00:00:00Z")
    assert st.capacity == {"cpu": "4", "memory": "8388608Ki", "pods": "110",
                           "ephemeral-storage": "104857600Ki"}
    assert st.allocatable == st.capacity
    assert [(a.type, a.address) for a in st.addresses] == [("InternalIP", "127.0.0.1"),
                                                           ("Hostname", "node-a")]
    assert st.daemonEndpoints.kubeletEndpoint.Port == 10250
    assert st.nodeInfo.kubeletVersion == KUBELET_VERSION
    assert st.nodeInfo.containerRuntimeVersion == "docker://20.10.24"
    assert conditions(st) == {"Ready": ("True", "KubeletReady"),
                              "MemoryPressure": ("False", "KubeletHasSufficientMemory"),
                              "DiskPressure": ("False", "KubeletHasNoDiskPressure"),
                              "PIDPressure": ("False", "KubeletHasSufficientPID")}
    node = new_node(IDENT, INFO, st)
    assert node.metadata.labels["kubernetes.io/hostname"] == "node-a"
    assert node.metadata.labels["kubernetes.io/arch"] == "amd64"


def test_runtime_down_is_not_ready_and_transitions_are_kept() -> None:
    first = node_status(IDENT, INFO, CALM, UP, None, "2030-01-01T00:00:00Z")
    down = RuntimeState(False, "Docker is not reachable", "docker://20.10.24")
    later = node_status(IDENT, INFO, CALM, down, first, "2030-01-01T00:01:00Z")
    ready = next(c for c in later.conditions if c.type == "Ready")
    assert (ready.status, ready.reason) == ("False", "KubeletNotReady")
    assert "Docker is not reachable" in (ready.message or "")
    assert ready.lastTransitionTime == "2030-01-01T00:01:00Z"
    memory = next(c for c in later.conditions if c.type == "MemoryPressure")
    assert memory.lastTransitionTime == "2030-01-01T00:00:00Z"
    same = node_status(IDENT, INFO, CALM, down, later, "2030-01-01T00:02:00Z")
    assert without_heartbeats(same) == without_heartbeats(later)
