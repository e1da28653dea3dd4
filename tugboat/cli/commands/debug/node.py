"""`tug debug node/NAME`: a pod pinned to the node, tolerating every taint; the "general"
profile runs it in the host's IPC, network and PID namespaces with the node's filesystem
at /host, as kubectl's does."""

from __future__ import annotations

from tugboat.api.resources import lookup
from tugboat.cli.commands.debug.choices import Debugger, Obj, suffix
from tugboat.cli.session import Session

PODS = lookup("", "v1", "pods")


def node_pod(session: Session, dbg: Debugger, node: str) -> tuple[Obj, str]:
    """The created node debugging pod and its container's name."""
    name = dbg.container or "debugger"
    pod_name = f"node-debugger-{node}-{suffix()}"
    if not dbg.quiet:
        print(f"Creating debugging pod {pod_name} with container {name} on node {node}.")
    c = dbg.new_container(name)
    pod: Obj = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": pod_name,
                             "labels": {"app.kubernetes.io/managed-by": "kubectl-debug"}},
                "spec": {"containers": [c], "nodeName": node, "restartPolicy": "Never",
                         "tolerations": [{"operator": "Exists"}]}}
    if dbg.profile == "general":
        c["volumeMounts"] = [{"name": "host-root", "mountPath": "/host"}]
        pod["spec"].update(hostIPC=True, hostNetwork=True, hostPID=True,
                           volumes=[{"name": "host-root", "hostPath": {"path": "/"}}])
    return session.client.create(PODS, pod, session.namespace), name
