"""Namespaces: created Active with the namespace controller's `kubernetes` finalizer;
a delete marks them Terminating (no grace period) and leaves them until the controller
has emptied them and cleared spec.finalizers through `/finalize`. The namespaces the
cluster itself needs may not be deleted."""

from __future__ import annotations

from tugboat.api.meta import now_rfc3339
from tugboat.apiserver import decoding, errors
from tugboat.apiserver.strategies.generic import Obj, Stored, Strategy, Wrapped, copy

PROTECTED_NAMESPACES = {"default", "kube-system", "kube-public"}


class NamespaceFinalizeStrategy(Wrapped):
    """namespaces/{name}/finalize: the namespace controller's way to change
    spec.finalizers, and nothing else."""

    subresource = "finalize"

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        """The body is a Namespace, decoded as one (a wrong JSON type anywhere in it is a
        422, never silently read as "no finalizers") and naming the URL's namespace."""
        name = old["metadata"]["name"]
        body = copy(new)
        decoding.check_type_meta(self.info, body)
        namespace = decoding.decode(self.info, body, name)
        if namespace.metadata.name and namespace.metadata.name != name:
            raise errors.bad_request(f"the name of the object ({namespace.metadata.name}) "
                                     f"does not match the name on the URL ({name})")
        finalizers = namespace.spec.finalizers or []
        out = copy(old)
        out.setdefault("spec", {})["finalizers"] = finalizers
        if not finalizers:
            out["spec"].pop("finalizers")
        return out


class NamespaceStrategy(Strategy):
    extra_subresources = {"finalize": NamespaceFinalizeStrategy}

    def prepare_for_create(self, body: Obj, namespace: str | None, stored: Stored) -> None:
        super().prepare_for_create(body, namespace, stored)
        spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        spec.setdefault("finalizers", ["kubernetes"])
        body["spec"] = spec
        body["status"] = {"phase": "Active"}

    def check_delete(self, obj: Obj) -> str | None:
        if obj["metadata"]["name"] in PROTECTED_NAMESPACES:
            return "this namespace may not be deleted"
        return None

    def mark_for_deletion(self, cur: Obj, grace: int, finalizers: list[str]) -> Obj | None:
        """Terminating at once, whatever grace or propagation policy was asked for."""
        if cur["metadata"].get("deletionTimestamp"):
            return cur
        new = copy(cur)
        new["metadata"]["deletionTimestamp"] = now_rfc3339()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new.setdefault("status", {})["phase"] = "Terminating"
        if not (new.get("spec") or {}).get("finalizers") and not new["metadata"].get("finalizers"):
            return None
        return new

    def finalized(self, obj: Obj) -> bool:
        return super().finalized(obj) and not (obj.get("spec") or {}).get("finalizers")
