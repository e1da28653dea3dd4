"""Which runtime container a logs or exec request means: the pod by namespace and name
(static pods by their mirror's name), the container by name, its latest instance — or the
one before it for `previous=true` — with the messages kubectl users know when there is
none."""

from __future__ import annotations

from tugboat.kubelet.decisions import by_name
from tugboat.kubelet.podmanager import PodManager
from tugboat.kubelet.runtime import ContainerRuntime, RuntimeContainer


class NotAvailable(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


async def find_container(pods: PodManager, runtime: ContainerRuntime, node: str,
                         namespace: str, pod_name: str, container: str | None, *,
                         previous: bool = False, running: bool = False) -> RuntimeContainer:
    pod = pods.find(namespace, pod_name)
    if pod is None:
        raise NotAvailable(404, f'pod "{pod_name}" not found on this node')
    names = [c.name for c in pod.spec.containers]
    if not container and len(names) == 1:
        container = names[0]
    others = [c.name for c in [*(pod.spec.initContainers or ()),
                               *(pod.spec.ephemeralContainers or ())]]
    if container not in names and (not container or container not in others):
        if not container:
            raise NotAvailable(400, f"a container name must be specified for pod {pod_name}, "
                                    f"choose one of: [{' '.join(names)}]")
        raise NotAvailable(400, f"container {container} is not valid for pod {pod_name}")
    found = await runtime.list_containers(node, pod.metadata.uid)
    instances = by_name([c for c in found if not c.is_sandbox]).get(container, [])
    if previous:
        if len(instances) < 2:
            raise NotAvailable(400, f'previous terminated container "{container}" in pod '
                                    f'"{pod_name}" not found')
        return instances[-2]
    if not instances:
        raise NotAvailable(400, f'container "{container}" in pod "{pod_name}" is waiting to '
                                f'start: ContainerCreating')
    if running and not instances[-1].running:
        raise NotAvailable(400, f'container "{container}" in pod "{pod_name}" is not running')
    return instances[-1]
