"""The scale subresource's strategy: the request body is an autoscaling/v1 Scale, and
the only thing it may change on the workload is spec.replicas. The result is an update of
the workload under the workload's own rules (generation, validation)."""

from __future__ import annotations

from typing import Any

from tugboat.api.meta import StatusCause, StatusDetails
from tugboat.apiserver import errors
from tugboat.apiserver.strategies.generic import Obj, Wrapped, copy


def scale_replicas(scale: Any, name: str) -> int:
    """spec.replicas of a Scale body: 400 for another kind, 422 for a bad count."""
    if not isinstance(scale, dict) or scale.get("kind", "Scale") != "Scale":
        raise errors.bad_request("the body must be a Scale object")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.ApiError(422, "Invalid", f'Scale.autoscaling "{name}" is invalid: '
                              f'spec.replicas: Invalid value: {replicas!r}: must be greater '
                              f'than or equal to 0', StatusDetails(
                                  name=name, group="autoscaling", kind="Scale", causes=[
                                      StatusCause(reason="FieldValueInvalid",
                                                  field="spec.replicas",
                                                  message="must be greater than or equal to 0")]))
    return replicas


class ScaleStrategy(Wrapped):
    subresource = "scale"
    own_body = True

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        replicas = scale_replicas(new, old["metadata"]["name"])
        out = copy(old)
        out.setdefault("spec", {})["replicas"] = replicas
        return self.parent.prepare_for_update(out, old)
