"""policy/v1 types: the Eviction a client POSTs to pods/{name}/eviction (kubectl drain).

It is never stored; it carries the DeleteOptions of the graceful delete it asks for, and
is decoded like any object so that a wrong JSON type in it is a 422, not a 500."""

from __future__ import annotations

from pydantic import Field

from tugboat.api.meta import DeleteOptions, K8sModel, ObjectMeta


class Eviction(K8sModel):
    apiVersion: str = "policy/v1"
    kind: str = "Eviction"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    deleteOptions: DeleteOptions | None = None
