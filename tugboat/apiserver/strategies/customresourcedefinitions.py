"""The write rules of CustomResourceDefinitions (the apiextensions-apiserver's CRD
strategy): a new CRD carries the cleanup finalizer (its objects go before it does) and a
status that records only its storage version; the establishing controller
(apiserver/customresources) writes the conditions and accepted names. Every storage
version a CRD has had stays in status.storedVersions, since objects may still be stored
in it."""

from __future__ import annotations

from typing import Any

from tugboat.api.apiextensions import CLEANUP_FINALIZER, CustomResourceConversion
from tugboat.api.meta import StatusCause
from tugboat.api.validation.customresourcedefinitions import validate_crd
from tugboat.apiserver.strategies.generic import Obj, Stored, Strategy


def _storage_version(obj: Obj) -> str | None:
    versions = (obj.get("spec") or {}).get("versions") or []
    return next((v.get("name") for v in versions if isinstance(v, dict) and v.get("storage")),
                None)


class CustomResourceDefinitionStrategy(Strategy):
    always_has_generation = True

    def prepare_for_create(self, body: Obj, namespace: str | None, stored: Stored) -> None:
        super().prepare_for_create(body, namespace, stored)
        meta = body["metadata"]
        finalizers = meta.get("finalizers")
        finalizers = list(finalizers) if isinstance(finalizers, list) else []
        if CLEANUP_FINALIZER not in finalizers:
            finalizers.append(CLEANUP_FINALIZER)
        meta["finalizers"] = finalizers
        storage = _storage_version(body)
        body["status"] = {"conditions": [], "acceptedNames": {"plural": "", "kind": ""},
                          "storedVersions": [storage] if isinstance(storage, str) else []}

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        out = super().prepare_for_update(new, old)
        storage = _storage_version(out)
        status = out.get("status")
        if isinstance(storage, str) and isinstance(status, dict):
            stored = list(status.get("storedVersions") or [])
            if storage not in stored:
                out["status"] = {**status, "storedVersions": [*stored, storage]}
        return out

    def default(self, obj: Any, creating: bool) -> None:
        names = obj.spec.names
        if names.kind and not names.singular:
            names.singular = names.kind.lower()
        if names.kind and not names.listKind:
            names.listKind = names.kind + "List"
        if obj.spec.conversion is None:
            obj.spec.conversion = CustomResourceConversion()

    def validate(self, obj: Any, old: Any) -> list[StatusCause]:
        return validate_crd(obj, old)
