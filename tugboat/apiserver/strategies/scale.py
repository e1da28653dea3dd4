"""The scale subresource's strategy: the request body is an autoscaling/v1 Scale, and
the only thing it may change on the workload is spec.replicas. The result is an update of
the workload under the workload's own rules (generation, validation).

The body is decoded through the Scale model like any object (a wrong JSON type anywhere in
it is a 422 naming the field, never a 500), and replicas must fit the workload's int32."""

from __future__ import annotations

from typing import Any

from tugboat.api.autoscaling import Scale
from tugboat.api.meta import StatusCause
from tugboat.api.resources import SCALE_API_VERSION, ResourceInfo
from tugboat.api.validation.fielderrors import INVALID
from tugboat.apiserver import decoding, errors
from tugboat.apiserver.strategies.generic import Obj, Wrapped, copy

# Scale has no table entry of its own (it is a view of a workload), but its errors name it.
SCALES = ResourceInfo("autoscaling", "v1", "scales", "Scale", True, "autoscaling:Scale")


def decode_scale(scale: Any, name: str) -> Scale:
    """A Scale request body, typed: 400 for another kind or a body that is no object, 422
    naming each wrong-typed field (metadata included)."""
    if not isinstance(scale, dict):
        raise errors.bad_request("the body must be a Scale object")
    scale = copy(scale)
    if scale.get("kind", "Scale") != "Scale" or \
            scale.get("apiVersion", SCALE_API_VERSION) != SCALE_API_VERSION:
        raise errors.bad_request("the body must be a Scale object")
    return decoding.decode(SCALES, scale, name)


def scale_replicas(scale: Any, name: str) -> int:
    """spec.replicas of a Scale body (0 when left out, as autoscaling/v1 has it): 400 for
    another kind, 422 for a bad count (Kubernetes' ValidateScale)."""
    replicas = decode_scale(scale, name).spec.replicas or 0
    if replicas < 0:
        raise errors.invalid(SCALES, name, [StatusCause(
            reason=INVALID, field="spec.replicas",
            message=f"Invalid value: {replicas}: must be greater than or equal to 0")])
    return replicas


class ScaleStrategy(Wrapped):
    subresource = "scale"
    own_body = True

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        replicas = scale_replicas(new, old["metadata"]["name"])
        out = copy(old)
        self.parent.set_scale_replicas(out, replicas)
        return self.parent.prepare_for_update(out, old)
