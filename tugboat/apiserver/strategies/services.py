"""Services: addresses are allocated on create (a cluster IP, node ports; see
allocators.py), and an update that leaves them out keeps them, as Kubernetes'
patchAllocatedValues does — clients replace Services without knowing their cluster IP."""

from __future__ import annotations

from tugboat.apiserver import allocators, decoding
from tugboat.apiserver.strategies.generic import Obj, Stored, Strategy


class ServiceStrategy(Strategy):
    def prepare_for_create(self, body: Obj, namespace: str | None, stored: Stored) -> None:
        super().prepare_for_create(body, namespace, stored)
        # The allocator reads ports and addresses from the wire body: type-check it first,
        # so that `ports: 5` or a list for a clusterIP is a 422 naming the field, not a 500.
        decoding.decode(self.info, body, body["metadata"].get("name"))
        allocators.allocate_service(body, stored())

    def retain(self, new: Obj, old: Obj) -> None:
        spec, old_spec = new.get("spec"), old.get("spec") or {}
        if not isinstance(spec, dict):
            return
        for k in ("clusterIP", "clusterIPs"):
            if not spec.get(k) and old_spec.get(k):
                spec[k] = old_spec[k]
        new_ports = spec.get("ports")
        if not isinstance(new_ports, list):  # malformed: validation names it; nothing to keep
            return
        if spec.get("type") not in ("NodePort", "LoadBalancer"):
            return
        old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or []}
        for p in new_ports:
            if isinstance(p, dict) and isinstance(p.get("port"), int) and not p.get("nodePort") \
                    and old_ports.get(p["port"]):
                p["nodePort"] = old_ports[p["port"]]
