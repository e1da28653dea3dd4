"""The binding subresource's strategy (pods/binding, and namespaces/{ns}/bindings): the
scheduler's write. The body is a Binding; it may set spec.nodeName once, add annotations,
and mark the pod PodScheduled — nothing else. The Binding and the bound pod are both
validated, so a malformed target is a 422 and never reaches the store."""

from __future__ import annotations

from typing import Any

from tugboat.api import validation
from tugboat.api.meta import StatusCause, now_rfc3339
from tugboat.api.resources import ResourceInfo
from tugboat.apiserver import decoding, errors
from tugboat.apiserver.admission.interface import Operation
from tugboat.apiserver.storageform import check_metadata
from tugboat.apiserver.strategies.generic import Obj, Wrapped, copy

# Binding has no table entry of its own (it is only ever POSTed), but its errors name it.
BINDINGS = ResourceInfo("", "v1", "bindings", "Binding", True, "pod:Binding")


class BindingStrategy(Wrapped):
    subresource = "binding"
    operation = Operation.CREATE
    own_body = True

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        name = old["metadata"]["name"]
        binding = decode_binding(new, name)
        node = binding["target"]["name"]
        uid = binding["metadata"].get("uid")
        if uid and uid != old["metadata"].get("uid"):
            raise self._conflict(name, f"Precondition failed: UID in precondition: {uid}, "
                                       f"UID in object meta: {old['metadata'].get('uid')}")
        if old["metadata"].get("deletionTimestamp"):
            raise self._conflict(name, f"pod {name} is being deleted, cannot be assigned to "
                                       f"a host")
        bound = (old.get("spec") or {}).get("nodeName")
        if bound:
            raise self._conflict(name, f'pod {name} is already assigned to node "{bound}"')
        pod = copy(old)
        pod.setdefault("spec", {})["nodeName"] = node
        annotations = binding["metadata"].get("annotations")
        if annotations:
            pod["metadata"].setdefault("annotations", {}).update(annotations)
        status = pod.setdefault("status", {})
        conds = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        conds.insert(0, {"type": "PodScheduled", "status": "True",
                         "lastTransitionTime": now_rfc3339()})
        status["conditions"] = conds
        return pod

    def validate(self, obj: Any, old: Any) -> list[StatusCause]:
        """The pod's own update rules, with spec.nodeName the one spec field a binding
        may set: validated against the stored pod as if it had been bound already."""
        spec = old.spec.model_copy(update={"nodeName": obj.spec.nodeName})
        return self.parent.validate(obj, old.model_copy(update={"spec": spec}))

    def _conflict(self, name: str, why: str) -> errors.ApiError:
        return errors.conflict(self.info, name, why, sub="binding")


def decode_binding(body: Obj, name: str) -> Obj:
    """The Binding body decoded and validated (422 naming each bad field)."""
    body = copy(body)
    decoding.check_type_meta(BINDINGS, body)
    meta = body.setdefault("metadata", {})
    if isinstance(meta, dict):
        meta.setdefault("name", name)
        check_metadata(BINDINGS, body)
    binding = decoding.decode(BINDINGS, body, name)
    causes = validation.validate(binding)
    if causes:
        raise errors.invalid(BINDINGS, name, causes)
    return binding.wire()
