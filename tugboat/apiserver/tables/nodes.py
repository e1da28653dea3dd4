"""The node printer (kubectl's printNode): STATUS folds the Ready condition and
cordoning into one word list, ROLES comes from labels because Kubernetes has no role
field, and the wide columns lift addresses and nodeInfo out of status.
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
)

_ADDRESSES = "List of addresses reachable to the node."
COLUMNS = (
    name_column(),
    column("Status", "The status of the node"),
    column("Roles", "The roles of the node"),
    age_column(),
    column("Version", "Kubelet Version reported by the node."),
    column("Internal-IP", _ADDRESSES, priority=1),
    column("External-IP", _ADDRESSES, priority=1),
    column("OS-Image", "OS Image reported by the node from /etc/os-release "
                       "(e.g. Debian GNU/Linux 7 (wheezy)).", priority=1),
    column("Kernel-Version", "Kernel Version reported by the node from 'uname -r' "
                             "(e.g. 3.16.0-0.bpo.4-amd64).", priority=1),
    column("Container-Runtime", "ContainerRuntime Version reported by the node through "
                                "runtime remote API (e.g. containerd://1.4.2).", priority=1),
)

ROLE_PREFIX = "node-role.kubernetes.io/"
LEGACY_ROLE_LABEL = "kubernetes.io/role"


def node_status(node: Obj) -> str:
    # printNode only reports the Ready condition; the pressure conditions stay hidden.
    words = []
    for cond in get(node, "status", "conditions") or []:
        if cond.get("type") == "Ready":
            words = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not words:
        words = ["Unknown"]
    if get(node, "spec", "unschedulable"):
        words.append("SchedulingDisabled")
    return ",".join(words)


def node_roles(node: Obj) -> str:
    """findNodeRoles: node-role.kubernetes.io/<role> keys and the legacy
    kubernetes.io/role=<role> value, sorted and de-duplicated."""
    roles = set()
    for key, value in (get(node, "metadata", "labels") or {}).items():
        if key.startswith(ROLE_PREFIX):
            if role := key[len(ROLE_PREFIX):]:
                roles.add(role)
        elif key == LEGACY_ROLE_LABEL and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _address(node: Obj, type_: str) -> str:
    for addr in get(node, "status", "addresses") or []:
        if addr.get("type") == type_:
            return addr.get("address", "")
    return "<none>"


def node_cells(node: Obj, now: float) -> list[Cell]:
    info = get(node, "status", "nodeInfo") or {}
    return [
        name(node),
        node_status(node),
        node_roles(node),
        age(node, now),
        info.get("kubeletVersion", ""),
        _address(node, "InternalIP"),
        _address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


PRINTERS = {"nodes": Printer(COLUMNS, node_cells)}
