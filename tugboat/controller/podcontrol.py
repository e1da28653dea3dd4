"""Creating and deleting pods for an owner (client-go's PodControl): a pod stamped from
the owner's template with its controller reference, and the SuccessfulCreate /
SuccessfulDelete / FailedCreate events Kubernetes' controllers record on the owner."""

from __future__ import annotations

from typing import Any

from tugboat.api.pod import PodTemplateSpec
from tugboat.client import ApiClient, ClientError, EventRecorder, NotFound
from tugboat.controller.controllerref import new_controller_ref


def pod_from_template(template: PodTemplateSpec, owner: Any, *,
                      extra_labels: dict[str, str] | None = None,
                      node_name: str | None = None) -> dict[str, Any]:
    """A new pod for `owner`: template labels, annotations and finalizers, a generated
    name after the owner, and the owner's controller reference."""
    tmpl = template.wire()
    tmeta = tmpl.get("metadata") or {}
    meta: dict[str, Any] = {
        "generateName": f"{owner.metadata.name}-",
        "namespace": owner.metadata.namespace,
        "labels": {**(tmeta.get("labels") or {}), **(extra_labels or {})},
        "ownerReferences": [new_controller_ref(owner)],
    }
    for key in ("annotations", "finalizers"):
        if tmeta.get(key):
            meta[key] = tmeta[key]
    spec = dict(tmpl.get("spec") or {})
    if node_name:
        spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


class PodControl:
    def __init__(self, client: ApiClient, recorder: EventRecorder):
        self.client = client
        self.recorder = recorder

    async def create(self, owner: Any, pod: dict[str, Any]) -> dict[str, Any]:
        try:
            created = await self.client.create("pods", pod, owner.metadata.namespace)
        except ClientError as e:
            self.recorder.emit(owner, "Warning", "FailedCreate", f"Error creating: {e}")
            raise
        self.recorder.emit(owner, "Normal", "SuccessfulCreate",
                           f"Created pod: {created['metadata']['name']}")
        return created

    async def delete(self, owner: Any, pod: Any, *, grace_period: int | None = None) -> bool:
        """Delete `pod`; False if it was already gone."""
        try:
            await self.client.delete("pods", pod.metadata.name, pod.metadata.namespace,
                                     grace_period_seconds=grace_period,
                                     preconditions={"uid": pod.metadata.uid})
        except NotFound:
            return False
        except ClientError as e:
            self.recorder.emit(owner, "Warning", "FailedDelete",
                               f"Error deleting pod {pod.metadata.name}: {e}")
            raise
        self.recorder.emit(owner, "Normal", "SuccessfulDelete",
                           f"Deleted pod: {pod.metadata.name}")
        return True
