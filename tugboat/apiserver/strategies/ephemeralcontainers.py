"""The pods/ephemeralcontainers subresource's strategy (Kubernetes'
ephemeralContainersStrategy): the body is a whole Pod, of which only
spec.ephemeralContainers is kept — everything else stays as stored — and the write is
validated by ValidatePodEphemeralContainersUpdate: the pod spec as a whole must be valid,
and containers may be added but never changed or removed. A plain pod update may not
touch the list at all (the pod's own update rule refuses it)."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import StatusCause
from tugboat.api.validation.ephemeralcontainers import validate_ephemeral_containers_update
from tugboat.api.validation.fielderrors import Errors
from tugboat.apiserver.strategies.generic import Obj, Wrapped, copy, spec_part


class EphemeralContainersStrategy(Wrapped):
    subresource = "ephemeralcontainers"

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        pod = copy(old)
        added = (new.get("spec") or {}).get("ephemeralContainers") \
            if isinstance(new.get("spec"), dict) else None
        spec = pod.setdefault("spec", {})
        if added is None:
            spec.pop("ephemeralContainers", None)
        else:
            spec["ephemeralContainers"] = added
        meta = pod["metadata"]
        if "generation" in meta and spec_part(pod) != spec_part(old):
            meta["generation"] += 1
        return pod

    def validate(self, obj: Any, old: Any) -> list[StatusCause]:
        """The pod's own rules against the stored pod as if it had the new list already
        (so that adding to it is no forbidden spec change), then the list's own rule."""
        spec = old.spec.model_copy(update={"ephemeralContainers": obj.spec.ephemeralContainers})
        causes = self.parent.validate(obj, old.model_copy(update={"spec": spec}))
        errs: Errors = []
        validate_ephemeral_containers_update(obj, old, errs)
        return causes + errs
