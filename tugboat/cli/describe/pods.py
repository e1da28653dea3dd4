"""`tug describe pod`: kubectl's pod page (describePod): identity, node and start time,
labels and annotations, status (Terminating while being deleted), IPs, the controller,
every container's state and probes, conditions, volumes, QoS class and tolerations."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tugboat.api.core import Pod
from tugboat.api.defaults.pods import default_pod
from tugboat.api.qos import pod_qos_class
from tugboat.cli.describe.podspec import describe_containers, describe_volumes
from tugboat.cli.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    controller_of,
    labels_multiline,
    rfc1123z,
    tolerations_multiline,
    until,
)

Obj = dict[str, Any]


def qos_class(pod: Obj) -> str:
    """status.qosClass (the API server sets it on create), or computed the same way
    (api/qos.py) with requests defaulted from limits, as they are on create."""
    given = (pod.get("status") or {}).get("qosClass")
    if given:
        return str(given)
    try:
        typed = Pod.model_validate({"spec": pod.get("spec") or {}})
    except ValidationError:
        return "BestEffort"
    default_pod(typed)
    return pod_qos_class(typed)


def _head(w: PrefixWriter, pod: Obj) -> None:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP') or ''}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if meta.get("deletionTimestamp"):
        w.write(0, f"Status:\tTerminating (lasts {until(meta['deletionTimestamp'])})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{status.get('phase') or 'Unknown'}\n")
    for title, key in (("Reason", "reason"), ("Message", "message")):
        if status.get(key):
            w.write(0, f"{title}:\t{status[key]}\n")
    w.write(0, f"IP:\t{status.get('podIP') or ''}\n")
    ips = [i.get("ip") for i in status.get("podIPs") or [] if i.get("ip")]
    if not ips and status.get("podIP"):
        ips = [status["podIP"]]
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(0, f"  IP:\t{ip}\n")
    if controller_of(pod):
        w.write(0, f"Controlled By:\t{controller_of(pod)}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")


def describe_pod(w: PrefixWriter, pod: Obj) -> None:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    _head(w, pod)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"],
                            status.get("initContainerStatuses"))
    describe_containers(w, "Containers", spec.get("containers") or [],
                        status.get("containerStatuses"))
    if spec.get("ephemeralContainers"):  # kubectl debug's, after the app containers
        describe_containers(w, "Ephemeral Containers", spec["ephemeralContainers"],
                            status.get("ephemeralContainerStatuses"))
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \n")
    describe_volumes(w, spec.get("volumes") or [])
    w.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
