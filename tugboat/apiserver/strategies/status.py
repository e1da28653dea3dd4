"""The status subresource's strategy (Kubernetes' statusStrategy of every kind): a write
to `/status` changes the status and nothing else — spec, labels and the rest of the
metadata stay as stored, and the generation does not move."""

from __future__ import annotations

from tugboat.apiserver.strategies.generic import Obj, Wrapped


class StatusStrategy(Wrapped):
    subresource = "status"

    def prepare_for_update(self, new: Obj, old: Obj) -> Obj:
        out = {k: v for k, v in old.items() if k != "status"}
        if "status" in new:
            out["status"] = new["status"]
        out["metadata"] = dict(old["metadata"])
        # ResetObjectMetaForStatus keeps the new managedFields: a server-side apply to
        # /status brings its manager's entry in them (an update's are recomputed after).
        managed = (new.get("metadata") or {}).get("managedFields")
        if managed is not None:
            out["metadata"]["managedFields"] = managed
        return out
