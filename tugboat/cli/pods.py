"""Which pod and which container `logs` and `exec` mean: a pod name or `pod/NAME`, or a
workload (`deploy/web`, `rc/x`, `job/x`, `svc/x`...) whose first pod is taken, as kubectl
does; the container from `-c`, else the `kubectl.kubernetes.io/default-container`
annotation, else the first one (saying so when there were several)."""

from __future__ import annotations

import sys
from typing import Any

from tugboat.api.labels import label_selector_as_selector, selector_from_set
from tugboat.cli import targets
from tugboat.cli.errors import CliError
from tugboat.cli.session import Session

Obj = dict[str, Any]
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


def find_pod(session: Session, ref: str) -> Obj:
    """The pod `ref` names, directly or through a workload's selector."""
    if "/" not in ref:
        return session.client.get("pods", ref, session.namespace)
    info, name = targets.single([ref], "logs")
    ns = session.ns_for(info)
    if info.kind == "Pod":
        return session.client.get(info, name, ns)
    owner = session.client.get(info, name, ns)
    selector = (owner.get("spec") or {}).get("selector")
    if not selector:
        raise CliError(f"cannot attach to {targets.object_name(info, name)}: selector for "
                       f"{info.kind} not implemented")
    plain = info.kind == "ReplicationController" or info.kind == "Service"
    text = (selector_from_set(selector) if plain else label_selector_as_selector(selector))
    reply = session.request("GET", f"/api/v1/namespaces/{ns}/pods",
                            params={"labelSelector": text.to_string()})
    pods = sorted(reply.get("items") or [],
                  key=lambda p: (p.get("status") or {}).get("phase") != "Running")
    if not pods:
        raise CliError(f"no pods found for {targets.object_name(info, name)}")
    if len(pods) > 1:
        print(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}",
              file=sys.stderr)
    return pods[0]


def pick_container(pod: Obj, container: str | None, attaching: bool = False) -> str:
    """`-c` may name any container of the pod, ephemeral ones too (a debug container is
    exec'd into and attached to by name); one it lacks is refused in kubectl's words — the
    server's 400 for exec, logs and cp, attach's own check for attach."""
    spec = pod.get("spec") or {}
    names = [c.get("name") for c in spec.get("containers") or []]
    names += [c.get("name") for c in spec.get("initContainers") or []]
    pod_name = pod["metadata"]["name"]
    if container:
        if container in names or container in [c.get("name") for c in
                                               spec.get("ephemeralContainers") or []]:
            return container
        if attaching:
            raise CliError(f"cannot attach to the container: container {container} not "
                           f"found in pod {pod_name}")
        raise CliError(f"Error from server (BadRequest): container {container} is not valid "
                       f"for pod {pod_name}", raw=True)
    annotated = ((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER)
    if annotated in names:
        return annotated
    if not names:
        raise CliError(f"pod {pod_name} has no containers")
    regular = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
    if len(regular) > 1:
        print(f'Defaulted container "{regular[0]}" out of: {", ".join(regular)}',
              file=sys.stderr)
    return regular[0]
