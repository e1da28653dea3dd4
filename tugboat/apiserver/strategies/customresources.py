"""The write rules of custom objects (the apiextensions-apiserver's customResourceStrategy):
no pydantic model — the object was pruned and defaulted as it was decoded
(api/customresources.py) — validated by its metadata and by its version's structural
schema. Every custom object has a generation; with a status subresource, status moves
only through /status (the default Strategy's rule for kinds that serve status)."""

from __future__ import annotations

from typing import Any

from tugboat.api.customresources import CustomResourceInfo
from tugboat.api.meta import StatusCause
from tugboat.api.schema import validation as schema_validation
from tugboat.api.validation.customresourcedefinitions import validate_generic_object_meta
from tugboat.apiserver import errors
from tugboat.apiserver.strategies.generic import Obj, Stored, Strategy


class CustomResourceStrategy(Strategy):
    always_has_generation = True
    info: CustomResourceInfo

    def prepare_for_create(self, body: Obj, namespace: str | None, stored: Stored) -> None:
        if self.info.terminating:
            raise errors.method_not_allowed("create not allowed while custom resource "
                                            "definition is terminating")
        super().prepare_for_create(body, namespace, stored)

    def default(self, obj: Any, creating: bool) -> None:
        """Defaults were applied as the object was decoded."""

    def validate(self, obj: Any, old: Any) -> list[StatusCause]:
        errs: list[StatusCause] = []
        validate_generic_object_meta(obj.metadata, self.info.namespaced,
                                     old.metadata if old is not None else None, errs)
        errs.extend(schema_validation.validate(obj.wire(), self.info.schema))
        return errs

    # The scale subresource reads and writes the paths the CRD names (0 where unset).
    def scale_replicas(self, obj: Obj) -> tuple[int, int]:
        scale = self.info.scale
        if scale is None:
            return 0, 0
        spec, status = (_at(obj, scale.specReplicasPath),
                        _at(obj, scale.statusReplicasPath))
        return (spec if isinstance(spec, int) else 0, status if isinstance(status, int) else 0)

    def set_scale_replicas(self, obj: Obj, replicas: int) -> None:
        if self.info.scale is not None:
            *parents, leaf = _parts(self.info.scale.specReplicasPath)
            cur = obj
            for part in parents:
                cur = cur.setdefault(part, {})
            cur[leaf] = replicas

    def scale_selector(self, obj: Obj) -> str:
        path = self.info.scale.labelSelectorPath if self.info.scale else None
        value = _at(obj, path) if path else None
        return value if isinstance(value, str) else ""


def _parts(path: str) -> list[str]:
    return path.lstrip(".").split(".")


def _at(obj: Obj, path: str) -> Any:
    cur: Any = obj
    for part in _parts(path):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur
